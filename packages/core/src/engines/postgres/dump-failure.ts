import { LifeboatError } from '../../report/errors.js';
import type { ToolExit } from './client-tool.js';
import { connectionErrorFromStderr, type PostgresConnection } from './connection.js';
import { DumpError, VersionMismatchError } from './errors.js';

/** True when a program ran to completion: exit status 0, no signal, started at all. */
export function succeeded(exit: ToolExit): boolean {
  return exit.exitCode === 0 && exit.signal === null && exit.spawnError === undefined;
}

/**
 * The error for a failed pg_dump/pg_dumpall/tar run, recognised from its stderr where the
 * operator can act on the cause (version mismatch, connection, permissions, filters).
 */
export function dumpFailure(tool: string, exit: ToolExit, connection?: PostgresConnection): LifeboatError {
  if (exit.spawnError) {
    return exit.spawnError instanceof LifeboatError
      ? exit.spawnError
      : new DumpError({ tool, exitCode: null, signal: null, stderrTail: '', message: `${tool} could not be started: ${exit.spawnError.message}` });
  }
  const stderr = exit.stderrTail;
  const mismatch = /server version:\s*([0-9][^;\s]*)[^;]*;\s*\S+ version:\s*([0-9][^\s]*)/.exec(stderr);
  if (/server version mismatch/i.test(stderr) && mismatch) {
    return new VersionMismatchError(parseVersion(mismatch[1]!), parseVersion(mismatch[2]!), tool);
  }
  if (connection && exit.signal === null) {
    const connectionProblem = connectionErrorFromStderr(stderr, connection);
    if (connectionProblem) return connectionProblem;
  }
  const details = { tool, exitCode: exit.exitCode, signal: exit.signal, stderrTail: lastLines(stderr, 6) };
  if (exit.signal !== null) {
    return new DumpError(details, 'The dump was cut short; nothing was stored as a complete backup. Check the runner for out-of-memory kills or a cancelled job, then run again.');
  }
  if (/permission denied for (table|relation|schema|sequence|large object)/i.test(stderr)) {
    return new DumpError(
      details,
      'The role needs SELECT on every table dumped and USAGE on their schemas: grant them, grant pg_read_all_data (PostgreSQL 14+), or narrow `schemas`/`tables`.',
    );
  }
  if (/pg_authid/.test(stderr) && /permission denied/i.test(stderr)) {
    return new DumpError(details, 'Role passwords can only be read by a superuser: set `globals-role-passwords: false` on managed services.');
  }
  if (/no matching (tables|schemas|extensions) were found/i.test(stderr)) {
    return new DumpError(details, 'Check the `schemas`/`tables` patterns: they matched nothing in this database.');
  }
  if (/could not obtain lock/i.test(stderr)) {
    return new DumpError(details, 'Another session holds a conflicting lock; run the backup when it is released, or raise --lock-wait-timeout in pg-dump-args.');
  }
  if (/No space left on device/i.test(stderr)) {
    return new DumpError(details, 'The runner\'s temp disk is full: a directory-format dump needs room for the whole dump there. Use `format: custom`, which streams.');
  }
  if (/could not write to output file|Broken pipe/i.test(stderr)) {
    return new DumpError(details, 'The stream\'s reader stopped early (a storage or encryption failure reported alongside is the cause).');
  }
  return new DumpError(details);
}

function parseVersion(text: string): { version: string; major: number } {
  const [first, second] = text.split('.').map(Number);
  const major = first !== undefined && first < 10 && second !== undefined ? Number(`${first}.${second}`) : (first ?? 0);
  return { version: text, major };
}

function lastLines(text: string, count: number): string {
  return text.split('\n').filter((l) => l.trim()).slice(-count).join('\n');
}
