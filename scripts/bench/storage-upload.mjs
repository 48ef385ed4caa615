#!/usr/bin/env node
/**
 * Upload throughput and memory of the stores: streams generated, incompressible data into a
 * folder store and into S3 (s3rver on loopback) with different multipart plans, each run in
 * its own process so its peak RSS is its own. Memory should follow the plan's
 * partSize × (queueSize + 2), whatever the object's size.
 *
 *   npm run build:ts && [LIFEBOAT_BENCH_MIB=1024] node scripts/bench/storage-upload.mjs
 *
 * LIFEBOAT_BENCH_CORE may point at another build of packages/core (a folder with index.js).
 * s3rver is slow (it hashes and writes every part to disk), so S3 figures are lower bounds.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
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

/** One upload in this process; prints a JSON line for the parent. */
async function run(config) {
  const core = await import(pathToFileURL(join(coreDir, 'index.js')).href);
  const context = core.createContext(new core.MemoryReporter(), 'cli', { ...process.env, ...config.env });
  const store = await core.openStore(config.options, context);
  const expectedSize = config.hint ? mib * CHUNK : undefined;
  const plan = core.planUpload(expectedSize, config.options.s3PartSize);
  const started = performance.now();
  const result = await store.put('bench/object', generated(), { expectedSize });
  const seconds = (performance.now() - started) / 1000;
  if (result.size !== mib * CHUNK) throw new Error(`stored ${result.size} bytes`);
  console.log(
    JSON.stringify({
      seconds,
      mibPerSecond: mib / seconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      partMiB: plan.partSize / CHUNK,
      queueSize: plan.queueSize,
    }),
  );
}

function child(config) {
  return new Promise((done, fail) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--run', JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('exit', (code) => (code === 0 ? done(JSON.parse(out.trim().split('\n').pop())) : fail(new Error(`${config.label} exited ${code}`))));
  });
}

async function startS3rver(dataDir) {
  const proc = fork(join(here, '../../test/services/s3rver-process.mjs'), [dataDir], {
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise((done, fail) => {
    proc.once('message', (m) => done(m.port));
    proc.once('exit', () => fail(new Error('s3rver exited')));
  });
  return { proc, endpoint: `http://127.0.0.1:${port}` };
}

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'lifeboat-bench-storage-'));
  const s3 = await startS3rver(join(work, 's3'));
  try {
    const core = await import(pathToFileURL(join(coreDir, 'index.js')).href);
    const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const admin = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    await admin.send(new CreateBucketCommand({ Bucket: 'bench' }));
    admin.destroy();
    const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
    const s3Options = { store: 's3://bench/run', s3Endpoint: s3.endpoint, s3ForcePathStyle: true };
    const configs = [
      { label: 'folder', options: { store: join(work, 'folder') }, env: {} },
      { label: 's3, size hint', options: s3Options, env, hint: true },
      { label: 's3, no hint', options: s3Options, env },
      { label: 's3, s3-part-size 64MiB', options: { ...s3Options, s3PartSize: 64 * CHUNK }, env },
    ];
    console.log(`Uploading ${core.formatBytes(mib * CHUNK)} of incompressible data; one process per row.`);
    console.log('| store | part | parts in flight | time | throughput | peak RSS |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const config of configs) {
      const r = await child(config);
      const part = config.label === 'folder' ? '-' : `${r.partMiB} MiB`;
      const queue = config.label === 'folder' ? '-' : String(r.queueSize);
      console.log(
        `| ${config.label} | ${part} | ${queue} | ${r.seconds.toFixed(1)} s | ${r.mibPerSecond.toFixed(0)} MiB/s | ${r.peakRssMiB.toFixed(0)} MiB |`,
      );
    }
  } finally {
    s3.proc.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--run') await run(JSON.parse(process.argv[3]));
else await main();
