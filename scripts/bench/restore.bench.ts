/**
 * Restore benchmark: a Lifeboat drill against the manual restore operators do by hand, on a
 * Lifeboat backup of a database this benchmark generates (about LIFEBOAT_BENCH_SIZE_MB MiB,
 * default 1024; compressible rows and incompressible bytea). For each it prints, from one run:
 *
 * - the manual steps on the stored backup file: `createdb`, `gpg --decrypt file > dump`
 *   (`gpg --decrypt file | zstd -d > dump` for a `.zst.pgp` payload, the default),
 *   `pg_restore --jobs 2 --no-owner -d db dump` (each timed, and the total),
 * - `lifeboat drill` from the same local store into the same server (a scratch database
 *   there), in a Node process of its own: its wall time, peak RSS and the drill's own phase
 *   durations (authenticate, download, verify, decrypt, restore, checks),
 *
 * and the ratio against the target (informational; nothing here fails on a figure).
 * Run with `npm run bench -- restore`; see test/bench-support/settings.ts for the variables.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createBenchDatabase, type DataVariant } from '../../test/bench-support/bench-data.js';
import { timeShell } from '../../test/bench-support/commands.js';
import { compileCore, type CompiledCore } from '../../test/bench-support/compile-core.js';
import { runOperation, type OperationRun } from '../../test/bench-support/operation.js';
import { mib, printTable, ratio, seconds, target } from '../../test/bench-support/report.js';
import { benchSettings, median } from '../../test/bench-support/settings.js';
import { startAll, stopService } from '../../test/bench-support/start-all.js';
import { machineClientBinDir } from '../../test/postgres/sample.js';
import { createGpgHome, type GpgHome } from '../../test/services/gpg.js';
import { startPostgres, type PgServer } from '../../test/services/postgres.js';

const settings = benchSettings();
const RESTORE_JOBS = 2;
const binDir = machineClientBinDir();

let pg: PgServer | undefined;
let gpg: GpgHome | undefined;
/** Signs the backups' manifests; drills verify them, as operators run them. */
let signer: GpgHome | undefined;
let core: CompiledCore | undefined;
let work: string | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'lifeboat-bench-restore-'));
  [pg, gpg, signer, core] = await startAll<[PgServer, GpgHome, GpgHome, CompiledCore]>(
    [() => startPostgres(), () => createGpgHome({ name: 'Lifeboat Bench' }), () => createGpgHome({ name: 'Lifeboat Bench signing', usage: 'sign' }), () => compileCore()],
    stopService,
  );
});

afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup(), signer?.cleanup(), core?.cleanup()]);
  if (work) await rm(work, { recursive: true, force: true });
});

interface ManualRun {
  readonly createdb: number;
  readonly decrypt: number;
  readonly restore: number;
  readonly total: number;
}

interface DrillPhase {
  readonly name: string;
  readonly durationMs: number;
}

/** The by-hand decryption of a payload (docs/break-glass.md): a `.zst.pgp` one is decompressed as it is decrypted. */
function decryptStep(payloadFile: string): string {
  const gpg = 'gpg --batch --pinentry-mode loopback --passphrase "$PASS" --decrypt "$PAYLOAD"';
  return payloadFile.endsWith('.zst.pgp') ? `${gpg} | zstd -q -d -c > "$DUMP"` : `${gpg} > "$DUMP"`;
}

async function manual(env: Record<string, string>, payloadFile: string): Promise<ManualRun> {
  try {
    const createdb = (await timeShell('createdb "$RESTORED"', env)).seconds;
    const decrypt = (await timeShell(decryptStep(payloadFile), env)).seconds;
    const restore = (await timeShell(`pg_restore --jobs ${RESTORE_JOBS} --no-owner -d "$RESTORED" "$DUMP"`, env)).seconds;
    return { createdb, decrypt, restore, total: createdb + decrypt + restore };
  } finally {
    await rm(env.DUMP!, { force: true });
    await pg!.query(`DROP DATABASE IF EXISTS ${env.RESTORED} WITH (FORCE)`);
  }
}

async function lifeboatDrill(store: string, name: string, evidenceDir: string): Promise<OperationRun> {
  return runOperation(core!, 'drill', {
    store,
    name,
    identity: gpg!.secretKeyArmored,
    'identity-passphrase': gpg!.passphrase,
    'signing-public-key': signer!.publicKeyArmored,
    'target-database-url': pg!.url('postgres'),
    'restore-jobs': String(RESTORE_JOBS),
    'evidence-dir': evidenceDir,
  });
}

