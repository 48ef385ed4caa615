/**
 * age end to end with real PostgreSQL, the real `age` CLI and real pg_restore: a backup to
 * age recipients, drills of it (and of a payload the age CLI encrypted), key rotation, and
 * the age break-glass lines of docs/break-glass.md run verbatim.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup, countRows, drill, drillOperation, generateKeyPair, listTables, objectSource, resolveOptions, signDetached } from '@lifeboat/core';
import { backupOptions, freshFolder as newFolder, onlyManifest, testContext } from './backup/support.js';
import { countMap, createSample, machineClientBinDir, SAMPLE_ROWS } from './postgres/sample.js';
import { age, ageKeygen } from './services/age.js';
import { createGpgHome, type GpgHome } from './services/gpg.js';
import { startPostgres, type PgServer } from './services/postgres.js';
import { startS3, type S3Service } from './services/s3.js';
import { repoRoot } from './support/node24.js';

const run = promisify(execFile);
const folders: string[] = [];

/** A fresh folder, removed after the tests. */
function freshFolder(prefix?: string): string {
  const folder = newFolder(prefix);
  folders.push(folder);
  return folder;
}

let pg: PgServer;
let s3: S3Service;
let operator: GpgHome; // the operator's keyring, holding the signing public key for the break-glass lines
let signing: Awaited<ReturnType<typeof generateKeyPair>>;
const alice = ageKeygen();
const bob = ageKeygen();

