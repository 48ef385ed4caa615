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
 *
 * Then a large synthetic upload (LIFEBOAT_BENCH_S3_GIB, default 4; the 50 GiB figure is
 * `LIFEBOAT_BENCH_S3_GIB=50`) to a protocol-level S3 peer on loopback that counts and discards
 * bodies, with 10,000 and with 1,000 parts allowed (`s3-max-parts`): peak RSS, the part size
 * planned and the parts the peer received.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const coreDir = resolve(process.env.LIFEBOAT_BENCH_CORE || join(here, '../../packages/core/lib'));
const mib = Number(process.env.LIFEBOAT_BENCH_MIB || 1024);
const largeGib = Number(process.env.LIFEBOAT_BENCH_S3_GIB || 4);
const CHUNK = 1 << 20;

/**
 * `total` MiB of incompressible bytes: a random 16 MiB pool, each chunk stamped with its index.
 * With `views`, chunks are views of the pool instead (unstamped): the generator then makes no
 * garbage of its own, so peak RSS is the store's.
 */
function generated(total, views = false) {
  const pool = randomBytes(16 * CHUNK);
  let index = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (index === total) return this.push(null);
      const offset = (index % 16) * CHUNK;
      const view = pool.subarray(offset, offset + CHUNK);
      if (views) {
        index++;
        return this.push(view);
      }
      const chunk = Buffer.from(view);
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
  const size = (config.mib ?? mib) * CHUNK;
  const expectedSize = config.hint ? size : undefined;
  const plan = core.planUpload(expectedSize, config.options.s3PartSize, config.options.s3MaxParts);
  const started = performance.now();
  const result = await store.put('bench/object', generated(config.mib ?? mib, config.views), { expectedSize });
  const seconds = (performance.now() - started) / 1000;
  if (result.size !== size) throw new Error(`stored ${result.size} bytes`);
  console.log(
    JSON.stringify({
      seconds,
      mibPerSecond: size / CHUNK / seconds,
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

/**
 * A protocol-level S3 peer that keeps no bytes: multipart uploads (create, parts, complete,
 * abort), PutObject and HEAD, path-style, any credentials. It counts each upload's parts and
 * bytes (the decoded length of aws-chunked bodies), so a 50 GiB upload needs no disk.
 */
async function startDiscardingS3() {
  const objects = new Map(); // key → size
  const uploads = new Map(); // uploadId → { key, parts: Map<number, size> }
  let nextUpload = 1;
  const xml = (res, body) => {
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://peer');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    let bytes = 0;
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => {
      const decoded = Number(req.headers['x-amz-decoded-content-length'] ?? bytes);
      const q = url.searchParams;
      if (req.method === 'POST' && q.has('uploads')) {
        const id = `u${nextUpload++}`;
        uploads.set(id, { key, parts: new Map() });
        return xml(res, `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
      }
      if (req.method === 'PUT' && q.has('uploadId')) {
        uploads.get(q.get('uploadId'))?.parts.set(Number(q.get('partNumber')), decoded);
        res.writeHead(200, { etag: `"part-${q.get('partNumber')}"` });
        return res.end();
      }
      if (req.method === 'POST' && q.has('uploadId')) {
        const upload = uploads.get(q.get('uploadId'));
        const sizes = [...upload.parts.values()];
        objects.set(key, { size: sizes.reduce((a, b) => a + b, 0), parts: sizes.length, largestPart: Math.max(...sizes) });
        uploads.delete(q.get('uploadId'));
        return xml(res, `<CompleteMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><ETag>"done-${sizes.length}"</ETag></CompleteMultipartUploadResult>`);
      }
      if (req.method === 'DELETE') {
        uploads.delete(q.get('uploadId'));
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'PUT') {
        objects.set(key, { size: decoded, parts: 1, largestPart: decoded });
        res.writeHead(200, { etag: '"single"' });
        return res.end();
      }
      if (req.method === 'HEAD') {
        const object = objects.get(key);
        if (!object) {
          res.writeHead(404);
          return res.end();
        }
        res.writeHead(200, { 'content-length': String(object.size), etag: '"x"', 'last-modified': new Date().toUTCString() });
        return res.end();
      }
      res.writeHead(501);
      res.end();
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, objects, close: () => new Promise((done) => server.close(done)) };
}

/** Large synthetic uploads to the discarding peer: memory must not follow the size. */
async function large() {
  const peer = await startDiscardingS3();
  try {
    const env = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' };
    const options = { store: 's3://bench/large', s3Endpoint: peer.endpoint, s3ForcePathStyle: true };
    console.log(`\nUploading ${largeGib} GiB of incompressible data to a loopback S3 peer that discards bodies; one process per row.`);
    console.log('| s3-max-parts | size hint | part planned | parts received | largest part | time | throughput | peak RSS |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    const folder = await mkdtemp(join(tmpdir(), 'lifeboat-bench-large-'));
    try {
      const r = await child({ label: 'large folder', options: { store: folder }, env: {}, mib: Math.min(largeGib, 4) * 1024, views: true });
      console.log(`| (a folder store, ${Math.min(largeGib, 4)} GiB, for the base) | | | | | ${r.seconds.toFixed(0)} s | ${r.mibPerSecond.toFixed(0)} MiB/s | ${r.peakRssMiB.toFixed(0)} MiB |`);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
    for (const [maxParts, hint] of [[10_000, true], [1_000, true], [10_000, false]]) {
      const r = await child({ label: `large ${maxParts}`, options: { ...options, s3MaxParts: maxParts }, env, hint, mib: largeGib * 1024, views: true });
      const stored = peer.objects.get('large/bench/object');
      console.log(
        `| ${maxParts} | ${hint ? 'yes' : 'no'} | ${r.partMiB} MiB | ${stored.parts} | ${(stored.largestPart / CHUNK).toFixed(0)} MiB | ${r.seconds.toFixed(0)} s | ${r.mibPerSecond.toFixed(0)} MiB/s | ${r.peakRssMiB.toFixed(0)} MiB |`,
      );
      if (stored.parts > maxParts) throw new Error(`${stored.parts} parts sent where ${maxParts} are allowed`);
      peer.objects.delete('large/bench/object');
    }
  } finally {
    await peer.close();
  }
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
else if (process.argv[2] === '--large') await large();
else {
  await main();
  await large();
}
