import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decryptSessionKeys, readMessage } from 'openpgp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  decryptBytes,
  decryptFileToFile,
  decryptToFile,
  encryptStream,
  IntegrityError,
  loadDecryptionKeys,
  prepareEncryption,
  TruncatedMessageError,
  WrongPassphraseError,
  type EncryptionPlan,
} from '../../packages/core/src/crypto/index.js';
import { gpgPlaintext, GpgDecryptionFailure } from '../../packages/core/src/crypto/gpg-decrypt.js';
import { findGpg } from '../../packages/core/src/crypto/gpg-binary.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { createGpgHome, type GpgHome } from '../services/gpg.js';
import { caught, chunked, collect, makeKey, secretLines, tempDir, testBytes, type TestKey } from './fixtures.js';

const PASSPHRASE = 'gpg decryption passphrase, long enough';
const ENGINES = ['openpgp', 'gpg'] as const;

/** The real gpg, with a wrapper in front on PATH that records how it is started (argv, its home's mode) and then runs it. */
function observedGpg(dir: string): { path: string; log: string } {
  const real = execFileSync('sh', ['-c', 'command -v gpg']).toString().trim();
  const bin = join(dir, 'observed-bin');
  const log = join(dir, 'gpg-calls.log');
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(
    join(bin, 'gpg'),
    `#!/bin/sh\n{ printf 'ARGV %s\\n' "$*"; [ -n "$GNUPGHOME" ] && printf 'HOME %s %s\\n' "$GNUPGHOME" "$(stat -c %a "$GNUPGHOME")"; env | sed 's/^/ENV /'; } >> '${log}'\nexec '${real}' "$@"\n`,
  );
  chmodSync(join(bin, 'gpg'), 0o755);
  return { path: `${bin}:${process.env.PATH ?? ''}`, log };
}

/** Every running process's command line, to look for a gpg-agent left behind. */
function commandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      lines.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}

