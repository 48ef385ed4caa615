import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Transform } from 'node:stream';
import {
  backup,
  countRows,
  DatabaseUnreachableError,
  DatabaseUrlError,
  describeError,
  listTables,
  NoEncryptionKeyError,
  openStore,
  PublicKeyError,
  S3AccessDeniedError,
  S3BucketNotFoundError,
  type Manifest,
  type Store,
} from '@lifeboat/core';
import { formatBytes } from '../../packages/core/src/options/values.js';
import { s3Error, startS3Peer } from '../storage/s3-peer.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { startS3, type S3Service } from '../services/s3.js';
import { countMap, createSample, machineClientBinDir, SAMPLE_ROWS } from '../postgres/sample.js';
import { backupOptions, filesUnder, freshFolder, onlyManifest, pgRestore, testContext } from './support.js';

let pg: PgServer;
let gpg: GpgHome;
let s3: S3Service;
const binDir = machineClientBinDir();

beforeAll(async () => {
  [pg, gpg, s3] = await Promise.all([startPostgres(), createGpgHome(), startS3()]);
  await createSample(pg, 'app');
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup(), s3?.stop()]);
});

/** gpg --decrypt of stored bytes, as an operator without Lifeboat would do it. */
async function gpgDecrypt(ciphertext: Uint8Array, out: string): Promise<void> {
  const result = await gpg.gpg(['--pinentry-mode', 'loopback', '--passphrase', gpg.passphrase, '--decrypt'], ciphertext);
  expect(result.code, result.stderr).toBe(0);
  writeFileSync(out, result.stdout);
}

/** Takes the zstd frame off a decrypted payload with the zstd program, as an operator would. */
function unzstd(from: string, to: string): void {
  execFileSync('zstd', ['-d', '-q', '-o', to, from]);
}

async function restoredCounts(database: string) {
  const url = pg.url(database);
  return countMap(await countRows(url, await listTables(url)));
}

