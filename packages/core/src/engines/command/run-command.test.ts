import { describe, expect, it } from 'vitest';
import { commandFailure } from './run-command.js';

describe('commandFailure', () => {
  it.each([
    [{ exitCode: 0, signal: null }, 10, true, undefined],
    [{ exitCode: 0, signal: null }, 0, false, undefined],
    [{ exitCode: 0, signal: null }, 0, true, 'wrote nothing to stdout'],
    [{ exitCode: 2, signal: null }, 10, true, 'exited with status 2'],
    [{ exitCode: null, signal: 'SIGKILL' as const }, 10, true, 'was killed by SIGKILL'],
    [{ exitCode: null, signal: null, spawnError: new Error('mongodump was not found') }, 0, true, 'could not be started: mongodump was not found'],
  ])('%j with %i bytes (output required: %s)', (exit, bytes, required, expected) => {
    expect(commandFailure(exit, bytes, required)).toBe(expected);
  });
});
