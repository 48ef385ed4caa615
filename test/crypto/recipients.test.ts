import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  describeEncryption,
  loadRecipients,
  NoEncryptionKeyError,
  PassphraseError,
  prepareEncryption,
  PublicKeyError,
} from '../../packages/core/src/crypto/index.js';
import { encryptionSchema } from '../../packages/core/src/catalog/manifest.js';
import { OptionError } from '../../packages/core/src/report/errors.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { caught, dearmor, makeKey, revoked, secretLines, tempDir, type TestKey } from './fixtures.js';

const DAY = 86_400;

describe('loadRecipients', () => {
  let alice: TestKey;
  let bob: TestKey;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([makeKey({ name: 'Alice' }), makeKey({ name: 'Bob', type: 'rsa' })]);
    ({ dir, cleanup } = await tempDir());
  });
  afterAll(() => cleanup());

  test('reads armored blocks inline and key files (armored and binary), relative to cwd', async () => {
    await mkdir(join(dir, 'keys'), { recursive: true });
    await writeFile(join(dir, 'keys', 'bob.asc'), bob.publicKey);
    await writeFile(join(dir, 'keys', 'bob.gpg'), await dearmor(bob.publicKey));
    const text = `# operators\n${alice.publicKey}\nkeys/bob.asc\n`;
    const recipients = await loadRecipients(text, { cwd: dir });
    expect(recipients.map((r) => r.fingerprint)).toEqual([alice.fingerprint, bob.fingerprint]);
    expect(recipients[0]!.userIds).toEqual(['Alice <alice@example.org>']);
    expect(recipients[0]!.algorithm).toBe('ed25519');
    expect(recipients[0]!.encryptionAlgorithm).toBe('cv25519');
    expect(recipients[0]!.encryptionKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(recipients[0]!.expires).toBeUndefined();
    expect(recipients[1]!.algorithm).toBe('rsa2048');
    expect(recipients[1]!.where).toContain('keys/bob.asc');

    const binary = await loadRecipients(join(dir, 'keys', 'bob.gpg'));
    expect(binary.map((r) => r.fingerprint)).toEqual([bob.fingerprint]);
  });

  test('the same key given twice is used once', async () => {
    const recipients = await loadRecipients(`${alice.publicKey}\n${alice.publicKey}`);
    expect(recipients).toHaveLength(1);
  });

  test('a file holding several armored keys yields each', async () => {
    await writeFile(join(dir, 'team.asc'), `${alice.publicKey}\n${bob.publicKey}`);
    const recipients = await loadRecipients('team.asc', { cwd: dir });
    expect(recipients.map((r) => r.fingerprint).sort()).toEqual([alice.fingerprint, bob.fingerprint].sort());
  });

  test('refuses unparseable text, naming where it was', async () => {
    const broken = alice.publicKey.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!notbase64!!!!!!!');
    const error = await caught(loadRecipients(`${bob.publicKey}\n${broken}`));
    expect(error).toBeInstanceOf(PublicKeyError);
    expect((error as PublicKeyError).problem).toBe('unreadable');
    expect(error.message).toMatch(/recipients lines \d+-\d+/);
    expect(error.fix).toContain('gpg --armor --export');
  });

  test('refuses an armored block without END line', async () => {
    const cut = alice.publicKey.split('\n').slice(0, 5).join('\n');
    const error = await caught(loadRecipients(cut));
    expect((error as PublicKeyError).problem).toBe('unreadable');
    expect(error.message).toContain('recipients line 1');
    expect(error.message).toContain('no END line');
  });

  test('refuses a missing key file, and says fingerprints are not looked up', async () => {
    const error = await caught(loadRecipients(`${alice.publicKey}\nops/missing.asc`, { cwd: dir }));
    expect((error as PublicKeyError).problem).toBe('missing-file');
    expect(error.message).toContain("'ops/missing.asc' is no such file");
    expect(error.message).toMatch(/recipients line \d+/);
    const fingerprint = await caught(loadRecipients(alice.fingerprint));
    expect(fingerprint.message).toContain('fingerprints and e-mail addresses are not looked up');
  });

  test('refuses an expired key, naming its fingerprint and user id', async () => {
    const expired = await makeKey({ name: 'Old', ageDays: 10, expiresIn: 2 * DAY });
    const error = await caught(loadRecipients(expired.publicKey));
    expect((error as PublicKeyError).problem).toBe('expired');
    expect(error.message).toContain(expired.fingerprint);
    expect(error.message).toContain('Old <old@example.org>');
    expect(error.message).toMatch(/expired on \d{4}-\d\d-\d\d/);
    expect(error.fix).toContain('--quick-set-expire');
  });

  test('refuses a revoked key', async () => {
    const error = await caught(loadRecipients(await revoked(alice)));
    expect((error as PublicKeyError).problem).toBe('revoked');
    expect(error.message).toContain(alice.fingerprint);
  });

  test('refuses a key without a usable encryption subkey (sign-only, or subkey expired)', async () => {
    const signOnly = await makeKey({ name: 'Signer', signOnly: true });
    const error = await caught(loadRecipients(signOnly.publicKey));
    expect((error as PublicKeyError).problem).toBe('no-encryption-subkey');
    expect(error.message).toContain('signing-only');
    expect(error.message).toContain(signOnly.fingerprint);

    const stale = await makeKey({ name: 'Stale', ageDays: 10, subkeyExpiresIn: 2 * DAY });
    const staleError = await caught(loadRecipients(stale.publicKey));
    expect((staleError as PublicKeyError).problem).toBe('no-encryption-subkey');
    expect(staleError.message).toMatch(/encryption subkey [0-9a-f]{16} expired on/);
    expect(staleError.fix).toContain('--quick-add-key');
  });

  test('refuses RFC 9580 keys GnuPG 2.2 cannot read (v6, and v4 with X25519)', async () => {
    const v6 = await makeKey({ name: 'Six', type: 'curve25519', v6: true });
    const v6Error = await caught(loadRecipients(v6.publicKey));
    expect((v6Error as PublicKeyError).problem).toBe('unsupported-version');
    expect(v6Error.message).toContain('version 6');
    expect(v6Error.message).toContain('GnuPG 2.2');
    expect(v6Error.fix).toContain('lifeboat keygen');

    const x25519 = await makeKey({ name: 'New Curve', type: 'curve25519' });
    const x25519Error = await caught(loadRecipients(x25519.publicKey));
    expect((x25519Error as PublicKeyError).problem).toBe('unsupported-version');
    expect(x25519Error.message).toContain('ed25519');
  });

  test('refuses a weak key openpgp.js will not encrypt to', async () => {
    const weak = await makeKey({ name: 'Weak', type: 'rsa', rsaBits: 1024 });
    const error = await caught(loadRecipients(weak.publicKey));
    expect((error as PublicKeyError).problem).toBe('weak-key');
    expect(error.message).toContain('too weak');
  });

  test('refuses a private key pasted as a recipient without showing it', async () => {
    const error = await caught(loadRecipients(alice.privateKey));
    expect((error as PublicKeyError).problem).toBe('private-key');
    expect(error.fix).toContain('Paste the public key');
    const text = `${error.message} ${error.fix}`;
    for (const line of secretLines(alice.privateKey)) expect(text).not.toContain(line);

    await writeFile(join(dir, 'secret.asc'), alice.privateKey);
    const fromFile = await caught(loadRecipients('secret.asc', { cwd: dir }));
    expect((fromFile as PublicKeyError).problem).toBe('private-key');
    expect(fromFile.message).toContain('secret.asc');
  });
});

