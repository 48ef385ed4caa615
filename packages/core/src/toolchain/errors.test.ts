import { describe, expect, it } from 'vitest';
import { TargetTooOldError } from '../engines/postgres/restore/errors.js';
import { ClientMissingError, ClientTooOldError, RestoreTargetTooOldError, refusalError } from './errors.js';

describe('refusalError', () => {
  it.each([
    ['client-too-old', ClientTooOldError, 'postgres-client-too-old'],
    ['client-missing', ClientMissingError, 'postgres-client-missing'],
    ['target-too-old', TargetTooOldError, 'restore-target-too-old'],
  ] as const)('%s is a %s with the decision\'s reason and fix', (code, type, errorCode) => {
    const error = refusalError({ kind: 'refuse', code, reason: 'the reason', fix: 'the fix', majors: { source: 17, target: 15 } });
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code: errorCode, message: 'the reason', fix: 'the fix' });
  });

  it('gives a target that is too old the same class, code and majors as pg_restore\'s own finding', () => {
    const chosen = refusalError({ kind: 'refuse', code: 'target-too-old', reason: 'r', fix: 'f', majors: { source: 17, target: 15 } });
    const found = new TargetTooOldError({ major: 17, version: '17.2' }, { major: 15, version: '15.8' });
    expect(RestoreTargetTooOldError).toBe(TargetTooOldError);
    expect(chosen).toMatchObject({ code: found.code, dumpServerMajor: 17, targetMajor: 15 });
    expect(found.message).toContain('dumped from PostgreSQL 17.2, but the target runs PostgreSQL 15.8');
  });
});