describe('backup to a local folder', () => {
  it('stores an encrypted dump, stats and manifest that gpg and pg_restore restore without Lifeboat', async () => {
    const folder = freshFolder();
    const context = testContext();
    const outcome = await backup(
      backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored }),
      context,
    );
    expect(outcome.failure).toBeUndefined();
    expect(outcome.ok).toBe(true);

    const { manifest, dir } = onlyManifest(folder, 'app');
    expect(filesUnder(dir)).toEqual(['db.pgdump.zst.pgp', 'manifest.json', 'stats.json.pgp']);
    expect(outcome.outputs['backup-id']).toBe(manifest.id);
    expect(outcome.outputs.recipients).toBe(gpg.fingerprint);
    expect(manifest.encryption).toMatchObject({ scheme: 'openpgp', passphrase: false, recipients: [{ fingerprint: gpg.fingerprint }] });
    expect(manifest.source).toMatchObject({ kind: 'postgres', database: 'app', serverMajor: pg.major, dumpFormat: 'custom', compression: 'stream-zstd:1', streamCompression: 'zstd' });
    // Nothing content-derived in plaintext: no table name appears in the manifest.
    const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
    for (const table of Object.keys(SAMPLE_ROWS)) expect(manifestText).not.toContain(table.split('.')[1]);

    const payload = readFileSync(join(dir, 'db.pgdump.zst.pgp'));
    const entry = manifest.objects.find((o) => o.role === 'payload')!;
    expect(entry.size).toBe(payload.length);
    expect(entry.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
    expect(outcome.outputs.sha256).toBe(entry.sha256);

    await gpgDecrypt(payload, join(folder, 'db.pgdump.zst'));
    unzstd(join(folder, 'db.pgdump.zst'), join(folder, 'db.pgdump'));
    await pg.createDatabase('restored_local');
    await pgRestore(join(folder, 'db.pgdump'), pg.url('restored_local'), binDir);
    const restored = await restoredCounts('restored_local');

    await gpgDecrypt(readFileSync(join(dir, 'stats.json.pgp')), join(folder, 'stats.json'));
    const stats = JSON.parse(readFileSync(join(folder, 'stats.json'), 'utf8')) as {
      tables: { schema: string; name: string; rows: number }[];
      plaintextSha256: string;
    };
    expect(countMap(stats.tables)).toEqual(restored);
    expect(restored).toMatchObject(SAMPLE_ROWS);
    // The plaintext is what was encrypted: the zstd frame.
    expect(stats.plaintextSha256).toBe(createHash('sha256').update(readFileSync(join(folder, 'db.pgdump.zst'))).digest('hex'));
  });

  it('shows one size per backup, the bytes stored, and its summary heading before the prune table', async () => {
    const folder = freshFolder();
    const context = testContext();
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, 'keep-last': '3' }), context);
    expect(outcome.ok).toBe(true);
    const { dir } = onlyManifest(folder, 'app');
    const stored = filesUnder(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
    // The output, the summary and the log all say the same size: every object stored, manifest included (what `list` shows).
    expect(outcome.outputs.size).toBe(stored);
    expect(JSON.parse(outcome.outputs.backups as string)[0].size).toBe(stored);
    const [backupSummary, pruneSummary, ...rest] = context.reporter.summaries;
    expect(backupSummary).toMatch(/^## Lifeboat backup\n/);
    expect(backupSummary).toContain(`| ${formatBytes(stored)} |`);
    expect(pruneSummary).toMatch(/^### Prune `app`/);
    expect(pruneSummary).toContain(formatBytes(stored));
    expect(rest).toEqual([]);
    const log = context.reporter.lines.map((l) => l.message).join('\n');
    expect(log).toContain(`complete: ${formatBytes(stored)} stored in`);
    const sizes = [...log.matchAll(/\d+(?:\.\d+)? (?:B|KiB|MiB|GiB)\b/g)].map((m) => m[0]);
    expect(new Set(sizes)).toEqual(new Set([formatBytes(stored)]));
  });

  it('says loudly when encryption is none, and stores the plaintext payload', async () => {
    const folder = freshFolder();
    const context = testContext();
    const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, encryption: 'none' }), context);
    expect(outcome.ok).toBe(true);
    expect(outcome.outputs.encrypted).toBe(false);
    const { manifest, dir } = onlyManifest(folder, 'app');
    expect(manifest.encryption.scheme).toBe('none');
    expect(filesUnder(dir)).toEqual(['db.pgdump.zst', 'manifest.json', 'stats.json']);
    // A standard zstd frame around the archive, nothing else to take off.
    expect(readFileSync(join(dir, 'db.pgdump.zst')).subarray(0, 4).toString('hex')).toBe('28b52ffd');
    expect(context.reporter.lines.some((l) => l.level === 'warning' && /encryption is off.*plaintext/i.test(l.message))).toBe(true);
    expect(context.reporter.summaries.join('\n')).toContain('Unencrypted');
  });

  it('keeps two backups started in the same second apart', async () => {
    const folder = freshFolder();
    const fixed = new Date('2026-11-25T12:00:00.000Z');
    const runs = await Promise.all(
      [1, 2].map(() => {
        const context = { ...testContext(), now: () => fixed };
        return backup(backupOptions({ 'database-url': pg.url('app'), store: folder, passphrase: 'correct horse battery' }), context);
      }),
    );
    const ids = runs.map((r) => r.outputs['backup-id'] as string);
    expect(runs.every((r) => r.ok)).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids.every((id) => id.startsWith('20261125T120000Z-'))).toBe(true);
    for (const id of ids) expect(existsSync(join(folder, 'app', id, 'manifest.json'))).toBe(true);
  });
});

describe('backup to S3 (s3rver)', () => {
  it('uploads the encrypted dump that gpg and pg_restore restore with the same row counts', async () => {
    const bucket = await s3.createBucket();
    const context = testContext(s3.env);
    const outcome = await backup(
      backupOptions({
        'database-url': pg.url('app'),
        store: `s3://${bucket}/nightly`,
        's3-endpoint': s3.endpoint,
        's3-region': s3.region,
        's3-force-path-style': 'true',
        recipients: gpg.publicKeyArmored,
      }),
      context,
    );
    expect(outcome.failure).toBeUndefined();
    const id = outcome.outputs['backup-id'] as string;
    const get = async (key: string) => {
      const response = await s3.client().send(new GetObjectCommand({ Bucket: bucket, Key: `nightly/app/${id}/${key}` }));
      return Buffer.from(await response.Body!.transformToByteArray());
    };
    const manifest = JSON.parse((await get('manifest.json')).toString()) as Manifest;
    const payload = await get('db.pgdump.zst.pgp');
    expect(manifest.objects.find((o) => o.role === 'payload')?.sha256).toBe(createHash('sha256').update(payload).digest('hex'));
    const folder = freshFolder();
    await gpgDecrypt(payload, join(folder, 'db.pgdump.zst'));
    unzstd(join(folder, 'db.pgdump.zst'), join(folder, 'db.pgdump'));
    await pg.createDatabase('restored_s3');
    await pgRestore(join(folder, 'db.pgdump'), pg.url('restored_s3'), binDir);
    expect(await restoredCounts('restored_s3')).toMatchObject(SAMPLE_ROWS);
  });
});

