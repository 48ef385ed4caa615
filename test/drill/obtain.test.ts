import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { constants as zlibConstants, zstdCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { backupObjectKey, MANIFEST_FORMAT, manifestKey, serializeManifest, type Manifest } from '../../packages/core/src/catalog/index.js';
import { createContext } from '../../packages/core/src/context.js';
import { encryptBytes, encryptStream, loadDecryptionKeys, prepareEncryption, type DecryptionKeys, type EncryptionPlan } from '../../packages/core/src/crypto/index.js';
import { VerificationError } from '../../packages/core/src/drill/errors.js';
import { ArchiveFormatError } from '../../packages/core/src/engines/postgres/restore/errors.js';
import { obtainBackup } from '../../packages/core/src/drill/obtain.js';
import { PhaseRecorder } from '../../packages/core/src/drill/phases.js';
import { selectBackup } from '../../packages/core/src/drill/select.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { LocalStore } from '../../packages/core/src/storage/local/local-store.js';
import type { Store } from '../../packages/core/src/storage/store.js';
import { caught, chunked, collect, tempDir, testBytes } from '../crypto/fixtures.js';
import { putObject } from '../catalog/fixtures.js';
import { MemoryStore } from '../support/memory-store.js';

const PASSPHRASE = 'obtain test passphrase, long enough';
const NAME = 'app';

/** A real PhaseRecorder that runs `before[name]` just before a phase: a change to the store injected between phases. */
class PhasesWithHooks extends PhaseRecorder {
  constructor(private readonly before: Record<string, () => Promise<void>> = {}) {
    super();
  }
  override async run<T>(name: string, fn: () => Promise<T>, detail?: Readonly<Record<string, string>>): Promise<T> {
    await this.before[name]?.();
    return super.run(name, fn, detail);
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** zstd programs this test process started that are still running (none may outlive a run). */
async function zstdChildren(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  return stdout.split('\n').filter((line) => /\bzstd\b/.test(line));
}

describe('obtaining a backup: download, verify, decrypt', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let plan: EncryptionPlan;
  let keys: DecryptionKeys;
  let counter = 0;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    plan = await prepareEncryption({ encryption: 'openpgp', passphrase: PASSPHRASE }, new MemoryReporter());
    keys = await loadDecryptionKeys({ passphrase: PASSPHRASE });
  });
  afterAll(() => cleanup());

  /** Writes a backup the way the backup writer lays it out: payload, stats, then the manifest. */
  async function writeBackup(
    store: Store,
    plaintext: Uint8Array,
    encrypted = true,
    source: Manifest['source'] = { kind: 'postgres', serverVersion: '15.8', format: 'custom' },
  ): Promise<{ id: string; payloadFile: string; stored: Buffer }> {
    const id = `20260101T0000${String(counter++).padStart(2, '0')}Z-abcdef`;
    const stored = encrypted ? await collect(encryptStream(plan, chunked(plaintext))) : Buffer.from(plaintext);
    const stats = Buffer.from(JSON.stringify({ tables: [], plaintextSha256: sha256(plaintext) }));
    const storedStats = encrypted ? Buffer.from(await encryptBytes(plan, stats)) : stats;
    const payloadFile = encrypted ? 'db.pgdump.pgp' : 'db.pgdump';
    const statsFile = encrypted ? 'stats.json.pgp' : 'stats.json';
    await putObject(store, backupObjectKey(NAME, id, payloadFile), stored);
    await putObject(store, backupObjectKey(NAME, id, statsFile), storedStats);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      id,
      name: NAME,
      tool: { name: 'lifeboat', version: '0.1.0' },
      source,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:42.000Z',
      durationMs: 42_000,
      objects: [
        { role: 'payload', file: payloadFile, size: stored.length, sha256: sha256(stored) },
        { role: 'stats', file: statsFile, size: storedStats.length, sha256: sha256(storedStats) },
      ],
      encryption: encrypted ? { scheme: 'openpgp', recipients: [], passphrase: true } : { scheme: 'none', recipients: [], passphrase: false },
      provenance: {},
    };
    await putObject(store, manifestKey(NAME, id), serializeManifest(manifest));
    return { id, payloadFile, stored };
  }

  async function obtain(store: Store, id: string, phases: PhaseRecorder = new PhasesWithHooks(), withKeys: DecryptionKeys | undefined = keys, env: NodeJS.ProcessEnv = process.env) {
    const workDir = join(dir, `work-${counter++}`);
    await mkdir(workDir);
    const reporter = new MemoryReporter();
    const context = createContext(reporter, 'cli', env);
    const selected = await selectBackup(store, { name: NAME, backupId: id });
    // These fixtures are unsigned (origin checks have tests of their own); some are unencrypted on purpose.
    const authentication = { allowUnsigned: true, allowUnencrypted: true, keysGiven: withKeys !== undefined };
    const run = obtainBackup(store, selected, withKeys, authentication, workDir, phases, context);
    return { run, workDir, reporter, phases };
  }

  test('a local store is read in place: nothing is copied into the work folder, and gpg decrypts the stored file', async () => {
    const folder = join(dir, 'store-in-place');
    const store = new LocalStore(folder);
    const plaintext = testBytes(3 * 1024 * 1024 + 1, 3);
    const { id, payloadFile } = await writeBackup(store, plaintext);
    const { run, workDir, reporter, phases } = await obtain(store, id);
    const obtained = await run;
    expect(sha256(await readFile(obtained.payloadPath))).toBe(sha256(plaintext));
    expect(obtained.stats).toMatchObject({ plaintextSha256: sha256(plaintext) });
    expect(readdirSync(workDir)).toEqual(['payload']);
    expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:true', 'decrypt:true']);
    expect(reporter.text()).toMatch(new RegExp(`Decrypting ${payloadFile.replace('.', '\\.')} with gpg \\(GnuPG \\d`));
    expect(obtained.decryptedWith).toMatch(/^gpg \d+\.\d+/);
    // The store's file is still there, untouched.
    expect(existsSync(join(folder, NAME, id, payloadFile))).toBe(true);
  });

  test('a store without local files is downloaded into the work folder first, then decrypted from there', async () => {
    const store = new MemoryStore();
    const plaintext = testBytes(200_000, 4);
    const { id } = await writeBackup(store, plaintext);
    const { run, workDir } = await obtain(store, id);
    const obtained = await run;
    expect(sha256(await readFile(obtained.payloadPath))).toBe(sha256(plaintext));
    expect(readdirSync(workDir).sort()).toEqual(['payload', 'stored-payload', 'stored-stats']);
  });

  test('a stored file rewritten in place after it was verified (with another valid message of the same size) is refused, and its output removed', async () => {
    const folder = join(dir, 'store-rewritten');
    const store = new LocalStore(folder);
    const { id, payloadFile, stored } = await writeBackup(store, testBytes(500_000, 5));
    // Another message of the same length, encrypted with the same passphrase: OpenPGP's own check would pass it.
    const other = await collect(encryptStream(plan, chunked(testBytes(500_000, 6))));
    expect(other.length).toBe(stored.length);
    const path = join(folder, NAME, id, payloadFile);
    const phases = new PhasesWithHooks({
      decrypt: async () => {
        const handle = await open(path, 'r+');
        await handle.write(other, 0, other.length, 0);
        await handle.close();
      },
    });
    const { run, workDir } = await obtain(store, id, phases);
    const error = await caught(run);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.message).toContain(`${payloadFile} was changed in the store while it was being read`);
    expect(phases.failed).toMatchObject({ name: 'decrypt', ok: false });
    expect(readdirSync(workDir)).toEqual([]);
  });

  test('a stored file modified after it was hashed fails the verify phase', async () => {
    const folder = join(dir, 'store-touched');
    const store = new LocalStore(folder);
    const { id, payloadFile } = await writeBackup(store, testBytes(100_000, 7));
    const path = join(folder, NAME, id, payloadFile);
    const phases = new PhasesWithHooks({
      verify: async () => {
        const handle = await open(path, 'r+');
        await handle.write(Buffer.from([0]), 0, 1, 50_000);
        await handle.close();
      },
    });
    const { run } = await obtain(store, id, phases);
    const error = await caught(run);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.message).toContain('was changed in the store while it was being read');
    expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:false']);
  });

  test('a stored file replaced under its name after it was verified is refused too (the file read stays the verified one, but the store changed)', async () => {
    const folder = join(dir, 'store-replaced');
    const store = new LocalStore(folder);
    const plaintext = testBytes(300_000, 8);
    const { id, payloadFile } = await writeBackup(store, plaintext);
    const path = join(folder, NAME, id, payloadFile);
    const phases = new PhasesWithHooks({
      decrypt: async () => {
        await writeFile(`${path}.new`, await collect(encryptStream(plan, chunked(testBytes(300_000, 9)))));
        await rename(`${path}.new`, path);
      },
    });
    const { run, workDir } = await obtain(store, id, phases);
    const error = await caught(run);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.message).toContain(`${payloadFile} was changed in the store while it was being read (its ctime changed)`);
    expect(readdirSync(workDir)).toEqual([]);
  });

  test('an unencrypted backup in a local store is copied out, never moved', async () => {
    const folder = join(dir, 'store-plain');
    const store = new LocalStore(folder);
    const plaintext = testBytes(150_000, 10);
    const { id, payloadFile } = await writeBackup(store, plaintext, false);
    const { run } = await obtain(store, id, new PhasesWithHooks(), undefined);
    const obtained = await run;
    expect(sha256(await readFile(obtained.payloadPath))).toBe(sha256(plaintext));
    expect(obtained.stats).toMatchObject({ plaintextSha256: sha256(plaintext) });
    expect(obtained.decryptedWith).toBeUndefined();
    expect(sha256(await readFile(join(folder, NAME, id, payloadFile)))).toBe(sha256(plaintext));
  });

  test('an unencrypted backup from a store without local files is downloaded and moved into place', async () => {
    const store = new MemoryStore();
    const plaintext = testBytes(120_000, 12);
    const { id } = await writeBackup(store, plaintext, false);
    const { run, workDir, phases } = await obtain(store, id, new PhasesWithHooks(), undefined);
    const obtained = await run;
    expect(sha256(await readFile(obtained.payloadPath))).toBe(sha256(plaintext));
    expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:true', 'decrypt:true']);
    expect(readdirSync(workDir).sort()).toEqual(['payload', 'stored-stats']);
  });

  test('a payload whose plaintext differs from the SHA-256 the stats recorded fails the decrypt phase and is removed', async () => {
    const store = new MemoryStore();
    const { id } = await writeBackup(store, testBytes(90_000, 13));
    // Stats of another dump: still a valid, verified object, but not this payload's.
    const statsKey = backupObjectKey(NAME, id, 'stats.json.pgp');
    const otherStats = Buffer.from(await encryptBytes(plan, Buffer.from(JSON.stringify({ tables: [], plaintextSha256: sha256(testBytes(90_000, 14)) }))));
    await putObject(store, statsKey, otherStats);
    const manifestText = (await collect(await store.get(manifestKey(NAME, id)))).toString('utf8');
    const manifest = JSON.parse(manifestText) as Manifest;
    const statsEntry = manifest.objects.find((o) => o.role === 'stats')!;
    Object.assign(statsEntry, { size: otherStats.length, sha256: sha256(otherStats) });
    await putObject(store, manifestKey(NAME, id), serializeManifest(manifest));
    const { run, workDir, phases } = await obtain(store, id);
    const error = await caught(run);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.message).toMatch(/decrypted payload's SHA-256 [0-9a-f]{64} differs from the one recorded at backup time/);
    expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:true', 'decrypt:false']);
    expect(readdirSync(workDir)).not.toContain('payload');
  });

  test('a corrupted stored byte in a local store fails verification, and what was decrypted alongside is removed', async () => {
    const folder = join(dir, 'store-corrupt');
    const store = new LocalStore(folder);
    const { id, payloadFile } = await writeBackup(store, testBytes(100_000, 11));
    const path = join(folder, NAME, id, payloadFile);
    const bytes = await readFile(path);
    bytes[bytes.length >> 1]! ^= 1;
    await writeFile(path, bytes);
    const { run, workDir, phases } = await obtain(store, id);
    const error = await caught(run);
    expect(error.message).toMatch(/db\.pgdump\.pgp does not match its manifest: SHA-256/);
    expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:false']);
    expect(readdirSync(workDir)).toEqual([]);
  });

  test('an intact local payload whose SHA-256 differs from the manifest fails verify although it decrypted, and its plaintext is removed unused', async () => {
    const folder = join(dir, 'store-wrong-hash');
    const store = new LocalStore(folder);
    const { id } = await writeBackup(store, testBytes(2 * 1024 * 1024, 15));
    const key = manifestKey(NAME, id);
    const manifest = JSON.parse((await collect(await store.get(key))).toString('utf8')) as Manifest;
    const entry = manifest.objects.find((o) => o.role === 'payload')!;
    Object.assign(entry, { sha256: sha256(Buffer.from('not the payload')) });
    await putObject(store, key, serializeManifest(manifest));
    const { run, workDir, phases } = await obtain(store, id);
    const error = await caught(run);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.message).toMatch(/db\.pgdump\.pgp does not match its manifest: SHA-256 [0-9a-f]{64} stored, [0-9a-f]{64} recorded/);
    expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:false']);
    // Decryption ran alongside (the overlapped path), but nothing it wrote is left to use.
    expect(phases.phases.at(-1)).toMatchObject({ concurrentWith: 'decrypt' });
    expect(readdirSync(workDir)).toEqual([]);
  });

  test('a truncated local payload is refused by its size before anything reads or decrypts it', async () => {
    const folder = join(dir, 'store-truncated');
    const store = new LocalStore(folder);
    const { id, payloadFile } = await writeBackup(store, testBytes(100_000, 16));
    const path = join(folder, NAME, id, payloadFile);
    await writeFile(path, (await readFile(path)).subarray(0, 1000));
    const { run, workDir, phases, reporter } = await obtain(store, id);
    const error = await caught(run);
    expect(error).toBeInstanceOf(VerificationError);
    expect(error.message).toMatch(/db\.pgdump\.pgp is truncated: 1000 bytes stored, the manifest records \d+/);
    expect(reporter.text()).not.toMatch(/Decrypting/);
    expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:false']);
    expect(readdirSync(workDir)).toEqual([]);
  });
  describe('a payload whose plaintext is a zstd frame (`streamCompression: zstd`) is decompressed as it is decrypted', () => {
    const ZSTD_SOURCE = { kind: 'postgres', serverVersion: '15.8', format: 'custom', dumpFormat: 'custom', streamCompression: 'zstd' };
    /** A dump-like plaintext: compressible text with incompressible runs, several MiB once decompressed. */
    const archive = Buffer.concat(Array.from({ length: 24 }, (_, i) => Buffer.concat([Buffer.from(`row ${i}\t`.repeat(12_000)), testBytes(40_000, 100 + i)])));
    // With a content checksum, as the zstd program and Lifeboat's Node zstd write it: damage inside a raw block is caught too.
    const frame = zstdCompressSync(archive, { params: { [zlibConstants.ZSTD_c_checksumFlag]: 1 } });
    /** No gpg and no zstd program: openpgp.js decrypts and Node's zstd decompresses. */
    const bare = () => ({ ...process.env, PATH: emptyBin });
    let emptyBin: string;
    beforeAll(async () => {
      emptyBin = join(dir, 'empty-bin');
      await mkdir(emptyBin);
    });

    test.each([
      ['gpg and the zstd program, read in place', 'local', process.env, /decompressing with the zstd program as it goes/],
      ['openpgp.js and Node\'s zstd, downloaded', 'memory', undefined, /decompressing with Node's zstd as it goes/],
    ] as const)('%s: the engine gets the decompressed archive alone', async (_what, kind, env, said) => {
      const store = kind === 'local' ? new LocalStore(join(dir, `store-zstd-${counter++}`)) : new MemoryStore();
      const { id } = await writeBackup(store, frame, true, ZSTD_SOURCE);
      const { run, workDir, reporter, phases } = await obtain(store, id, new PhasesWithHooks(), keys, env ?? bare());
      const obtained = await run;
      expect(sha256(await readFile(obtained.payloadPath))).toBe(sha256(archive));
      expect(obtained.stats).toMatchObject({ plaintextSha256: sha256(frame) });
      expect(readdirSync(workDir).filter((f) => f.startsWith('payload'))).toEqual(['payload-decompressed']);
      expect(reporter.text()).toMatch(said);
      expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:true', 'decrypt:true']);
      await expect(zstdChildren()).resolves.toEqual([]);
    });

    test('an unencrypted zstd payload is copied out, then decompressed', async () => {
      const store = new LocalStore(join(dir, 'store-zstd-plain'));
      const { id } = await writeBackup(store, frame, false, ZSTD_SOURCE);
      const { run, workDir } = await obtain(store, id, new PhasesWithHooks(), undefined);
      const obtained = await run;
      expect(sha256(await readFile(obtained.payloadPath))).toBe(sha256(archive));
      expect(readdirSync(workDir)).toEqual(['payload-decompressed']);
    });

    const damaged = Buffer.concat([frame.subarray(0, 100), Buffer.alloc(400, 0x41), frame.subarray(500)]);
    const truncated = frame.subarray(0, frame.length >> 1);
    const broken = { damaged, truncated };
    test.each([
      ['damaged', 'the zstd program'],
      ['truncated', 'the zstd program'],
      ['damaged', "Node's zstd"],
      ['truncated', "Node's zstd"],
    ] as const)('a %s frame whose checksums all match (written damaged) fails the decrypt phase naming zstd (%s), and leaves nothing', async (what, via) => {
      const bytes = broken[what];
      const store = new LocalStore(join(dir, `store-zstd-bad-${counter++}`));
      // The stats record this very frame's SHA-256: only zstd can tell it is broken.
      const { id } = await writeBackup(store, bytes, true, ZSTD_SOURCE);
      const { run, workDir, phases } = await obtain(store, id, new PhasesWithHooks(), keys, via === 'the zstd program' ? process.env : bare());
      const error = await caught(run);
      expect(error).toBeInstanceOf(ArchiveFormatError);
      expect(error.message).toMatch(/The payload's zstd stream is corrupt or truncated: zstd/);
      expect(phases.phases.map((p) => `${p.name}:${p.ok}`)).toEqual(['authenticate:true', 'download:true', 'verify:true', 'decrypt:false']);
      expect(readdirSync(workDir)).toEqual([]);
      await expect(zstdChildren()).resolves.toEqual([]);
    });

    test('a damaged frame that is not the one dumped is named by the plaintext checksum, which says more than zstd', async () => {
      const store = new MemoryStore();
      const { id } = await writeBackup(store, damaged, true, ZSTD_SOURCE);
      const statsKey = backupObjectKey(NAME, id, 'stats.json.pgp');
      const otherStats = Buffer.from(await encryptBytes(plan, Buffer.from(JSON.stringify({ tables: [], plaintextSha256: sha256(frame) }))));
      await putObject(store, statsKey, otherStats);
      const manifest = JSON.parse((await collect(await store.get(manifestKey(NAME, id)))).toString('utf8')) as Manifest;
      Object.assign(manifest.objects.find((o) => o.role === 'stats')!, { size: otherStats.length, sha256: sha256(otherStats) });
      await putObject(store, manifestKey(NAME, id), serializeManifest(manifest));
      const { run, workDir } = await obtain(store, id);
      const error = await caught(run);
      expect(error).toBeInstanceOf(VerificationError);
      expect(error.message).toMatch(/decrypted payload's SHA-256 [0-9a-f]{64} differs from the one recorded at backup time/);
      expect(readdirSync(workDir).filter((f) => f.startsWith('payload'))).toEqual([]);
      await expect(zstdChildren()).resolves.toEqual([]);
    });

    test('a payload that fails verification while it was already being decrypted and decompressed leaves no file and no zstd running', async () => {
      const folder = join(dir, 'store-zstd-wrong-hash');
      const store = new LocalStore(folder);
      const { id } = await writeBackup(store, frame, true, ZSTD_SOURCE);
      const manifest = JSON.parse((await collect(await store.get(manifestKey(NAME, id)))).toString('utf8')) as Manifest;
      Object.assign(manifest.objects.find((o) => o.role === 'payload')!, { sha256: sha256(Buffer.from('not the payload')) });
      await putObject(store, manifestKey(NAME, id), serializeManifest(manifest));
      const { run, workDir, phases } = await obtain(store, id);
      const error = await caught(run);
      expect(error.message).toMatch(/does not match its manifest: SHA-256/);
      expect(phases.phases.at(-1)).toMatchObject({ name: 'verify', ok: false, concurrentWith: 'decrypt' });
      expect(readdirSync(workDir)).toEqual([]);
      await expect(zstdChildren()).resolves.toEqual([]);
    });

    test('an outer compression this Lifeboat does not know is refused by name before anything is downloaded', async () => {
      const store = new MemoryStore();
      const { id } = await writeBackup(store, frame, true, { ...ZSTD_SOURCE, streamCompression: 'brotli' });
      const { run, phases } = await obtain(store, id);
      const error = await caught(run);
      expect(error).toBeInstanceOf(ArchiveFormatError);
      expect(error.message).toContain('compressed with "brotli", which this Lifeboat cannot decompress');
      expect(phases.phases).toEqual([]);
    });
  });
});
