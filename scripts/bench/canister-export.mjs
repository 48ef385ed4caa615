#!/usr/bin/env node
// Canister export benchmark: exports a synthetic hub (default 10,000 users × 50 notes, two
// proposals each) from the protocol-level peer (test/canister/protocol-peer.mjs, run in its
// own process so its memory is not counted) and prints records/s and the exporter's RSS over
// time. Memory must stay flat: the export streams, it never holds the whole export.
//
//   node --expose-gc scripts/bench/canister-export.mjs [users] [notes-per-user] [concurrency]
//
// (--expose-gc adds the live heap after a collection at each tenth of the run.)
// Run alone, it imports the built library (`npm run build:ts` first); LIFEBOAT_CORE_MODULE
// points at another build's index.js instead (`npm run bench` passes a compiled copy of the
// current source).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [users = 10_000, notes = 50, concurrency = 8] = process.argv.slice(2).map(Number);
const core = await import(process.env.LIFEBOAT_CORE_MODULE ? pathToFileURL(process.env.LIFEBOAT_CORE_MODULE).href : '../../packages/core/lib/index.js');
const peerScript = fileURLToPath(new URL('../../test/canister/protocol-peer.mjs', import.meta.url));
const exportKey = 'bench-export-key-0000';

const peer = spawn(process.execPath, [peerScript, String(users), String(notes), exportKey], { stdio: ['ignore', 'pipe', 'inherit'] });
const [firstLine] = await once(createInterface({ input: peer.stdout }), 'line');
const url = String(firstLine).trim();

try {
  const warnings = [];
  const reporter = new core.MemoryReporter();
  reporter.warning = (message) => warnings.push(message);
  const context = { reporter, env: process.env, surface: 'library', tempDir: process.cwd(), now: () => new Date() };
  const source = core.createCanisterSource(
    {
      canisterUrl: url,
      exportKey,
      pageSize: 500,
      concurrency,
      requestTimeout: 60_000,
      retries: 5,
      retryDelay: 200,
      retryMaxDelay: 5_000,
    },
    context,
  );

  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const samples = [];
  const started = performance.now();
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peak = Math.max(peak, rss);
    // With --expose-gc the live heap is measured too: RSS alone also shows how lazily V8 collects.
    globalThis.gc?.();
    samples.push({ seconds: (performance.now() - started) / 1000, rss, heap: process.memoryUsage().heapUsed });
  }, 250);

  let bytes = 0;
  const run = await source.start(new AbortController().signal);
  await pipeline(
    run.stream,
    new Writable({
      write(chunk, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    }),
  );
  const result = await run.result;
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  const { counts } = result.manifest;
  const records = counts.users + counts.vaults + counts.proposals + 2;
  const mib = (n) => Math.round((n / 1024 / 1024) * 10) / 10;
  // RSS at each tenth of the run: flat means the export streams.
  const tenths = Array.from({ length: 10 }, (_, i) => samples[Math.min(samples.length - 1, Math.floor(((i + 1) * samples.length) / 10) - 1)]).filter(Boolean);
  const report = {
    node: process.versions.node,
    users,
    notesPerUser: notes,
    concurrency,
    compression: `${result.manifest.compression} (${result.manifest.compressor})`,
    complete: result.manifest.complete,
    counts,
    records,
    seconds: Math.round(seconds * 10) / 10,
    recordsPerSecond: Math.round(records / seconds),
    notesPerSecond: Math.round(counts.notes / seconds),
    compressedMiB: mib(bytes),
    requests: result.stats.requests,
    retries: result.stats.retries,
    rssBaselineMiB: mib(baseline),
    rssPeakMiB: mib(peak),
    rssByTenthMiB: tenths.map((s) => mib(s.rss)),
    ...(globalThis.gc ? { liveHeapByTenthMiB: tenths.map((s) => mib(s.heap)) } : {}),
    warnings,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  peer.kill('SIGTERM');
  await once(peer, 'exit');
}