describe('backup refuses and fails cleanly', () => {
  it('stops before connecting when no key is configured', async () => {
    const folder = freshFolder();
    // The URL points nowhere: the key error must come first, proving nothing was read.
    const options = backupOptions({ 'database-url': 'postgres://nobody:pw@127.0.0.1:1/none', store: folder });
    await expect(backup(options, testContext())).rejects.toThrow(NoEncryptionKeyError);
    expect(filesUnder(folder)).toEqual([]);
  });
});

describe('backup failures leave no backup that looks complete', () => {
  const passphrase = 'a long enough test passphrase';

  it('refuses an unusable recipient key before connecting', async () => {
    const folder = freshFolder();
    const options = backupOptions({
      'database-url': 'postgres://nobody:pw@127.0.0.1:1/none',
      store: folder,
      recipients: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n',
    });
    await expect(backup(options, testContext())).rejects.toThrow(PublicKeyError);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('names an unreachable database, without its password', async () => {
    const folder = freshFolder();
    const options = backupOptions({ 'database-url': 'postgres://app:Sup3rSecret@127.0.0.1:1/app', store: folder, passphrase });
    const error = await backup(options, testContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    expect(describeError(error)).toContain('127.0.0.1:1');
    expect(describeError(error)).not.toContain('Sup3rSecret');
    expect(filesUnder(folder)).toEqual([]);
  });

  it('refuses a database whose name cannot be a backup name, and stores nothing for it', async () => {
    await pg.createDatabase('shop floor');
    const folder = freshFolder();
    const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), databases: 'shop floor', store: folder, passphrase }), testContext());
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('The backup name `shop floor` is not usable: it must be a backup name: letters, digits');
    expect(filesUnder(folder)).toEqual([]);
  });

  it('names a malformed database URL', async () => {
    const options = backupOptions({ 'database-url': 'postgres://app:pw@[oops/app', store: freshFolder(), passphrase });
    await expect(backup(options, testContext())).rejects.toThrow(DatabaseUrlError);
  });

  it('names a missing bucket', async () => {
    const outcome = backup(
      backupOptions({
        'database-url': pg.url('app'),
        store: 's3://no-such-bucket-here/x',
        's3-endpoint': s3.endpoint,
        's3-region': s3.region,
        's3-force-path-style': 'true',
        passphrase,
      }),
      testContext(s3.env),
    );
    // Found by the store probe, before the database is read.
    await expect(outcome).rejects.toThrow(S3BucketNotFoundError);
    await expect(outcome).rejects.toThrow(/Bucket 'no-such-bucket-here' does not exist/);
  });

  it('names denied access and writes no manifest (protocol-level S3 peer that denies every request)', async () => {
    const peer = await startS3Peer(() => s3Error(403, 'AccessDenied', 'Access Denied'));
    try {
      const outcome = backup(
        backupOptions({
          'database-url': pg.url('app'),
          store: 's3://locked-bucket/x',
          's3-endpoint': peer.endpoint,
          's3-region': 'us-east-1',
          's3-force-path-style': 'true',
          passphrase,
        }),
        testContext(s3.env),
      );
      await expect(outcome).rejects.toThrow(S3AccessDeniedError);
      await expect(outcome).rejects.toThrow(/S3 refused PutObject/);
      expect(peer.requests.some((r) => r.method === 'PUT' && r.path.endsWith('manifest.json'))).toBe(false);
    } finally {
      await peer.close();
    }
  });

  it('fails, names pg_dump and removes the partial payload when pg_dump dies mid-stream', async () => {
    await pg.createDatabase('big');
    await pg.query('CREATE TABLE filler (id int, body text)', [], 'big');
    await pg.query("INSERT INTO filler SELECT g, repeat(md5(g::text), 1024) FROM generate_series(1, 2000) g", [], 'big');
    const folder = freshFolder();
    const local = await openStore({ store: folder }, testContext());
    let terminated = false;
    // A store that, once 2 MiB have arrived, terminates the backend serving pg_dump.
    const killing: Store = {
      ...local,
      kind: local.kind,
      location: local.location,
      probe: (options) => local.probe(options),
      list: (prefix) => local.list(prefix),
      head: (key) => local.head(key),
      get: (key) => local.get(key),
      delete: (keys) => local.delete(keys),
      put(key, body, options) {
        if (!key.endsWith('.pgp')) return local.put(key, body, options);
        let seen = 0;
        const watch = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length;
            if (seen > 2 * 1024 * 1024 && !terminated) {
              terminated = true;
              void pg.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'big' AND pid <> pg_backend_pid()");
            }
            callback(null, chunk);
          },
        });
        return local.put(key, body.pipe(watch), options);
      },
    };
    const context = testContext();
    const outcome = await backup(
      backupOptions({ 'database-url': pg.url('big'), store: folder, passphrase, compression: 'none', counts: 'off' }),
      context,
      { store: killing },
    );
    expect(terminated).toBe(true);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/pg_dump/);
    // The failure is printed once, by the adapter: not also as an error line of the run.
    expect(context.reporter.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(filesUnder(folder).filter((f) => f.endsWith('manifest.json'))).toEqual([]);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('removes the manifest too when its put fails after the object landed', async () => {
    const folder = freshFolder();
    const local = await openStore({ store: folder }, testContext());
    const landed: string[] = [];
    // A local store whose manifest put stores the object and then fails, like a lost response.
    const lossy: Store = {
      ...local,
      kind: local.kind,
      location: local.location,
      probe: (options) => local.probe(options),
      list: (prefix) => local.list(prefix),
      head: (key) => local.head(key),
      get: (key) => local.get(key),
      delete: (keys) => local.delete(keys),
      async put(key, body, options) {
        const result = await local.put(key, body, options);
        if (!key.endsWith('/manifest.json')) return result;
        landed.push(...filesUnder(folder));
        throw new Error('connection reset after the upload');
      },
    };
    const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, passphrase }), testContext(), { store: lossy });
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('connection reset after the upload');
    // The manifest and payload were really stored before the failure, and are gone after it.
    expect(landed.map((f) => f.split('/').at(-1)).sort()).toEqual(['db.pgdump.zst.pgp', 'manifest.json', 'stats.json.pgp']);
    expect(filesUnder(folder)).toEqual([]);
  });

  it.each([
    ['custom', 'none', ['pg_dump']],
    ['directory', 'none', ['tar']],
    // pg_dump writes into zstd's stdin directly: both programs must stop.
    ['custom', 'stream-zstd:1', ['pg_dump', 'zstd']],
  ] as const)('stops %s-format producers (compression %s) and removes the temp dump before a failed backup returns', async (format, compression, tools) => {
    const db = `abandoned_${format}_${compression === 'none' ? 'plain' : 'zstd'}`;
    await pg.createDatabase(db);
    await pg.query('CREATE TABLE filler (id int, body text)', [], db);
    // Random text, so that even compressed the payload passes 1 MiB while the producers still write.
    await pg.query("INSERT INTO filler SELECT g, (SELECT string_agg(md5(random()::text || g || s), '') FROM generate_series(1, 1024) s) FROM generate_series(1, 2000) g", [], db);
    const folder = freshFolder();
    const temp = freshFolder('lifeboat-temp-');
    const context = testContext({ RUNNER_TEMP: temp });
    const local = await openStore({ store: folder }, context);
    let running: number[] = [];
    // A local store whose payload upload breaks after 1 MiB, while the producer is still writing.
    const breaking: Store = {
      ...local,
      kind: local.kind,
      location: local.location,
      probe: (options) => local.probe(options),
      list: (prefix) => local.list(prefix),
      head: (key) => local.head(key),
      get: (key) => local.get(key),
      delete: (keys) => local.delete(keys),
      put(key, body, options) {
        if (!key.endsWith('.pgp')) return local.put(key, body, options);
        let seen = 0;
        const watch = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length;
            if (seen <= 1024 * 1024) return callback(null, chunk);
            if (running.length === 0) running = tools.flatMap((tool) => childProcesses(tool));
            callback(new Error('store connection lost'));
          },
        });
        return local.put(key, body.pipe(watch), options);
      },
    };
    const outcome = await backup(
      backupOptions({ 'database-url': pg.url(db), store: folder, passphrase, compression, format }),
      context,
      { store: breaking },
    );
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('store connection lost');
    // Every producer was caught mid-stream, and is gone (exited and reaped) once the run returned.
    expect(running.length).toBe(tools.length);
    for (const pid of running) expect(isAlive(pid), `producer ${pid} still running`).toBe(false);
    expect(readdirSync(temp)).toEqual([]);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('does not start when the run was cancelled before the backup began', async () => {
    const folder = freshFolder();
    const context = { ...testContext(), signal: AbortSignal.abort(new Error('cancelled by the operator')) };
    await expect(backup(backupOptions({ 'database-url': pg.url('app'), store: folder, passphrase }), context)).rejects.toThrow('cancelled by the operator');
    expect(filesUnder(folder)).toEqual([]);
  });
});

/** Child processes of this process with the given program name (Linux /proc). */
function childProcesses(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (stat?.[1] === name && Number(stat[2]) === process.pid) pids.push(Number(entry));
    } catch {
      // The process ended while being listed.
    }
  }
  return pids;
}

/** True while `pid` exists (a child that exited but was not yet reaped still counts). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
