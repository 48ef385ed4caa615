import { describe, expect, it } from 'vitest';
import type { CheckResult, PhaseResult } from '../catalog/drill-record.js';
import { drillVerdict, stoppedBySetup, type DrillStop, type DrillVerdictInput } from './verdict.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const ok = (name: string): PhaseResult => ({ name, ok: true, durationMs: 10 });
const bad = (name: string, error: string): PhaseResult => ({ name, ok: false, durationMs: 10, error });
const ran = ['select', 'authenticate', 'download', 'verify', 'decrypt', 'restore', 'checks'].map(ok);
const rows: CheckResult = { name: 'public.users row count', kind: 'row-count', ok: true, expected: 42, actual: 42 };
const missing: CheckResult = { name: 'public.orders exists', kind: 'table-exists', ok: false, expected: true, actual: false };
const base: DrillVerdictInput = { phases: ran, checks: [rows], targets: {}, rpoMs: 2 * HOUR, rtoMs: 5 * MIN };
const stoppedIn = (phase: string | undefined, code: string | undefined, message = `${phase ?? 'setup'} stopped`): Partial<DrillVerdictInput> => ({
  phases: phase ? [ok('select'), bad(phase, message)] : [],
  stop: { phase, code, message },
});

describe('drillVerdict', () => {
  it.each<[string, Partial<DrillVerdictInput>, 'pass' | 'fail' | 'inconclusive', string[]]>([
    ['every phase ran and every check passed', {}, 'pass', []],
    ['targets met', { targets: { maxRpo: 26 * HOUR, maxRto: HOUR } }, 'pass', []],
    ['a check failed', { checks: [rows, missing] }, 'fail', ['1 check failed: public.orders exists (expected true, got false)']],
    ['the backup is older than max-rpo', { targets: { maxRpo: HOUR } }, 'fail', ['1 check failed: RPO within target (expected <= 1h, got 2h)']],
    ['the drill took longer than max-rto', { targets: { maxRto: MIN } }, 'fail', ['1 check failed: RTO within target (expected <= 1m, got 5m)']],
    [
      'the backup is dated in the future and max-rpo is set',
      { rpoMs: undefined, rpoUnknown: 'dated in the future: 2h ahead', targets: { maxRpo: HOUR } },
      'fail',
      ['1 check failed: RPO within target (expected <= 1h, got unknown: dated in the future: 2h ahead)'],
    ],
    ['the backup does not verify', stoppedIn('verify', 'verification-failed', 'verify failed: SHA-256 differs'), 'fail', ['verify failed: SHA-256 differs']],
    ['the restore failed', stoppedIn('restore', 'restore-failed', 'restore failed: pg_restore exited 1'), 'fail', ['restore failed: pg_restore exited 1']],
    ['the ciphertext was damaged', stoppedIn('decrypt', 'integrity-check-failed', 'decrypt failed: integrity'), 'fail', ['decrypt failed: integrity']],
    ['the manifest signature does not match (forged)', stoppedIn('authenticate', 'signature-mismatch', 'authenticate failed: mismatch'), 'fail', ['authenticate failed: mismatch']],
    ['the backup is signed by an unknown key', stoppedIn('authenticate', 'signature-unknown-key', 'authenticate failed: unknown key'), 'fail', ['authenticate failed: unknown key']],
    ['the store holds no backup', stoppedIn('select', 'no-backup', 'select failed: No backups'), 'fail', ['select failed: No backups']],
    ['an unexpected error in a phase', stoppedIn('restore', undefined, 'restore failed: Unexpected error: boom'), 'fail', ['restore failed: Unexpected error: boom']],
    ['a phase failed without a recorded stop', { phases: [ok('select'), bad('download', 'gone')] }, 'fail', ['download failed: gone']],
    ['the wrong identity', stoppedIn('decrypt', 'wrong-decryption-key', 'decrypt failed: encrypted to other keys'), 'inconclusive', ['decrypt failed: encrypted to other keys']],
    ['a wrong key passphrase', stoppedIn('decrypt', 'wrong-key-passphrase'), 'inconclusive', ['decrypt stopped']],
    ['no signing-public-key (before any phase)', stoppedIn(undefined, 'signature-no-keys', 'No `signing-public-key` is set'), 'inconclusive', ['No `signing-public-key` is set']],
    ['an option error before any phase', stoppedIn(undefined, 'invalid-option'), 'inconclusive', ['setup stopped']],
    ['an unreadable signing-public-key', stoppedIn(undefined, 'public-key-unreadable'), 'inconclusive', ['setup stopped']],
    ['an unreachable store', stoppedIn('select', 'store-unreachable'), 'inconclusive', ['select stopped']],
    ['S3 access denied', stoppedIn('download', 's3-access-denied'), 'inconclusive', ['download stopped']],
    ['an unreachable restore target', stoppedIn('restore', 'database-unreachable'), 'inconclusive', ['restore stopped']],
    ['a target older than the backup', stoppedIn('restore', 'restore-target-too-old'), 'inconclusive', ['restore stopped']],
    ['a target server of an older major', stoppedIn('restore', 'target-too-old'), 'inconclusive', ['restore stopped']],
    ['an unreachable Redis target', stoppedIn('restore', 'redis-unreachable'), 'inconclusive', ['restore stopped']],
    ['no throwaway server can be started', stoppedIn('restore', 'no-ephemeral-postgres'), 'inconclusive', ['restore stopped']],
    [
      'the wrong identity, and the backup is also too old',
      { ...stoppedIn('decrypt', 'wrong-decryption-key', 'decrypt failed: other keys'), targets: { maxRpo: HOUR } },
      'fail',
      ['1 check failed: RPO within target (expected <= 1h, got 2h)', 'decrypt failed: other keys'],
    ],
    [
      'a restore failure with a failed restore-errors check',
      { ...stoppedIn('restore', 'restore-failed', 'restore failed: errors'), checks: [{ name: 'restore errors', kind: 'restore-errors', ok: false, expected: 0, actual: 3 }] },
      'fail',
      ['restore failed: errors', '1 check failed: restore errors (expected 0, got 3)'],
    ],
  ])('%s → %s', (_, change, verdict, reasons) => {
    const judged = drillVerdict({ ...base, ...change });
    expect(judged.verdict).toBe(verdict);
    expect(judged.reasons).toEqual(reasons);
    expect(judged.failure).toBe(reasons[0]);
  });

  it('checks RTO only for a drill that ran to the end, and RPO whenever the age is known', () => {
    const stopped = drillVerdict({ ...base, ...stoppedIn('restore', 'restore-failed'), targets: { maxRpo: 26 * HOUR, maxRto: MIN } });
    expect(stopped.targetChecks.map((c) => [c.kind, c.ok])).toEqual([['rpo', true]]);
    const finished = drillVerdict({ ...base, targets: { maxRpo: 26 * HOUR, maxRto: HOUR } });
    expect(finished.targetChecks.map((c) => [c.kind, c.ok, c.actual])).toEqual([
      ['rpo', true, '2h'],
      ['rto', true, '5m'],
    ]);
    expect(drillVerdict({ ...base, rpoMs: undefined, targets: { maxRpo: HOUR } }).targetChecks).toEqual([]);
  });

  it('names at most five failed checks', () => {
    const many = Array.from({ length: 7 }, (_, i): CheckResult => ({ name: `t${i}`, kind: 'row-count', ok: false, expected: 1, actual: 0 }));
    const judged = drillVerdict({ ...base, checks: many });
    expect(judged.failure).toBe(`7 checks failed: ${many.slice(0, 5).map((c) => `${c.name} (expected 1, got 0)`).join('; ')}; ...`);
  });
});

describe('stoppedBySetup', () => {
  it.each<[DrillStop, boolean]>([
    [{ message: 'before any phase' }, true],
    [{ phase: 'decrypt', code: 'wrong-passphrase', message: '' }, true],
    [{ phase: 'decrypt', code: 'truncated-message', message: '' }, false],
    [{ phase: 'authenticate', code: 'signature-unsigned', message: '' }, false],
    [{ phase: 'restore', message: 'no code' }, false],
  ])('%o → %s', (stop, expected) => {
    expect(stoppedBySetup(stop)).toBe(expected);
  });
});
