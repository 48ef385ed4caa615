#!/usr/bin/env node
/**
 * age throughput: Lifeboat's age encryption and decryption (node:crypto, in this process)
 * against the `age` CLI on the same file, file to file, in one run. Each side decrypts the
 * other's file, so the figures come with proof of interop at this size. Two more rows encrypt
 * into nothing (a discarding stream, `age -o /dev/null`): reading and encryption without the
 * write. Two rows feed Lifeboat's age stages from memory (1 MiB pieces, output discarded):
 * the cipher stage alone, the figure the >= 800 MiB/s target is about, since in a backup or a
 * drill the source and the store are stages of their own. Lifeboat's decryption row includes
 * the plaintext's SHA-256, as a drill computes it;
 * a row without it (AgeDecryptor into a discarding stream) and two rows of node:crypto alone
 * (ChaCha20-Poly1305 over 64 KiB chunks in a loop, SHA-256 over 1 MiB) show where the time goes
 * and the ceiling a one-thread Node implementation can reach on this machine.
 *
 *   npm run build:ts && [LIFEBOAT_BENCH_SIZE_MB=1024] [LIFEBOAT_BENCH_RUNS=1] node scripts/bench/age.mjs
 *
 * LIFEBOAT_BENCH_CORE may point at another build of packages/core (a folder with index.js).
 * Needs `age` and `age-keygen` on PATH; temp files (3 x the size) go to the OS temp dir.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const coreDir = resolve(process.env.LIFEBOAT_BENCH_CORE || join(here, '../../packages/core/lib'));
const mib = Number(process.env.LIFEBOAT_BENCH_SIZE_MB || 1024);
const runs = Number(process.env.LIFEBOAT_BENCH_RUNS || 1);
const MIB = 1 << 20;
const TARGET = 800;

function timedSync(fn) {
  const started = performance.now();
  fn();
  return (performance.now() - started) / 1000;
}

async function timed(fn) {
  const started = performance.now();
  const result = await fn();
  return { seconds: (performance.now() - started) / 1000, result };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
const sha256Of = (path) => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];

/** Seals `mib` MiB as age's STREAM does (one cipher per 64 KiB chunk), from memory, output dropped. */
function chachaLoop(pool, mib) {
  const key = randomBytes(32);
  const nonce = Buffer.alloc(12);
  const chunks = mib * 16;
  for (let i = 0; i < chunks; i++) {
    nonce.writeUIntBE(i, 5, 6);
    const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    cipher.update(pool.subarray((i % 256) * 65536, ((i % 256) + 1) * 65536));
    cipher.final();
    cipher.getAuthTag();
  }
}

function shaLoop(pool, mib) {
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) hash.update(pool.subarray((i % 16) * MIB, ((i % 16) + 1) * MIB));
  hash.digest();
}

