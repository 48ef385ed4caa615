/**
 * A year of history in a real folder store, written by the project's own writers: a backup
 * every day of 2025 (manifest last, as the backup writes it) and a drill on the 5th of every
 * month, published and signed with a real OpenPGP key by the drill's own `publishEvidence`.
 * March's drill failed a check; August's passed but took longer than the report's target;
 * June's failed and its record was flipped to `pass` after signing; an unsigned passing
 * record was slipped in on November 20th.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DRILL_RECORD_FORMAT, type DrillRecord } from '../../packages/core/src/catalog/drill-record.js';
import { manifestDigest, serializeManifest } from '../../packages/core/src/catalog/manifest.js';
import type { RunContext } from '../../packages/core/src/context.js';
import { generateKeyPair } from '../../packages/core/src/crypto/keygen.js';
import { prepareRecordSigning, publishEvidence } from '../../packages/core/src/drill/publish.js';
import { openStore } from '../../packages/core/src/storage/open-store.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { idAt, writeBackup } from '../catalog/fixtures.js';
import { testContext } from '../backup/support.js';
import { tempFolder } from '../support/temp-folders.js';

export const NAME = 'app';
export const SINCE = new Date('2025-01-01T00:00:00Z');
/** The clock of the report: late on the last day of the year. */
export const NOW = new Date('2025-12-31T23:00:00Z');
export const HOUR = 3_600_000;
/** The month (0-based) whose drill failed a check, whose record was flipped, and whose RTO is over 2 minutes. */
export const FAILED = 2;
export const FLIPPED = 5;
export const SLOW = 7;
/** What the March check said: markup a report must never render. */
export const HOSTILE = '<img src=x onerror=alert(1)> | forged ✅ pass |';

export interface GeneratedDrill {
  readonly record: DrillRecord;
  readonly month: number;
}

export interface Year {
  readonly folder: string;
  readonly store: Store;
  readonly signer: { publicKey: string; privateKey: string; fingerprint: string };
  readonly backups: { id: string; time: Date; manifestSha256: string; durationMs: number; startedAt: string; finishedAt: string }[];
  readonly drills: GeneratedDrill[];
  readonly flippedId: string;
  readonly unsignedId: string;
}

/** A context at the report's clock. */
export function contextAt(now: Date = NOW): RunContext & { reporter: ReturnType<typeof testContext>['reporter'] } {
  return { ...testContext(), now: () => now };
}

/** RTO of the month's drill: a little longer each month, and 2m30s in August. */
export function rtoOf(month: number): number {
  return month === SLOW ? 150_000 : 60_000 + month * 5_000;
}

/** Writes the year into a fresh folder store. */
export async function writeYear(): Promise<Year> {
  const folder = tempFolder('lifeboat-report-store-');
  const evidence = tempFolder('lifeboat-report-evidence-');
  const context = contextAt();
  const store = await openStore({ store: folder, s3ForcePathStyle: false }, context);
  const signer = await generateKeyPair({ name: 'Drill signer', purpose: 'sign' });
  const signing = await prepareRecordSigning({ signingKey: signer.privateKey }, context);

  const backups: Year['backups'] = [];
  for (let day = 0; day < 365; day++) {
    const time = new Date(Date.UTC(2025, 0, 1 + day, 2, 0, 0));
    const id = idAt(time.toISOString(), 'backup');
    // Grows by 40 bytes a day, with a dip after a cleanup in the middle of the year.
    const payload = Buffer.alloc(4000 + day * 40 - (day >= 180 && day < 200 ? 3000 : 0), day % 251);
    const { manifest } = await writeBackup(store, NAME, id, { payload });
    backups.push({ id, time, manifestSha256: manifestDigest(serializeManifest(manifest)), durationMs: manifest.durationMs, startedAt: manifest.startedAt, finishedAt: manifest.finishedAt });
  }

  const drills: GeneratedDrill[] = [];
  let flippedId = '';
  for (let month = 0; month < 12; month++) {
    const started = new Date(Date.UTC(2025, month, 5, 10, 0, 0));
    const backup = backups.find((b) => b.time.getTime() === Date.UTC(2025, month, 5, 2, 0, 0))!;
    const rtoMs = rtoOf(month);
    const failed = month === FAILED || month === FLIPPED;
    const record: DrillRecord = {
      format: DRILL_RECORD_FORMAT,
      id: idAt(started.toISOString(), `drill${'abcdefghijkl'[month]}`),
      name: NAME,
      backupId: backup.id,
      manifestSha256: backup.manifestSha256,
      startedAt: started.toISOString(),
      finishedAt: new Date(started.getTime() + rtoMs).toISOString(),
      verdict: failed ? 'fail' : 'pass',
      ...(failed && { failure: 'check orders-not-empty: expected >= 1, got 0' }),
      rpoMs: 8 * HOUR,
      rtoMs,
      phases: [
        { name: 'select', ok: true, durationMs: 20 },
        { name: 'download', ok: true, durationMs: 4000 },
        { name: 'verify', ok: true, durationMs: 980 },
        { name: 'decrypt', ok: true, durationMs: 5000 },
        { name: 'restore', ok: true, durationMs: rtoMs - 10_500 },
        { name: 'checks', ok: !failed, durationMs: 500 },
      ],
      checks: [
        { name: 'restore-errors', kind: 'restore-errors', ok: true, expected: 0, actual: 0 },
        { name: 'orders-not-empty', kind: 'sql', ok: !failed, expected: '>= 1', actual: failed ? 0 : 1000 + month, ...(month === FAILED && { message: HOSTILE }) },
      ],
      versions: { lifeboat: 'test' },
      provenance: {},
      target: 'scratch database lifeboat_drill on localhost',
    };
    await publishEvidence(record, { store, evidenceDir: evidence, recordDrill: true, signing }, context);
    if (month === FLIPPED) flippedId = record.id;
    else drills.push({ record, month });
  }
  // The June record, altered after it was signed: its verdict flipped to pass.
  const flippedPath = join(folder, NAME, 'drills', `${flippedId}.json`);
  writeFileSync(flippedPath, readFileSync(flippedPath, 'utf8').replace('"verdict": "fail"', '"verdict": "pass"'));

  // A forged passing record without a signature.
  const forgedStart = new Date(Date.UTC(2025, 10, 20, 10, 0, 0));
  const unsignedId = idAt(forgedStart.toISOString(), 'forged');
  await publishEvidence(
    {
      format: DRILL_RECORD_FORMAT,
      id: unsignedId,
      name: NAME,
      startedAt: forgedStart.toISOString(),
      finishedAt: new Date(forgedStart.getTime() + 30_000).toISOString(),
      verdict: 'pass',
      rpoMs: HOUR,
      rtoMs: 30_000,
      phases: [],
      checks: [],
      versions: {},
      provenance: {},
    },
    { store, evidenceDir: evidence, recordDrill: true },
    context,
  );
  return { folder, store, signer, backups, drills, flippedId, unsignedId };
}
