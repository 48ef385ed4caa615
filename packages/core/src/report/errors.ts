import { redact } from './secrets.js';

/**
 * An error an operator can act on: `message` names the problem, `fix` says what to do.
 * Subclasses exist per failure kind so callers and tests can tell them apart.
 */
export class LifeboatError extends Error {
  /** Stable machine-readable code, e.g. `missing-option`, `s3-access-denied`. */
  readonly code: string;
  /** What the operator should do about it. */
  readonly fix: string | undefined;

  constructor(code: string, message: string, fix?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.fix = fix;
  }
}

/** An option is missing, malformed or inconsistent with another. */
export class OptionError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('invalid-option', message, fix);
  }
}

/** A feature is not available in this environment (e.g. artifacts outside Actions). */
export class UnsupportedError extends LifeboatError {
  constructor(message: string, fix?: string) {
    super('unsupported', message, fix);
  }
}

/** One line for the operator: problem and fix, secrets redacted, no stack. */
export function describeError(error: unknown): string {
  if (error instanceof LifeboatError) {
    const text = error.fix ? `${error.message} ${ensurePeriod(error.fix)}` : error.message;
    return redact(oneLine(text));
  }
  if (error instanceof Error) {
    const detail = error.message || error.name;
    return redact(oneLine(`Unexpected error: ${detail}`));
  }
  return redact(oneLine(`Unexpected error: ${String(error)}`));
}

/** The full error for debug logs: stack and causes, secrets redacted. */
export function describeErrorVerbose(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.stack ?? `${current.name}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return redact(parts.join('\nCaused by: '));
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

function ensurePeriod(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