describe('prepareEncryption', () => {
  let alice: TestKey;
  let bob: TestKey;
  beforeAll(async () => {
    [alice, bob] = await Promise.all([makeKey({ name: 'Alice' }), makeKey({ name: 'Bob' })]);
  });

  test('fails closed when nothing is configured', async () => {
    const reporter = new MemoryReporter();
    const error = await caught(prepareEncryption({ encryption: 'openpgp' }, reporter));
    expect(error).toBeInstanceOf(NoEncryptionKeyError);
    expect(error.fix).toContain('encryption: none');
    const blank = await caught(prepareEncryption({ encryption: 'openpgp', recipients: '  \n', passphrase: '' }, reporter));
    expect(blank).toBeInstanceOf(NoEncryptionKeyError);
  });

  test("scheme 'none' must be explicit, is loud, and refuses keys beside it", async () => {
    const reporter = new MemoryReporter();
    const plan = await prepareEncryption({ encryption: 'none' }, reporter);
    expect(plan).toEqual({ scheme: 'none', recipients: [] });
    expect(reporter.lines.filter((l) => l.level === 'warning').map((l) => l.message).join('\n')).toContain('plaintext');
    expect(describeEncryption(plan)).toEqual({ scheme: 'none', recipients: [], passphrase: false });

    const error = await caught(prepareEncryption({ encryption: 'none', recipients: alice.publicKey }, new MemoryReporter()));
    expect(error).toBeInstanceOf(OptionError);
    expect(error.message).toContain('`recipients`');
  });

  test('several recipients and a passphrase; the manifest section holds no secret', async () => {
    const reporter = new MemoryReporter();
    const passphrase = 'correct horse battery staple 42';
    const plan = await prepareEncryption({ encryption: 'openpgp', recipients: `${alice.publicKey}\n${bob.publicKey}`, passphrase }, reporter);
    expect(plan.recipients.map((r) => r.fingerprint)).toEqual([alice.fingerprint, bob.fingerprint]);
    expect(plan.passphrase).toBe(passphrase);
    const section = describeEncryption(plan);
    expect(encryptionSchema.parse(section)).toEqual(section);
    expect(section).toEqual({
      scheme: 'openpgp',
      recipients: [
        { fingerprint: alice.fingerprint, userIds: ['Alice <alice@example.org>'] },
        { fingerprint: bob.fingerprint, userIds: ['Bob <bob@example.org>'] },
      ],
      passphrase: true,
    });
    expect(JSON.stringify(section)).not.toContain(passphrase);
    expect(reporter.text()).toContain(alice.fingerprint);
    expect(reporter.text()).not.toContain(passphrase);
    // Registered as a secret: anything reported later is redacted.
    reporter.info(`oops ${passphrase}`);
    expect(reporter.text()).not.toContain(passphrase);
  });

  test('warns about keys expiring within 30 days', async () => {
    const soon = await makeKey({ name: 'Soon', expiresIn: 10 * DAY });
    const later = await makeKey({ name: 'Later', expiresIn: 90 * DAY });
    const reporter = new MemoryReporter();
    const plan = await prepareEncryption({ encryption: 'openpgp', recipients: `${soon.publicKey}\n${later.publicKey}` }, reporter);
    expect(plan.recipients[0]!.expires).toBeInstanceOf(Date);
    const warnings = reporter.lines.filter((l) => l.level === 'warning').map((l) => l.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(soon.fingerprint);
    expect(warnings[0]).toMatch(/in (9|10) days/);
  });

  test('passphrases: trailing newline dropped, several lines refused, short ones warned about', async () => {
    const reporter = new MemoryReporter();
    const plan = await prepareEncryption({ encryption: 'openpgp', passphrase: 'a-long-enough-passphrase-here\n' }, reporter);
    expect(plan.passphrase).toBe('a-long-enough-passphrase-here');
    expect(reporter.lines.some((l) => l.level === 'warning')).toBe(false);

    const error = await caught(prepareEncryption({ encryption: 'openpgp', passphrase: 'line one\nline two' }, reporter));
    expect(error).toBeInstanceOf(PassphraseError);
    expect(error.message).not.toContain('line one');

    const shortReporter = new MemoryReporter();
    await prepareEncryption({ encryption: 'openpgp', passphrase: 'short1' }, shortReporter);
    expect(shortReporter.lines.filter((l) => l.level === 'warning')).toHaveLength(1);
  });

  test('a refused recipient stops the run before anything else', async () => {
    const error = await caught(prepareEncryption({ encryption: 'openpgp', recipients: `${alice.publicKey}\nnope.asc`, passphrase: 'a-long-enough-passphrase-here' }, new MemoryReporter()));
    expect(error).toBeInstanceOf(PublicKeyError);
  });
});
