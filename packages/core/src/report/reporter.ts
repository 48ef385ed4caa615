import { redact, registerSecret } from './secrets.js';

/** A value an operation publishes: an action output, a CLI `--json` field. */
export type OutputValue = string | number | boolean;

/**
 * Where an operation reports to. Actions implement it with @actions/core, the CLI with
 * stderr, tests with memory. Implementations redact every message.
 */
export interface Reporter {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** Registers a secret: masked in logs and redacted from everything reported. */
  secret(value: string | undefined): void;
  /** Runs `fn` inside a collapsible log group (Actions) or under a heading (CLI). */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Publishes a named result (action output). */
  output(name: string, value: OutputValue): void;
  /** Appends Markdown to the run's summary (job summary in Actions). */
  summary(markdown: string): Promise<void>;
  /** Publishes files beside the run (a workflow artifact in Actions); absent where there is nowhere to put them. */
  attach?(name: string, files: readonly string[], rootDir: string, options?: { retentionDays?: number }): Promise<void>;
}

/** Reporter for terminals: messages on stderr so stdout stays free for `--json`. */
export class ConsoleReporter implements Reporter {
  readonly outputs: Record<string, OutputValue> = {};
  readonly summaries: string[] = [];

  constructor(
    private readonly options: { verbose?: boolean; quiet?: boolean; write?: (line: string) => void } = {},
  ) {}

  private write(line: string): void {
    (this.options.write ?? ((l: string) => process.stderr.write(`${l}\n`)))(redact(line));
  }

  debug(message: string): void {
    if (this.options.verbose) this.write(`debug: ${message}`);
  }
  info(message: string): void {
    if (!this.options.quiet) this.write(message);
  }
  warning(message: string): void {
    this.write(`warning: ${message}`);
  }
  error(message: string): void {
    this.write(`error: ${message}`);
  }
  secret(value: string | undefined): void {
    registerSecret(value);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.info(`== ${title}`);
    return fn();
  }
  output(name: string, value: OutputValue): void {
    this.outputs[name] = value;
  }
  async summary(markdown: string): Promise<void> {
    this.summaries.push(redact(markdown));
  }
}

/** Reporter that keeps everything in memory, for tests and for composing reports. */
export class MemoryReporter implements Reporter {
  readonly lines: { level: 'debug' | 'info' | 'warning' | 'error'; message: string }[] = [];
  readonly outputs: Record<string, OutputValue> = {};
  readonly summaries: string[] = [];

  debug(message: string): void {
    this.lines.push({ level: 'debug', message: redact(message) });
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message: redact(message) });
  }
  warning(message: string): void {
    this.lines.push({ level: 'warning', message: redact(message) });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message: redact(message) });
  }
  secret(value: string | undefined): void {
    registerSecret(value);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.info(`== ${title}`);
    return fn();
  }
  output(name: string, value: OutputValue): void {
    this.outputs[name] = value;
  }
  async summary(markdown: string): Promise<void> {
    this.summaries.push(redact(markdown));
  }
  /** Every line at every level, joined; handy for asserting that nothing leaked. */
  text(): string {
    return [...this.lines.map((l) => l.message), ...this.summaries, JSON.stringify(this.outputs)].join('\n');
  }
}