async function benchmark(variant: DataVariant): Promise<void> {
  const server = pg!;
  const name = `bench_${variant}`;
  const db = await createBenchDatabase(server, name, variant, settings.sizeMiB);
  console.log(
    `\n[restore/${variant}] generated ${name}: ${mib(db.bytes)} (pg_database_size), ${db.rows.toLocaleString('en-US')} rows in ${db.tables} tables, ${seconds(db.seconds)} (${db.generator})`,
  );
  const store = await mkdtemp(join(work!, 'store-'));
  const evidenceDir = await mkdtemp(join(work!, 'evidence-'));
  try {
    const backup = await runOperation(core!, 'backup', {
      'database-url': server.url(name),
      store,
      recipients: gpg!.publicKeyArmored,
      'signing-key': signer!.secretKeyArmored,
      'signing-key-passphrase': signer!.passphrase,
    });
    const id = String(backup.outputs['backup-id']);
    const payloadFile = (await readdir(join(store, name, id))).find((f) => f.endsWith('.pgp') && !f.startsWith('stats'))!;
    const compression = (backup.data as { manifest?: { source?: { compression?: string } } }[])[0]?.manifest?.source?.compression ?? '?';
    console.log(`[restore/${variant}] Lifeboat backup ${id}: ${mib(Number(backup.outputs.size))} stored (compression ${compression}) in ${seconds(backup.wallSeconds)}`);
    // The restores need only the backup; the source would just compete for cache.
    await server.query(`DROP DATABASE ${name}`);

    const env = {
      PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      PGHOST: server.host,
      PGPORT: String(server.port),
      PGUSER: server.user,
      PGPASSWORD: server.password,
      GNUPGHOME: gpg!.home,
      PASS: gpg!.passphrase,
      PAYLOAD: join(store, name, id, payloadFile),
      DUMP: join(work!, 'restore.pgdump'),
      RESTORED: `${name}_manual`,
    };
    const manuals: ManualRun[] = [];
    const drills: OperationRun[] = [];
    for (let i = 0; i < settings.runs; i++) {
      manuals.push(await manual(env, payloadFile));
      drills.push(await lifeboatDrill(store, name, evidenceDir));
    }
    const by = (pick: (m: ManualRun) => number) => median(manuals.map(pick));
    const manualTotal = by((m) => m.total);
    const drillWall = median(drills.map((d) => d.wallSeconds));
    const drillOp = median(drills.map((d) => d.seconds));
    const drill = drills.at(-1)!;
    const record = drill.data as { verdict?: string; phases?: DrillPhase[]; checks?: { ok: boolean }[]; versions?: Record<string, string> };
    const phase = (p: string) => {
      const ms = record.phases?.find((x) => x.name === p)?.durationMs;
      return ms === undefined ? '-' : seconds(ms / 1000);
    };

    const rows = [
      { steps: 'createdb DB', manual: seconds(by((m) => m.createdb)), 'Lifeboat drill': '(inside restore)', notes: 'a scratch database on the same server' },
      { steps: 'select + download (open in the store)', manual: '-', 'Lifeboat drill': `${phase('select')} + ${phase('download')}`, notes: 'a folder store is read in place, like the manual steps' },
      { steps: 'verify signature, size + SHA-256', manual: '-', 'Lifeboat drill': `${phase('authenticate')} + ${phase('verify')}`, notes: 'manifest signature before downloading; size, then SHA-256 while decryption starts (decrypt: the time beyond)' },
      { steps: payloadFile.endsWith('.zst.pgp') ? 'gpg --decrypt FILE | zstd -d > dump' : 'gpg --decrypt FILE > dump', manual: seconds(by((m) => m.decrypt)), 'Lifeboat drill': phase('decrypt'), notes: `Lifeboat: ${record.versions?.decryption ?? '?'}, integrity checked before use` },
      {
        steps: `pg_restore --jobs ${RESTORE_JOBS} --no-owner -d DB dump`,
        manual: seconds(by((m) => m.restore)),
        'Lifeboat drill': phase('restore'),
        notes: 'Lifeboat also passes --no-privileges',
      },
      { steps: 'row-count checks', manual: '-', 'Lifeboat drill': phase('checks'), notes: `${record.checks?.length ?? 0} checks, verdict ${record.verdict ?? '?'}` },
      {
        steps: 'other',
        manual: '-',
        'Lifeboat drill': seconds(drill.seconds - (record.phases ?? []).reduce((sum, p) => sum + p.durationMs / 1000, 0)),
        notes: 'loading keys, finding pg_restore, writing evidence',
      },
      {
        steps: 'total',
        manual: seconds(manualTotal),
        'Lifeboat drill': `${seconds(drillWall)} (${seconds(drillWall - drillOp)} start-up)`,
        notes: `Lifeboat peak RSS ${mib(drill.peakRssMiB * 2 ** 20)}`,
      },
    ];
    const wallRatio = drillWall / manualTotal;
    printTable(`Restore, ${variant} data, ${mib(db.bytes)} database, ${mib(Number(backup.outputs.size))} backup`, rows, [
      target('Lifeboat drill / manual steps', ratio(wallRatio), '≤ 1.00×', wallRatio <= 1),
      `Without Lifeboat's start-up (loading Node and the library, ${seconds(drillWall - drillOp)}): ${ratio(drillOp / manualTotal)}`,
      `pg_restore and gpg from ${binDir} / PATH; ${settings.runs > 1 ? `median of ${settings.runs} runs` : 'one run each'}; the drill is \`lifeboat drill\` with target-database-url on the same server, restore-jobs ${RESTORE_JOBS}.`,
    ]);
  } finally {
    await rm(store, { recursive: true, force: true });
    await rm(evidenceDir, { recursive: true, force: true });
    await server.query(`DROP DATABASE IF EXISTS ${name}`);
  }
}

describe('restore benchmark', () => {
  for (const variant of settings.variants) {
    it(`${variant} data`, () => benchmark(variant));
  }
});