beforeAll(async () => {
  [pg, s3, operator, signing] = await Promise.all([
    startPostgres(),
    startS3(),
    createGpgHome({ generateKey: false }),
    generateKeyPair({ name: 'age backup signing', purpose: 'sign' }),
  ]);
  await operator.importKey(signing.publicKey);
  await createSample(pg, 'app');
});
afterAll(async () => {
  await Promise.allSettled([pg?.stop(), s3?.stop(), operator?.cleanup()]);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

async function ageBackup(store: string, recipients: string, extra: Record<string, string> = {}) {
  const outcome = await backup(backupOptions({ 'database-url': pg.url('app'), store, recipients, 'signing-key': signing.privateKey, ...extra }), testContext(extra.s3 ? s3.env : {}));
  expect(outcome.failure).toBeUndefined();
  return outcome.outputs['backup-id'] as string;
}

function drillOptions(folder: string, identity: string, extra: Record<string, string> = {}) {
  return resolveOptions(
    drillOperation,
    objectSource({
      store: folder,
      identity,
      'signing-public-key': signing.publicKey,
      'target-database-url': pg.url('postgres'),
      'evidence-dir': join(folder, '.evidence'),
      ...extra,
    }),
  );
}

describe('age backups of PostgreSQL', () => {
  it('back up to age recipients, drill with an age identity file, and age -d reads them', async () => {
    const folder = freshFolder();
    const keyPath = join(folder, 'alice.key.txt');
    writeFileSync(keyPath, alice.keyFile, { mode: 0o600 });
    const id = await ageBackup(folder, `${alice.recipient}\n${bob.recipient}`);
    const { manifest, dir } = onlyManifest(folder, 'app');
    expect(manifest.id).toBe(id);
    expect(manifest.encryption).toMatchObject({ scheme: 'age', recipients: [], ageRecipients: [alice.recipient, bob.recipient], passphrase: false });
    expect(manifest.objects.map((o) => o.file)).toEqual(['db.pgdump.zst.age', 'stats.json.age']);
    // The age CLI reads both objects.
    const stats = JSON.parse(age(['-d', '-i', keyPath, join(dir, 'stats.json.age')]).toString('utf8')) as { plaintextSha256: string };
    expect(createHash('sha256').update(age(['-d', '-i', keyPath, join(dir, 'db.pgdump.zst.age')])).digest('hex')).toBe(stats.plaintextSha256);

    const outcome = await drill(drillOptions(folder, keyPath), testContext());
    expect(outcome.failure).toBeUndefined();
    expect(outcome.outputs).toMatchObject({ 'backup-id': id, verdict: 'pass' });

    // Bob's identity, inline, opens it too; a stranger's does not, and says whose it is.
    expect((await drill(drillOptions(folder, bob.identity), testContext())).outputs).toMatchObject({ verdict: 'pass' });
    const stranger = ageKeygen();
    const refused = await drill(drillOptions(folder, stranger.identity), testContext());
    expect(refused.ok).toBe(false);
    expect(refused.failure ?? '').toContain(stranger.recipient);
    expect(refused.failure ?? '').toContain('db.pgdump.zst.age');
    expect(JSON.stringify(refused)).not.toContain(stranger.identity);
  });

  it('drills a payload the age CLI encrypted, and keeps old and new identities side by side after a rotation', async () => {
    const folder = freshFolder();
    const oldKey = ageKeygen();
    await ageBackup(folder, oldKey.recipient);
    const { manifest, dir } = onlyManifest(folder, 'app');
    // Re-encrypt both objects with the age CLI to the new key, and sign the updated manifest as the backup job would.
    for (const object of manifest.objects) {
      const path = join(dir, object.file);
      const plain = join(folder, `${object.file}.plain`);
      writeFileSync(plain, age(['-d', '-i', '-', path], Buffer.from(oldKey.keyFile)));
      age(['-r', alice.recipient, '-o', `${path}.new`, plain]);
      const bytes = readFileSync(`${path}.new`);
      writeFileSync(path, bytes);
      object.size = bytes.length;
      object.sha256 = createHash('sha256').update(bytes).digest('hex');
    }
    manifest.encryption.ageRecipients = [alice.recipient];
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(join(dir, 'manifest.json'), text);
    writeFileSync(join(dir, 'manifest.json.sig'), (await signDetached(Buffer.from(text), { signingKey: signing.privateKey })).signature);

    const withOld = await drill(drillOptions(folder, oldKey.identity), testContext());
    expect(withOld.ok).toBe(false);
    const both = await drill(drillOptions(folder, `${oldKey.identity}\n${alice.identity}`), testContext());
    expect(both.failure).toBeUndefined();
    expect(both.outputs).toMatchObject({ verdict: 'pass' });
  });

  it('runs the age break-glass lines of docs/break-glass.md verbatim against S3', async () => {
    const bucket = await s3.createBucket();
    const store = `s3://${bucket}/lifeboat`;
    const outcome = await backup(
      backupOptions({
        'database-url': pg.url('app'),
        store,
        's3-endpoint': s3.endpoint,
        's3-region': s3.region,
        's3-force-path-style': 'true',
        recipients: alice.recipient,
        'signing-key': signing.privateKey,
      }),
      testContext(s3.env),
    );
    expect(outcome.failure).toBeUndefined();
    await pg.createDatabase('restored_age');
    const readme = readFileSync(join(repoRoot, 'docs', 'break-glass.md'), 'utf8');
    const block = /<!-- break-glass-age -->\n```sh\n([\s\S]*?)```\n<!-- \/break-glass-age -->/.exec(readme)?.[1];
    if (!block) throw new Error('docs/break-glass.md has no age break-glass block');
    let script = block;
    for (const [name, value] of Object.entries({ STORE: store, NAME: 'app', ID: outcome.outputs['backup-id'] as string, TARGET: pg.url('restored_age') })) {
      const pattern = new RegExp(`^${name}=\\S*`, 'm');
      expect(script).toMatch(pattern);
      script = script.replace(pattern, `${name}='${value}'`);
    }
    const work = freshFolder('lifeboat-break-glass-age-');
    writeFileSync(join(work, 'key.txt'), alice.keyFile, { mode: 0o600 });
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: work,
      env: { ...process.env, ...s3.env, GNUPGHOME: operator.home, PATH: `${machineClientBinDir()}:${process.env.PATH}` },
    });
    expect(result.stderr).toContain('Good signature from "age backup signing');
    expect(result.stdout).toContain('db.pgdump.zst.age: OK');
    const url = pg.url('restored_age');
    expect(countMap(await countRows(url, await listTables(url)))).toMatchObject(SAMPLE_ROWS);
  });
});
