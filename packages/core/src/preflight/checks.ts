import { describeError } from '../report/errors.js';
import type { PreflightCheck } from './verdict.js';

/** Runs checks in order; collects a row each, or (for a backup) stops at the first failure with its own error. */
export class Checks {
  readonly rows: PreflightCheck[] = [];
  constructor(private readonly failFast: boolean) {}

  async run<T>(name: string, check: () => Promise<{ value: T; detail: string; warn?: boolean }>): Promise<T | undefined> {
    try {
      const { value, detail, warn } = await check();
      this.rows.push({ name, status: warn ? 'warn' : 'pass', detail });
      return value;
    } catch (error) {
      if (this.failFast) throw error;
      this.rows.push({ name, status: 'fail', detail: describeError(error) });
      return undefined;
    }
  }

  warn(name: string, detail: string): void {
    this.rows.push({ name, status: 'warn', detail });
  }

  skip(name: string, detail: string): void {
    this.rows.push({ name, status: 'skip', detail });
  }
}
