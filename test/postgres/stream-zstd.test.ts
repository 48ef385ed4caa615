/**
 * `compression: stream-zstd`: pg_dump writes no compression and Lifeboat compresses the
 * archive stream with zstd before encryption. Real PostgreSQL, gpg and zstd throughout.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, countRows, drill, drillOperation, listTables, objectSource, resolveOptions, restore, restoreOperation } from '@lifeboat/core';
import pg_ from 'pg';
import { breakGlass } from '../../packages/core/src/engines/postgres/break-glass.js';
import { backupOptions, filesUnder, freshFolder, onlyManifest, testContext } from '../backup/support.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { startPostgres, type PgServer } from '../services/postgres.js';
import { countMap, createSample, machineClientBinDir, SAMPLE_ROWS } from './sample.js';

const run = promisify(execFile);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let pg: PgServer;
let gpg: GpgHome;
const folders: string[] = [];
const homes: GpgHome[] = [];

beforeAll(async () => {
  // Unprotected, so the by-hand steps decrypt without asking.
  [pg, gpg] = await Promise.all([startPostgres(), createGpgHome({ passphrase: '' })]);
  await createSample(pg, 'app');
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), gpg?.cleanup(), ...homes.map((h) => h.cleanup())]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function store(): string {
  const folder = freshFolder();
  folders.push(folder);
  return folder;
}

async function zstdBackup(folder: string, extra: Record<string, string> = {}) {
  const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, compression: 'stream-zstd:1', ...extra }), testContext());
  expect(outcome.failure).toBeUndefined();
  return onlyManifest(folder, 'app');
}

const drillOptions = (folder: string, extra: Record<string, string> = {}) =>
  resolveOptions(
    drillOperation,
    objectSource({ store: folder, identity: gpg.secretKeyArmored, 'target-database-url': pg.url('postgres'), 'allow-unsigned': 'true', 'evidence-dir': join(folder, '.evidence'), ...extra }),
  );

describe('compression: stream-zstd', () => {
  it('stores the archive in a zstd frame (db.pgdump.zst.pgp), records it in the manifest, and the drill passes with every row count', async () => {
    const folder = store();
    const { manifest, dir } = await zstdBackup(folder);
    expect(manifest.source).toMatchObject({ kind: 'postgres', compression: 'stream-zstd:1', streamCompression: 'zstd', dumpFormat: 'custom' });
    expect(readdirSync(dir)).toContain('db.pgdump.zst.pgp');

    // Decrypted by hand, the payload is a standard zstd frame (magic 28 b5 2f fd).
    const plain = await gpg.gpg(['--decrypt', join(dir, 'db.pgdump.zst.pgp')]);
    expect(plain.code).toBe(0);
    expect(plain.stdout.subarray(0, 4).toString('hex')).toBe('28b52ffd');

    const context = testContext();
    const outcome = await drill(drillOptions(folder), context);
    expect(outcome.outputs).toMatchObject({ verdict: 'pass', 'checks-failed': 0 });
    for (const table of Object.keys(SAMPLE_ROWS)) expect(context.reporter.text()).toContain(table.split('.').at(-1)!);
  });

  it('restores into an empty database with the row counts of the source', async () => {
    const folder = store();
    await zstdBackup(folder);
    await pg.createDatabase('app_zstd_restored');
    const outcome = await restore(resolveOptions(restoreOperation, objectSource({ store: folder, identity: gpg.secretKeyArmored, 'allow-unsigned': 'true', 'target-database-url': pg.url('app_zstd_restored') })), testContext());
    expect(outcome.failure).toBeUndefined();
    const url = pg.url('app_zstd_restored');
    expect(countMap(await countRows(url, await listTables(url)))).toMatchObject(SAMPLE_ROWS);
  });

  it('fails the drill when the frame inside the encryption is damaged: the plaintext checksum names it before zstd runs', async () => {
    const folder = store();
    const { dir } = await zstdBackup(folder);
    const payload = join(dir, 'db.pgdump.zst.pgp');
    const plain = (await gpg.gpg(['--decrypt', payload])).stdout;
    // Damage the compressed bytes, encrypt again and fix the stored size and checksum.
    for (let i = 64; i < Math.min(plain.length, 4096); i += 7) plain[i]! ^= 0x5a;
    const encrypted = await gpg.gpg(['--trust-model', 'always', '--encrypt', '-r', gpg.fingerprint, '-z', '0'], plain);
    expect(encrypted.code).toBe(0);
    writeFileSync(payload, encrypted.stdout);
    const parsed = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { objects: { role: string; size: number; sha256: string }[] };
    const entry = parsed.objects.find((o) => o.role === 'payload')!;
    entry.size = encrypted.stdout.length;
    entry.sha256 = sha256(encrypted.stdout);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(parsed, null, 2));

    const context = testContext();
    const outcome = await drill(drillOptions(folder), context);
    expect(outcome.outputs).toMatchObject({ verdict: 'fail' });
    expect(context.reporter.text()).toMatch(/decrypted payload's SHA-256 [0-9a-f]+ differs/);
  });

  it('leaves no manifest and no stored objects when pg_dump fails under the zstd stage', async () => {
    const folder = store();
    // Another session holds a table: pg_dump cannot lock it and exits non-zero.
    const locker = new pg_.Client({ connectionString: pg.url('app') });
    await locker.connect();
    let failure: string | undefined;
    try {
      await locker.query('BEGIN; LOCK TABLE app.customers IN ACCESS EXCLUSIVE MODE');
      failure = await backup(
        backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, compression: 'stream-zstd', counts: 'off', 'pg-dump-args': '--lock-wait-timeout=100ms' }),
        testContext(),
      ).then(
        (o) => o.failure,
        (e: unknown) => String(e),
      );
    } finally {
      await locker.end();
    }
    expect(failure).toMatch(/pg_dump/);
    expect(filesUnder(folder).filter((f) => f.endsWith('manifest.json'))).toEqual([]);
    expect(filesUnder(folder).filter((f) => f.includes('db.pgdump'))).toEqual([]);
  });

  it('compresses with Node\'s zstd when the zstd program is not on PATH, and the drill, without it too, passes', async () => {
    const folder = store();
    // PATH holds the PostgreSQL client programs and nothing else: no zstd program.
    const outcome = await backup(
      backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, compression: 'stream-zstd:1' }),
      testContext({ PATH: machineClientBinDir() }),
    );
    expect(outcome.failure).toBeUndefined();
    const { dir } = onlyManifest(folder, 'app');
    const plain = await gpg.gpg(['--decrypt', join(dir, 'db.pgdump.zst.pgp')]);
    expect(plain.stdout.subarray(0, 4).toString('hex')).toBe('28b52ffd');
    // The frame carries a content checksum (Content_Checksum_flag, bit 2 of the frame header's descriptor), as the program's do.
    expect(plain.stdout[4]! & 0x04).toBe(0x04);
    const context = testContext({ PATH: machineClientBinDir() });
    const drilled = await drill(drillOptions(folder), context);
    expect(drilled.outputs).toMatchObject({ verdict: 'pass', 'checks-failed': 0 });
    expect(context.reporter.text()).toContain("decompressing with Node's zstd as it goes");
  });

  it('names zstd, stores nothing and stops pg_dump when the zstd program fails mid-stream (a stand-in zstd)', async () => {
    const folder = store();
    // A stand-in for the zstd program: answers --version, then reads 64 KiB of the archive and fails as a full disk would.
    const bin = freshFolder('lifeboat-zstd-');
    folders.push(bin);
    writeFileSync(
      join(bin, 'zstd'),
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "*** Zstandard CLI (stand-in)"; exit 0; fi\n/usr/bin/head -c 65536 > /dev/null\necho "zstd: error 70 : Write error : cannot write block : No space left on device" >&2\nexit 70\n',
      { mode: 0o755 },
    );
    const started = Date.now();
    const outcome = await backup(
      backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, compression: 'stream-zstd:1' }),
      testContext({ PATH: `${bin}:${process.env.PATH}` }),
    );
    expect(outcome.failure).toMatch(/Compressing the dump failed: zstd exited with 70: .*No space left on device/);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(filesUnder(folder).filter((f) => f.endsWith('manifest.json'))).toEqual([]);
    expect(filesUnder(folder).filter((f) => f.includes('db.pgdump'))).toEqual([]);
  });

  it('is refused before any data is read with format: directory', async () => {
    const folder = store();
    const failure = await backup(backupOptions({ 'database-url': pg.url('app'), store: folder, recipients: gpg.publicKeyArmored, compression: 'stream-zstd', format: 'directory' }), testContext()).then(
      (o) => o.failure,
      (e: unknown) => String(e),
    );
    expect(failure).toMatch(/stream-zstd` works with `format: custom`/);
    expect(filesUnder(folder)).toEqual([]);
  });

  it('restores by hand with the generated steps, verbatim: gpg --decrypt | zstd -d, then pg_restore', async () => {
    const folder = store();
    const { manifest } = await zstdBackup(folder);
    const generated = /```sh\n([\s\S]*?)```/.exec(breakGlass(manifest.source))![1]!;
    expect(generated).toContain('gpg --decrypt db.pgdump.zst.pgp | zstd -d -q -o db.pgdump');
    await pg.createDatabase('app_zstd_by_hand');
    const work = freshFolder('lifeboat-zstd-desk-');
    folders.push(work);
    writeFileSync(join(work, 'identity.asc'), gpg.secretKeyArmored);
    const home = await createGpgHome({ generateKey: false });
    homes.push(home);
    // An unsigned backup: the signature step is left out, everything else runs as written.
    let script = generated.replace(/^.*manifest\.json\.sig.*$/gm, '').replace('"$SIGNING_PUBLIC_KEY" ', '');
    script = script.replaceAll('aws s3 cp ${ENDPOINT:+--endpoint-url "$ENDPOINT"}', 'cp');
    for (const [name, value] of Object.entries({ STORE: folder, NAME: 'app', ID: manifest.id, TARGET: pg.url('app_zstd_by_hand'), IDENTITY: 'identity.asc' })) {
      script = script.replace(new RegExp(`^${name}=\\S*`, 'm'), `${name}='${value}'`);
    }
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, env: { ...process.env, GNUPGHOME: home.home, PATH: `${machineClientBinDir()}:${process.env.PATH}` } });
    expect(result.stdout).toContain('db.pgdump.zst.pgp: OK');
    const url = pg.url('app_zstd_by_hand');
    expect(countMap(await countRows(url, await listTables(url)))).toMatchObject(SAMPLE_ROWS);
  });
});
