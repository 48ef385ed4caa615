// One Lifeboat Redis backup in a Node process of its own, so its peak RSS is the library's
// alone. Started by runRedisBackup() in ./redis-backup.ts with an IPC channel: it receives
// { libDir, url, mode, store, recipients }, runs the Redis engine's source through the
// pipeline's runBackup as the backup operation will, and answers with its timing and memory.
import process from 'node:process';
import { pathToFileURL } from 'node:url';

process.once('message', async (request) => {
  try {
    const load = (path) => import(pathToFileURL(`${request.libDir}/${path}`).href);
    const core = await load('index.js');
    const { parseRedisUrl } = await load('engines/redis/connection.js');
    const { createRedisSource } = await load('engines/redis/source.js');
    const { runBackup } = await load('pipeline/run-backup.js');
    const { openStore } = await load('storage/open-store.js');
    const reporter = new core.MemoryReporter();
    const context = core.createContext(reporter, 'cli', process.env);
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const encryption = await core.prepareEncryption({ encryption: 'openpgp', recipients: request.recipients }, reporter, { now: new Date() });
    const store = await openStore({ store: request.store }, context);
    const source = await createRedisSource({ connection: parseRedisUrl(request.url), mode: request.mode, reporter });
    const result = await runBackup(source, { store, name: 'bench', encryption }, context);
    reply({
      ok: true,
      seconds: (performance.now() - started) / 1000,
      size: result.payload.size,
      plaintextBytes: result.plaintextBytes,
      stats: result.source.stats,
      rssBeforeMiB: rssBefore / 2 ** 20,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    });
  } catch (error) {
    reply({ ok: false, failure: `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}` });
  }
});

function reply(message) {
  process.send(message, () => process.disconnect());
}