async function main() {
  const core = await import(pathToFileURL(join(coreDir, 'index.js')).href).catch((error) => {
    console.error(`Cannot load ${coreDir}/index.js (${error.message}). Run \`npm run build:ts\` first, or set LIFEBOAT_BENCH_CORE.`);
    process.exit(2);
  });
  const dir = await mkdtemp(join(tmpdir(), 'lbbench-age-'));
  try {
    const keyPath = join(dir, 'key.txt');
    const keyFile = execFileSync('age-keygen', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const recipient = /# public key: (age1\S+)/.exec(keyFile)[1];
    await writeFile(keyPath, keyFile, { mode: 0o600 });

    // Incompressible: a random 16 MiB pool, each MiB stamped with its index.
    const plain = join(dir, 'plain.bin');
    const pool = randomBytes(16 * MIB);
    const hash = createHash('sha256');
    const file = await open(plain, 'w');
    for (let i = 0; i < mib; i++) {
      const chunk = Buffer.from(pool.subarray((i % 16) * MIB, ((i % 16) + 1) * MIB));
      chunk.writeUInt32BE(i, 0);
      hash.update(chunk);
      await file.write(chunk);
    }
    await file.close();
    const plainSha = hash.digest('hex');

    const plan = await core.prepareEncryption({ encryption: 'age', recipients: recipient }, new core.MemoryReporter());
    const keys = await core.loadDecryptionKeys({ identity: keyPath });
    const fromLifeboat = join(dir, 'lifeboat.age');
    const fromAge = join(dir, 'cli.age');
    const out = join(dir, 'out.bin');
    const { AgeDecryptor } = await import(pathToFileURL(join(coreDir, 'crypto', 'age', 'index.js')).href);
    const times = { lbMemEncrypt: [], lbMemDecrypt: [], lbEncrypt: [], ageEncrypt: [], lbDecrypt: [], ageDecrypt: [], lbNull: [], ageNull: [], lbDecryptNull: [], ageDecryptNull: [], chacha: [], sha: [] };
    // Writing is half of file to file: the /dev/null rows show the reading and the encryption alone.
    const discard = () => new Writable({ highWaterMark: MIB, write: (_chunk, _encoding, callback) => callback() });
    // The source a stage sees in a pipeline, without a file system under it: 1 MiB pieces of memory.
    const fromMemory = (buffer) => Readable.from((function* () {
      for (let offset = 0; offset < buffer.length; offset += MIB) yield buffer.subarray(offset, Math.min(offset + MIB, buffer.length));
    })(), { objectMode: false });
    // At most 256 MiB in memory, passed through as often as it takes to make `mib`.
    const memMiB = Math.min(mib, 256);
    const memPlain = Buffer.concat(Array.from({ length: memMiB }, (_, i) => pool.subarray((i % 16) * MIB, ((i % 16) + 1) * MIB)));
    const memCipher = await new Promise((done, fail) => {
      const parts = [];
      core.encryptStream(plan, fromMemory(memPlain)).on('data', (part) => parts.push(part)).on('end', () => done(Buffer.concat(parts))).on('error', fail);
    });
    const memRepeats = Math.max(1, Math.round(mib / memMiB));
    // Seconds for `mib` MiB, so the rows divide like the others.
    const memRun = async (make, input) => {
      let seconds = 0;
      for (let i = 0; i < memRepeats; i++) seconds += (await timed(() => pipeline(make(fromMemory(input)), discard()))).seconds;
      return (seconds * mib) / (memRepeats * memMiB);
    };
    const encryptFrom = (source) => core.encryptStream(plan, source);
    const decryptFrom = (source) => source.pipe(new AgeDecryptor({ identities: keys.ageIdentities }));
    // A warm-up pass, so the compiler's first tiers are not in the figures.
    await memRun(encryptFrom, memPlain);
    for (let run = 0; run < runs; run++) {
      times.lbMemEncrypt.push(await memRun(encryptFrom, memPlain));
      times.lbMemDecrypt.push(await memRun(decryptFrom, memCipher));
      const enc = await timed(() => pipeline(core.encryptStream(plan, createReadStream(plain, { highWaterMark: MIB })), createWriteStream(fromLifeboat, { highWaterMark: MIB })));
      times.lbEncrypt.push(enc.seconds);
      times.ageEncrypt.push(timedSync(() => execFileSync('age', ['-r', recipient, '-o', fromAge, plain])));
      times.lbNull.push((await timed(() => pipeline(core.encryptStream(plan, createReadStream(plain, { highWaterMark: MIB })), discard()))).seconds);
      times.ageNull.push(timedSync(() => execFileSync('age', ['-r', recipient, '-o', '/dev/null', plain])));
      await rm(out, { force: true });
      const dec = await timed(() => core.decryptToFile(createReadStream(fromAge, { highWaterMark: MIB }), keys, out, { scheme: 'age' }));
      if (dec.result.sha256 !== plainSha) throw new Error("Lifeboat decrypted the age CLI's file to other bytes");
      times.lbDecrypt.push(dec.seconds);
      await rm(out, { force: true });
      times.ageDecrypt.push(timedSync(() => execFileSync('age', ['-d', '-i', keyPath, '-o', out, fromLifeboat])));
      if (sha256Of(out) !== plainSha) throw new Error("age decrypted Lifeboat's file to other bytes");
      await rm(out, { force: true });
      times.lbDecryptNull.push((await timed(() => pipeline(createReadStream(fromAge, { highWaterMark: MIB }), new AgeDecryptor({ identities: keys.ageIdentities }), discard()))).seconds);
      times.ageDecryptNull.push(timedSync(() => execFileSync('age', ['-d', '-i', keyPath, '-o', '/dev/null', fromLifeboat])));
      times.chacha.push(timedSync(() => chachaLoop(pool, mib)));
      times.sha.push(timedSync(() => shaLoop(pool, mib)));
    }
    const row = (what, list) => ({ what, seconds: median(list).toFixed(2), 'MiB/s': (mib / median(list)).toFixed(0) });
    const ageVersion = execFileSync('age', ['--version'], { encoding: 'utf8' }).trim();
    console.log(`age benchmark: ${mib} MiB of incompressible data, file to file, median of ${runs}; Node ${process.version}, age ${ageVersion}`);
    console.table([
      row('lifeboat age encryption stage, from memory -> discarded', times.lbMemEncrypt),
      row('lifeboat age decryption stage, from memory -> discarded', times.lbMemDecrypt),
      row('lifeboat encryptStream (age, node:crypto)', times.lbEncrypt),
      row('age -r', times.ageEncrypt),
      row('lifeboat encryptStream -> discarded', times.lbNull),
      row('age -r -o /dev/null', times.ageNull),
      row('lifeboat decryptToFile (age, with SHA-256)', times.lbDecrypt),
      row('age -d', times.ageDecrypt),
      row('lifeboat AgeDecryptor -> discarded (no SHA-256)', times.lbDecryptNull),
      row('age -d -o /dev/null', times.ageDecryptNull),
      row('node:crypto ChaCha20-Poly1305 64 KiB chunks, loop', times.chacha),
      row('node:crypto SHA-256 1 MiB updates, loop', times.sha),
    ]);
    const rate = (list) => mib / median(list);
    const verdict = (value) => `${value.toFixed(0)} MiB/s (target >= ${TARGET} MiB/s: ${value >= TARGET ? 'met' : 'NOT met'})`;
    console.log(`Lifeboat age encryption stage: ${verdict(rate(times.lbMemEncrypt))}; decryption stage: ${verdict(rate(times.lbMemDecrypt))}.`);
    const ratio = (ours, theirs) => (median(ours) / median(theirs)).toFixed(2);
    console.log(`File to file: encrypt ${rate(times.lbEncrypt).toFixed(0)} MiB/s (${ratio(times.lbEncrypt, times.ageEncrypt)}x the age CLI's time), decrypt with SHA-256 ${rate(times.lbDecrypt).toFixed(0)} MiB/s (${ratio(times.lbDecrypt, times.ageDecrypt)}x). Each side decrypted the other's file to the same SHA-256.`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
