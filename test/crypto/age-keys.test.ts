import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  describeEncryption,
  loadDecryptionKeys,
  NoEncryptionKeyError,
  prepareEncryption,
  PrivateKeyError,
  PublicKeyError,
} from '../../packages/core/src/crypto/index.js';
import { OptionError } from '../../packages/core/src/report/errors.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { redact } from '../../packages/core/src/report/secrets.js';
import { ageKeygen } from '../services/age.js';
import { caught, makeKey, tempDir } from './fixtures.js';

/** How `recipients` and `identity` take age keys, and which combinations are refused before any data is read. */
describe('age keys in options', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const alice = ageKeygen();
  const bob = ageKeygen();
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('lb-age-keys-'));
    await writeFile(join(dir, 'recipients.txt'), `# operators\n${alice.recipient}\n\n${bob.recipient}\n`);
    await writeFile(join(dir, 'alice.key.txt'), alice.keyFile, { mode: 0o600 });
  });
  afterAll(() => cleanup());

  test('recipients from a recipients file and inline lines; the manifest lists them, duplicates once', async () => {
    const reporter = new MemoryReporter();
    const plan = await prepareEncryption({ encryption: 'auto', recipients: `# the operators\nrecipients.txt\n\n# and alice again\n${alice.recipient}\n` }, reporter, { cwd: dir });
    expect(plan.scheme).toBe('age');
    expect(describeEncryption(plan)).toEqual({ scheme: 'age', recipients: [], ageRecipients: [alice.recipient, bob.recipient], passphrase: false });
    expect(reporter.lines.map((l) => l.message).join('\n')).toContain(`Encrypting with age to ${alice.recipient}, ${bob.recipient}`);
  });

  test('a passphrase with encryption: age is age\'s scrypt recipient; recorded without the secret', async () => {
    const plan = await prepareEncryption({ encryption: 'age', passphrase: 'a long passphrase for age backups' }, new MemoryReporter());
    expect(describeEncryption(plan)).toEqual({ scheme: 'age', recipients: [], ageRecipients: [], passphrase: true });
  });

  test('refused: mixed schemes, age with a passphrase, a malformed recipient, a secret key as recipient', async () => {
    const openpgp = await makeKey({ name: 'Carol' });
    const mixed = await caught(prepareEncryption({ encryption: 'auto', recipients: `${alice.recipient}\n${openpgp.publicKey}` }, new MemoryReporter()));
    expect(mixed).toBeInstanceOf(OptionError);
    expect(mixed.message).toContain('both age recipients');
    const withPassphrase = await caught(prepareEncryption({ encryption: 'auto', recipients: alice.recipient, passphrase: 'a long passphrase for age backups' }, new MemoryReporter()));
    expect(withPassphrase.message).toContain('recipients and a passphrase');
    const wrongScheme = await caught(prepareEncryption({ encryption: 'openpgp', recipients: alice.recipient }, new MemoryReporter()));
    expect(wrongScheme.message).toContain('`encryption` is `openpgp`');
    const pgpAsAge = await caught(prepareEncryption({ encryption: 'age', recipients: openpgp.publicKey }, new MemoryReporter()));
    expect(pgpAsAge.message).toContain('`encryption` is `age`');
    const malformed = await caught(prepareEncryption({ encryption: 'auto', recipients: changedLast(alice.recipient) }, new MemoryReporter()));
    expect(malformed).toBeInstanceOf(PublicKeyError);
    expect(malformed.message).toContain('recipients line 1');
    const secret = await caught(prepareEncryption({ encryption: 'auto', recipients: alice.identity }, new MemoryReporter()));
    expect(secret).toBeInstanceOf(PublicKeyError);
    expect(secret.message).not.toContain(alice.identity);
    expect(redact(`leaked ${alice.identity}`)).not.toContain(alice.identity);
    expect(await caught(prepareEncryption({ encryption: 'age' }, new MemoryReporter()))).toBeInstanceOf(NoEncryptionKeyError);
  });

  test('identity: an age-keygen key file, inline lines, and OpenPGP keys beside them', async () => {
    const openpgp = await makeKey({ name: 'Dave' });
    const keys = await loadDecryptionKeys({ identity: `alice.key.txt\n${bob.identity}\n${openpgp.privateKey}` }, { cwd: dir });
    expect(keys.ageIdentities!.map((i) => i.recipient)).toEqual([alice.recipient, bob.recipient]);
    expect(keys.identities.map((i) => i.fingerprint)).toEqual([openpgp.fingerprint.toLowerCase()]);
    expect(redact(`leaked ${bob.identity}`)).not.toContain(bob.identity);

    const recipientAsIdentity = await caught(loadDecryptionKeys({ identity: alice.recipient }));
    expect(recipientAsIdentity).toBeInstanceOf(PrivateKeyError);
    expect(recipientAsIdentity.message).toContain('age recipient');
    const broken = await caught(loadDecryptionKeys({ identity: changedLast(bob.identity) }));
    expect(broken).toBeInstanceOf(PrivateKeyError);
    expect(broken.message).not.toContain(bob.identity.slice(20));
  });
});

/** The text with its last character (part of the Bech32 checksum) changed. */
function changedLast(text: string): string {
  const last = text.slice(-1);
  const other = last === 'q' || last === 'Q' ? (last === 'q' ? 'p' : 'P') : last === last.toUpperCase() ? 'Q' : 'q';
  return text.slice(0, -1) + other;
}
