/**
 * A process that starts a throwaway redis-server, prints its handle as one JSON line and
 * then waits to be killed. Run with `node --import ../../ephemeral/support/register-ts.mjs`.
 */
import { startThrowawayRedis } from '../../../packages/core/src/engines/redis/throwaway.js';

const [tempDir] = process.argv.slice(2);
const server = await startThrowawayRedis({ backupMajor: 7, databases: 16, tempDir: tempDir!, env: process.env, linuxRunner: false });
process.stdout.write(`${JSON.stringify({ pid: server.pid, dir: server.dir })}\n`);
setInterval(() => {}, 60_000);
