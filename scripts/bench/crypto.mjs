#!/usr/bin/env node
/**
 * OpenPGP throughput and memory: streams generated, incompressible data through Lifeboat's
 * encryptStream into a file and back through decryptToFile, each phase in its own process
 * so its peak RSS is its own; then times `gpg --encrypt` and `gpg --decrypt` on the same
 * data for comparison (gpg also decrypts Lifeboat's file, proving interop at this size).
 *
 *   npm run build:ts && [LIFEBOAT_BENCH_MIB=1024] node scripts/bench/crypto.mjs
 *
 * LIFEBOAT_BENCH_CORE may point at another build of packages/core (a folder with index.js).
 * Needs `gpg` on PATH for the comparison rows; temp files (3 x the size) go to the OS temp dir.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const coreDir = resolve(process.env.LIFEBOAT_BENCH_CORE || join(here, '../../packages/core/lib'));
const mib = Number(process.env.LIFEBOAT_BENCH_MIB || 1024);
const CHUNK = 1 << 20;

/** `mib` MiB of incompressible bytes: a random 16 MiB pool, each chunk stamped with its index. */
function generated() {
  const pool = randomBytes(16 * CHUNK);
  let index = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (index === mib) return this.push(null);
      const offset = (index % 16) * CHUNK;
      const chunk = Buffer.from(pool.subarray(offset, offset + CHUNK));
      chunk.writeUInt32BE(index++, 0);
      this.push(chunk);
    },
  });
}

/** `stream`, piped through a transform that feeds `hash` (no 'data' listener on the source). */
function hashing(stream, hash) {
  const tap = new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  pipeline(stream, tap).catch(() => undefined);
  return tap;
}

function peakRssMiB() {
  return process.resourceUsage().maxRSS / 1024;
}

/** One phase in this process; prints a JSON line for the parent. */
async function phase(name, dir) {
  const core = await import(pathToFileURL(join(coreDir, 'index.js')).href);
  const { MemoryReporter } = core;
  const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'));
  const started = performance.now();
  let extra = {};
  if (name === 'encrypt') {
    const plan = await core.prepareEncryption({ encryption: 'openpgp', recipients: keys.publicKey }, new MemoryReporter());
    const hash = createHash('sha256');
    await pipeline(core.encryptStream(plan, hashing(generated(), hash)), createWriteStream(join(dir, 'lifeboat.pgp')));
    extra = { sha256: hash.digest('hex') };
  } else {
    const decryptionKeys = await core.loadDecryptionKeys({ identity: keys.privateKey });
    extra = await core.decryptToFile(createReadStream(join(dir, 'lifeboat.pgp')), decryptionKeys, join(dir, 'lifeboat.out'));
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ name, seconds, peakRssMiB: peakRssMiB(), ...extra }));
}

function runChild(name, dir) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--phase', name, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop());
}

/** Runs gpg with `input` (a readable) on stdin and `output` path; resolves with seconds. */
function timeGpg(home, args, input) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn('gpg', ['--homedir', home, '--batch', '--yes', '--no-tty', ...args], { stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise((performance.now() - started) / 1000) : reject(new Error(`gpg ${args.join(' ')} failed: ${stderr}`))));
    if (input) pipeline(input, child.stdin).catch(reject);
  });
}

async function main() {
  const core = await import(pathToFileURL(join(coreDir, 'index.js')).href).catch((error) => {
    console.error(`Cannot load ${coreDir}/index.js (${error.message}). Run \`npm run build:ts\` first, or set LIFEBOAT_BENCH_CORE.`);
    process.exit(2);
  });
  const dir = await mkdtemp(join(tmpdir(), 'lbbench-'));
  const home = await mkdtemp(join(tmpdir().length <= 40 ? tmpdir() : '/tmp', 'lbg-'));
  try {
    const pair = await core.generateKeyPair({ name: 'Lifeboat bench' });
    await writeFile(join(dir, 'keys.json'), JSON.stringify(pair));
    const rows = [];
    const row = (what, seconds, rss, note = '') => rows.push({ what, 'MiB/s': (mib / seconds).toFixed(1), seconds: seconds.toFixed(2), 'peak RSS MiB': rss === undefined ? '' : rss.toFixed(0), note });

    const enc = runChild('encrypt', dir);
    const cipherSize = (await stat(join(dir, 'lifeboat.pgp'))).size;
    row('lifeboat encryptStream -> file', enc.seconds, enc.peakRssMiB, `${(cipherSize / 2 ** 20).toFixed(1)} MiB out`);
    const dec = runChild('decrypt', dir);
    const same = dec.sha256 === enc.sha256 && dec.bytes === mib * CHUNK;
    row('lifeboat decryptToFile', dec.seconds, dec.peakRssMiB, same ? 'plaintext SHA-256 matches' : 'MISMATCH');
    await rm(join(dir, 'lifeboat.out'), { force: true });

    let gpgVersion = '';
    try {
      gpgVersion = execFileSync('gpg', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    } catch {
      console.error('gpg not found: skipping the comparison rows.');
    }
    if (gpgVersion) {
      await writeFile(join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\n');
      execFileSync('gpg', ['--homedir', home, '--batch', '--import'], { input: pair.privateKey, stdio: ['pipe', 'ignore', 'ignore'] });
      const fpr = pair.fingerprint;
      const gpgEnc = await timeGpg(home, ['--trust-model', 'always', '-z', '0', '--output', join(dir, 'gpg.pgp'), '--encrypt', '-r', fpr], generated());
      row(`gpg --encrypt -z 0 (stdin -> file)`, gpgEnc);
      const gpgDec = await timeGpg(home, ['--output', join(dir, 'gpg.out'), '--decrypt', join(dir, 'gpg.pgp')]);
      row('gpg --decrypt (its own file)', gpgDec);
      await rm(join(dir, 'gpg.out'), { force: true });
      const sha = createHash('sha256');
      const crossStarted = performance.now();
      await new Promise((resolvePromise, reject) => {
        const child = spawn('gpg', ['--homedir', home, '--batch', '--no-tty', '--decrypt', join(dir, 'lifeboat.pgp')], { stdio: ['ignore', 'pipe', 'ignore'] });
        child.stdout.on('data', (c) => sha.update(c));
        child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`gpg --decrypt of Lifeboat's file exited ${code}`))));
      });
      const crossOk = sha.digest('hex') === enc.sha256;
      row("gpg --decrypt (Lifeboat's file -> hash)", (performance.now() - crossStarted) / 1000, undefined, crossOk ? 'plaintext SHA-256 matches' : 'MISMATCH');
      try {
        execFileSync('gpgconf', ['--homedir', home, '--kill', 'all'], { stdio: 'ignore' });
      } catch {
        // no agent was started
      }
    }

    console.log(`crypto benchmark: ${mib} MiB of incompressible data, Node ${process.version}${gpgVersion ? `, ${gpgVersion}` : ''}`);
    console.table(rows);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--phase') await phase(process.argv[3], process.argv[4]);
else await main();
