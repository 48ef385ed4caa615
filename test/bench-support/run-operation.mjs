// One Lifeboat operation (backup or drill) in a Node process of its own, so its peak RSS is
// the library's alone. Started by runOperation() in ./operation.ts with an IPC channel: it
// receives { coreUrl, operation, values, env }, runs the core operation exactly as the CLI
// does (options resolved from kebab-case values), and answers with the outcome, its own
// timing and memory, then exits.
import process from 'node:process';

const RSS_SAMPLE_MS = 200;

process.once('message', async (request) => {
  let core;
  try {
    core = await import(request.coreUrl);
    const definition = core[`${request.operation}Operation`];
    const run = core[request.operation];
    if (!definition || typeof run !== 'function') throw new Error(`no operation ${request.operation} in ${request.coreUrl}`);
    const reporter = new core.MemoryReporter();
    // Each log line with the seconds since the operation started, to see where time goes.
    const log = [];
    let started = performance.now();
    for (const level of ['debug', 'info', 'warning', 'error']) {
      const write = reporter[level].bind(reporter);
      reporter[level] = (message) => {
        write(message);
        log.push(`${((performance.now() - started) / 1000).toFixed(2)}s ${level} ${reporter.lines.at(-1)?.message ?? ''}`);
      };
    }
    const context = core.createContext(reporter, 'cli', { ...process.env, ...request.env });
    const options = core.resolveOptions(definition, core.objectSource(request.values), (secret) => reporter.secret(secret));

    const rssBefore = process.memoryUsage().rss;
    // Sampled as well as the kernel's peak, to show whether memory grows during the run.
    const samples = [];
    const timer = setInterval(() => samples.push(process.memoryUsage().rss), RSS_SAMPLE_MS);
    started = performance.now();
    let outcome;
    try {
      outcome = await run(options, context);
    } finally {
      clearInterval(timer);
    }
    const seconds = (performance.now() - started) / 1000;
    const tenths = samples.length === 0 ? [] : Array.from({ length: 10 }, (_, i) => samples[Math.min(samples.length - 1, Math.floor(((i + 1) * samples.length) / 10))]);
    reply({
      ok: outcome.ok,
      failure: outcome.failure,
      outputs: outcome.outputs,
      data: JSON.parse(JSON.stringify(outcome.data ?? null)),
      seconds,
      rssBeforeMiB: rssBefore / 2 ** 20,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      rssByTenthMiB: tenths.map((rss) => rss / 2 ** 20),
      log,
      warnings: reporter.lines.filter((l) => l.level === 'warning' || l.level === 'error').map((l) => l.message),
    });
  } catch (error) {
    const failure = core?.describeError ? core.describeError(error) : `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
    reply({ ok: false, failure, thrown: true });
  }
});

function reply(message) {
  process.send(message, () => process.disconnect());
}