describe('decrypting with the gpg binary', () => {
  let alice: TestKey;
  let dir: string;
  let cleanup: () => Promise<void>;
  let plan: EncryptionPlan;
  let gpgHome: GpgHome;
  const data = testBytes(2 * 1024 * 1024 + 5, 11);
  const sha = createHash('sha256').update(data).digest('hex');
  let ciphertext: Buffer;

  beforeAll(async () => {
    [alice, gpgHome] = await Promise.all([makeKey({ name: 'Alice', passphrase: 'alice key passphrase' }), createGpgHome({ generateKey: false })]);
    ({ dir, cleanup } = await tempDir());
    plan = await prepareEncryption({ encryption: 'openpgp', recipients: alice.publicKey, passphrase: PASSPHRASE }, new MemoryReporter());
    ciphertext = await collect(encryptStream(plan, chunked(data)));
  });
  afterAll(async () => {
    await gpgHome?.cleanup();
    await cleanup();
  });

  const aliceKeys = () => loadDecryptionKeys({ identity: alice.privateKey, identityPassphrase: alice.passphrase });

  test('gpg decrypts Lifeboat messages; it never sees the key, the passphrase or the session key on argv, and leaves no home or agent behind', async () => {
    const { path, log } = observedGpg(dir);
    const sessionKey = await decryptSessionKeys({ message: await readMessage({ binaryMessage: ciphertext }), passwords: [PASSPHRASE] });
    const sessionHex = Buffer.from(sessionKey[0]!.data).toString('hex');
    for (const keys of [await aliceKeys(), await loadDecryptionKeys({ passphrase: PASSPHRASE })]) {
      const used: string[] = [];
      const out = join(dir, 'observed.out');
      const result = await decryptToFile(chunked(ciphertext), keys, out, { env: { PATH: path }, onEngine: (engine, detail) => used.push(`${engine} ${detail}`) });
      expect(result).toEqual({ bytes: data.length, sha256: sha });
      expect(statSync(out).mode & 0o777).toBe(0o600);
      rmSync(out);
      expect(used).toHaveLength(1);
      expect(used[0]).toMatch(/^gpg GnuPG \d+\.\d+/);
      expect(used[0]).toContain(join(dir, 'observed-bin', 'gpg'));
    }
    const calls = await readFile(log, 'utf8');
    const decryptions = calls.split('\n').filter((l) => l.startsWith('ARGV ') && l.includes('--decrypt'));
    expect(decryptions).toHaveLength(3); // the test decryption when gpg is first found, then the two above
    for (const line of decryptions) {
      expect(line).toContain('--override-session-key-fd 3');
      expect(line).toContain('--no-autostart');
      expect(line).toContain('--no-options');
    }
    const lower = calls.toLowerCase();
    expect(lower).not.toContain(sessionHex.toLowerCase());
    expect(calls).not.toContain(PASSPHRASE);
    expect(calls).not.toContain(alice.passphrase!);
    for (const line of secretLines(alice.privateKey)) expect(calls).not.toContain(line);
    // Each run had a home of its own, private while it ran and gone afterwards, with no agent left on it.
    const homes = [...calls.matchAll(/^HOME (\S+) (\d+)$/gm)].filter((m) => m[1]!.includes('lifeboat-gpg-'));
    expect(homes.length).toBeGreaterThanOrEqual(3);
    for (const [, home, mode] of homes) {
      expect(mode).toBe('700');
      expect(existsSync(home!)).toBe(false);
      expect(commandLines().filter((l) => l.includes(home!))).toEqual([]);
    }
  });

  test('the session key gpg logs never reaches an error message', async () => {
    const sessionKey = await decryptSessionKeys({ message: await readMessage({ binaryMessage: ciphertext }), passwords: [PASSPHRASE] });
    const sessionHex = Buffer.from(sessionKey[0]!.data).toString('hex');
    const keys = await loadDecryptionKeys({ passphrase: PASSPHRASE });
    const cut = await caught(decryptToFile(chunked(ciphertext.subarray(0, ciphertext.length - 7)), keys, join(dir, 'cut.out'), { engine: 'gpg' }));
    expect(cut).toBeInstanceOf(TruncatedMessageError);
    expect(cut.message).toContain('gpg: ');
    const flipped = Buffer.from(ciphertext);
    flipped[flipped.length >> 1]! ^= 0x20;
    const modified = await caught(decryptToFile(chunked(flipped), keys, join(dir, 'flipped.out'), { engine: 'gpg' }));
    expect(modified).toBeInstanceOf(IntegrityError);
    for (const error of [cut, modified]) {
      const text = `${error.message} ${error.fix} ${String((error.cause as Error | undefined)?.message)}`.toLowerCase();
      expect(text).not.toContain(sessionHex.toLowerCase());
      expect(text).not.toContain('seskey');
    }
  });

  test.for(ENGINES)('decryptFileToFile reads an open file from its start and leaves it open (%s)', async (engine) => {
    const stored = join(dir, `stored-${engine}.pgp`);
    await writeFile(stored, ciphertext);
    const handle = await open(stored, 'r');
    try {
      const used: string[] = [];
      const out = join(dir, `from-file-${engine}.out`);
      expect(await decryptFileToFile(handle, await aliceKeys(), out, { engine, onEngine: (e) => used.push(e) })).toEqual({ bytes: data.length, sha256: sha });
      expect(used).toEqual([engine === 'gpg' ? 'gpg' : 'openpgp.js']);
      expect(createHash('sha256').update(await readFile(out)).digest('hex')).toBe(sha);
      // The same handle decrypts again: nothing moved its position or closed it.
      expect(await decryptFileToFile(handle, await aliceKeys(), out, { engine })).toEqual({ bytes: data.length, sha256: sha });
      expect((await handle.stat()).size).toBe(ciphertext.length);
    } finally {
      await handle.close();
    }
  });

  test.for(ENGINES)('decryptFileToFile: a damaged or cut file is refused as such and leaves no output (%s)', async (engine) => {
    const keys = await aliceKeys();
    const damaged = Buffer.from(ciphertext);
    damaged[Math.floor(damaged.length * 0.7)]! ^= 0x04;
    const cases: [string, Buffer, new (...args: never[]) => Error][] = [
      ['damaged', damaged, IntegrityError],
      ['cut', ciphertext.subarray(0, ciphertext.length - 30), TruncatedMessageError],
      ['cut in half', ciphertext.subarray(0, ciphertext.length >> 1), TruncatedMessageError],
    ];
    for (const [name, bytes, kind] of cases) {
      const path = join(dir, `${name}-${engine}.pgp`);
      await writeFile(path, bytes);
      const handle = await open(path, 'r');
      const out = join(dir, `${name}-${engine}.out`);
      try {
        const error = await caught(decryptFileToFile(handle, keys, out, { engine, label: 'db.pgdump.pgp' }));
        expect(error, name).toBeInstanceOf(kind);
        expect(error.message).toContain('db.pgdump.pgp');
        expect(existsSync(out)).toBe(false);
      } finally {
        await handle.close();
      }
    }
  });

  test.for(ENGINES)('a large armored message (2 MiB, streamed in chunks) decrypts (%s)', async (engine) => {
    const { armor, enums } = await import('openpgp');
    const armored = Buffer.from(armor(enums.armor.message, ciphertext));
    expect(armored.length).toBeGreaterThan(2 * 1024 * 1024);
    const out = join(dir, `armored-large-${engine}.out`);
    expect(await decryptToFile(chunked(armored, 16 * 1024), await aliceKeys(), out, { engine })).toEqual({ bytes: data.length, sha256: sha });
  });

  test('armored messages stay with openpgp.js; messages without integrity protection are refused by both', async () => {
    const { armor, enums } = await import('openpgp');
    const keys = await loadDecryptionKeys({ passphrase: PASSPHRASE });
    const used: string[] = [];
    const armored = Buffer.from(armor(enums.armor.message, ciphertext));
    expect(await decryptToFile(chunked(armored), keys, join(dir, 'armored.out'), { engine: 'gpg', onEngine: (e, d) => used.push(`${e}: ${d}`) })).toEqual({
      bytes: data.length,
      sha256: sha,
    });
    expect(used).toEqual(['openpgp.js: an armored message']);

    // GnuPG still writes a symmetrically encrypted data packet (tag 9, no MDC) when told to.
    const plainPath = join(dir, 'small.bin');
    await writeFile(plainPath, data.subarray(0, 5000));
    const unprotected = join(dir, 'no-mdc.pgp');
    const made = await gpgHome.gpg(['--passphrase', PASSPHRASE, '--rfc2440', '--cipher-algo', 'AES256', '--output', unprotected, '--symmetric', plainPath]);
    expect(made.code, made.stderr).toBe(0);
    for (const engine of ENGINES) {
      const seen: string[] = [];
      const out = join(dir, `no-mdc-${engine}.out`);
      const error = await caught(decryptToFile(chunked(await readFile(unprotected)), keys, out, { engine, onEngine: (e, d) => seen.push(`${e}: ${d}`) }));
      expect(error, engine).toBeInstanceOf(IntegrityError);
      expect(error.message).toContain('without integrity protection');
      expect(existsSync(out)).toBe(false);
      expect(seen).toEqual([]); // refused before either implementation decrypts anything
    }
  });

  test('gpg itself refuses a message without integrity protection: the run fails, nothing is trusted', async () => {
    const gpg = (await findGpg())!;
    expect(gpg).toBeDefined();
    const plainPath = join(dir, 'small2.bin');
    await writeFile(plainPath, data.subarray(0, 5000));
    const unprotected = join(dir, 'no-mdc-2.pgp');
    expect((await gpgHome.gpg(['--passphrase', PASSPHRASE, '--rfc2440', '--cipher-algo', 'AES256', '--output', unprotected, '--symmetric', plainPath])).code).toBe(0);
    const listed = (await gpgHome.gpg(['--passphrase', PASSPHRASE, '--show-session-key', '--decrypt', unprotected])).stderr;
    const [algorithm, hex] = /session key: '(\d+):([0-9A-F]+)'/.exec(listed)!.slice(1);
    const failures: unknown[] = [];
    const plaintext = gpgPlaintext({
      gpg,
      input: { stream: chunked(await readFile(unprotected)) },
      secret: { sessionKey: { algorithm: Number(algorithm), key: Buffer.from(hex!, 'hex') } },
      failure: (error) => {
        failures.push(error);
        return error;
      },
    });
    await expect(collect(plaintext)).rejects.toBeInstanceOf(GpgDecryptionFailure);
    expect((failures[0] as GpgDecryptionFailure).verdict.ok).toBe(false);
  });

  test('ciphers the quick check cannot judge (Twofish, CAST5): gpg is given the passphrase and tells a wrong one every time', async () => {
    const plainPath = join(dir, 'unchecked.bin');
    await writeFile(plainPath, data.subarray(0, 100_000));
    const wrong = await loadDecryptionKeys({ passphrase: 'not the passphrase' });
    const right = await loadDecryptionKeys({ passphrase: PASSPHRASE });
    // Each message has a fresh salt, so a wrong passphrase yields a different garbage key each time;
    // without gpg's own check some of those would decrypt into plausible packets first.
    for (let i = 0; i < 16; i++) {
      const cipher = i % 2 ? 'TWOFISH' : 'CAST5';
      const path = join(dir, `unchecked-${i}.pgp`);
      const made = await gpgHome.gpg(['--passphrase', PASSPHRASE, '--s2k-count', '1024', '--cipher-algo', cipher, '--output', path, '--symmetric', plainPath]);
      expect(made.code, made.stderr).toBe(0);
      const out = join(dir, `unchecked-${i}.out`);
      const error = await caught(decryptToFile(chunked(await readFile(path)), wrong, out, { engine: 'gpg' }));
      expect(error, `${cipher} #${i}`).toBeInstanceOf(WrongPassphraseError);
      expect(`${error.message} ${error.fix}`).not.toContain('not the passphrase');
      expect(existsSync(out)).toBe(false);
      if (i < 2) {
        for (const engine of ENGINES) {
          const result = await decryptToFile(chunked(await readFile(path)), right, out, { engine });
          expect(result.bytes, `${cipher} ${engine}`).toBe(100_000);
        }
      }
    }
  });

  test('a gpg that does not decrypt as expected (here: it drops the session key option) is not used', async () => {
    const real = execFileSync('sh', ['-c', 'command -v gpg']).toString().trim();
    const bin = join(dir, 'odd-bin');
    execFileSync('mkdir', ['-p', bin]);
    // The real gpg, run without --override-session-key-fd: as a gpg that lacks or ignores it would.
    writeFileSync(
      join(bin, 'gpg'),
      `#!/bin/sh\nskip=0\nfor a in "$@"; do\n  shift\n  if [ "$skip" = 1 ]; then skip=0; continue; fi\n  if [ "$a" = --override-session-key-fd ]; then skip=1; continue; fi\n  set -- "$@" "$a"\ndone\nexec '${real}' "$@"\n`,
    );
    chmodSync(join(bin, 'gpg'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const used: string[] = [];
    const out = join(dir, 'odd.out');
    expect(await decryptToFile(chunked(ciphertext), await aliceKeys(), out, { env, onEngine: (e, d) => used.push(`${e}: ${d}`) })).toEqual({ bytes: data.length, sha256: sha });
    expect(used).toHaveLength(1);
    expect(used[0]).toMatch(/^openpgp\.js: GnuPG \d+\.\d+\S* \(.*odd-bin\/gpg\) failed a test decryption: /);
    await expect(decryptToFile(chunked(ciphertext), await aliceKeys(), out, { env, engine: 'gpg' })).rejects.toThrow('failed a test decryption');
  });

  test('without gpg on PATH: auto uses openpgp.js; asking for gpg is refused plainly', async () => {
    const { dir: empty, cleanup: done } = await tempDir();
    try {
      const keys = await aliceKeys();
      const used: string[] = [];
      expect(await decryptToFile(chunked(ciphertext), keys, join(dir, 'no-gpg.out'), { env: { PATH: empty }, onEngine: (e, d) => used.push(`${e}: ${d}`) })).toEqual({
        bytes: data.length,
        sha256: sha,
      });
      expect(used).toEqual(['openpgp.js: no GnuPG 2.2 or newer on PATH']);
      await expect(decryptToFile(chunked(ciphertext), keys, join(dir, 'no-gpg-2.out'), { env: { PATH: empty }, engine: 'gpg' })).rejects.toThrow(
        'no GnuPG 2.2 or newer on PATH',
      );
      await expect(decryptBytes(ciphertext, keys, { env: { PATH: empty }, engine: 'gpg' })).rejects.toThrow('no GnuPG 2.2 or newer on PATH');
      expect(existsSync(join(dir, 'no-gpg-2.out'))).toBe(false);
    } finally {
      await done();
    }
  });

  test('decryptBytes uses openpgp.js unless gpg is asked for', async () => {
    const keys = await loadDecryptionKeys({ passphrase: PASSPHRASE });
    const small = await collect(encryptStream(plan, chunked(data.subarray(0, 1000))));
    for (const [engine, expected] of [[undefined, 'openpgp.js'], ['auto', 'openpgp.js'], ['gpg', 'gpg']] as const) {
      const used: string[] = [];
      const plain = await decryptBytes(small, keys, { engine, onEngine: (e) => used.push(e) });
      expect(Buffer.from(plain)).toEqual(Buffer.from(data.subarray(0, 1000)));
      expect(used).toEqual([expected]);
    }
  });

  test('a protected identity: only its decryption subkey is unlocked, and it still decrypts', async () => {
    const keys = await aliceKeys();
    const [key] = keys.privateKeys;
    expect(key!.keyPacket.isDecrypted()).toBe(false);
    expect(key!.subkeys.some((s) => s.keyPacket.isDecrypted())).toBe(true);
    expect(await decryptBytes(await collect(encryptStream(plan, chunked(data.subarray(0, 100)))), keys)).toEqual(new Uint8Array(data.subarray(0, 100)));
  });
});
