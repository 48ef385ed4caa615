import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decryptToFile, loadDecryptionKeys, prepareEncryption, WrongKeyError } from '../../packages/core/src/crypto/index.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { caught, chunked, tempDir, testBytes } from './fixtures.js';

/** During a key rotation `identity` holds the old key and the new one: backups made to either must open. */
describe('identity holding the old and the new key', () => {
  let oldKey: GpgHome;
  let newKey: GpgHome;
  let dir: string;
  let cleanup: () => Promise<void>;
  const data = testBytes(300 * 1024 + 5, 3);
  const sha = createHash('sha256').update(data).digest('hex');

  beforeAll(async () => {
    [oldKey, newKey] = await Promise.all([
      createGpgHome({ name: 'Old', email: 'old@example.org', passphrase: '' }),
      createGpgHome({ name: 'New', email: 'new@example.org', passphrase: '' }),
    ]);
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, 'plain.bin'), data);
    // gpg encrypts to a key imported from the other home, as an operator's workstation would.
    await oldKey.importKey(newKey.publicKeyArmored);
    for (const [name, recipients] of [['old.pgp', [oldKey.fingerprint]], ['new.pgp', [newKey.fingerprint]]] as const) {
      const r = await oldKey.gpg(['--trust-model', 'always', '--output', join(dir, name), ...recipients.flatMap((f) => ['-r', f]), '--encrypt', join(dir, 'plain.bin')]);
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await oldKey.cleanup();
    await newKey.cleanup();
    await cleanup();
  });

  test.for(['openpgp', 'gpg'] as const)('a backup to the old key and one to the new key both decrypt (decrypting with %s)', async (engine) => {
    const keys = await loadDecryptionKeys({ identity: `${newKey.secretKeyArmored}\n${oldKey.secretKeyArmored}` });
    expect(keys.identities.map((k) => k.fingerprint.toLowerCase()).sort()).toEqual([oldKey.fingerprint, newKey.fingerprint].map((f) => f.toLowerCase()).sort());
    for (const name of ['old.pgp', 'new.pgp']) {
      const out = join(dir, `${name}.${engine}.out`);
      const result = await decryptToFile(chunked(await readFile(join(dir, name))), keys, out, { engine, label: name });
      expect(result.sha256).toBe(sha);
    }
  });

  test('the new key alone cannot open a backup made to the old key, and says so', async () => {
    const keys = await loadDecryptionKeys({ identity: newKey.secretKeyArmored });
    const error = await caught(decryptToFile(chunked(await readFile(join(dir, 'old.pgp'))), keys, join(dir, 'refused.out'), { engine: 'openpgp', label: 'old.pgp' }));
    expect(error).toBeInstanceOf(WrongKeyError);
  });
});

/** A recipient made by gpg to expire in 10 days: the backup goes ahead with a warning naming the key and the fix. */
describe('a recipient key close to expiry', () => {
  test('prepareEncryption warns, once, with the date, the days left and the successor advice', async () => {
    const soon = await createGpgHome({ name: 'Soon', email: 'soon@example.org', passphrase: '', expire: '10d' });
    const distant = await createGpgHome({ name: 'Distant', email: 'distant@example.org', passphrase: '', expire: '90d' });
    try {
      const reporter = new MemoryReporter();
      const plan = await prepareEncryption({ encryption: 'openpgp', recipients: soon.publicKeyArmored }, reporter);
      expect(plan.recipients.map((r) => r.fingerprint.toLowerCase())).toEqual([soon.fingerprint.toLowerCase()]);
      const warnings = reporter.lines.filter((l) => l.level === 'warning').map((l) => l.message);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/expires on \d{4}-\d\d-\d\dT.* \(in (9|10) days\)/);
      expect(warnings[0]).toContain('add its successor now');
      // Outside the 30-day window there is nothing to warn about.
      const later = new MemoryReporter();
      await prepareEncryption({ encryption: 'openpgp', recipients: distant.publicKeyArmored }, later);
      expect(later.lines.filter((l) => l.level === 'warning')).toEqual([]);
    } finally {
      await soon.cleanup();
      await distant.cleanup();
    }
  });
});
