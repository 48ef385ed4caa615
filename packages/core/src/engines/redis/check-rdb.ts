import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { CheckResult } from '../../catalog/drill-record.js';
import { childEnv } from '../../process/child-env.js';
import { spawnTool } from '../../process/spawn-tool.js';
import { RedisServerUnavailableError } from './errors.js';

/** Where redis-check-rdb is: beside the redis-server given, else on PATH. */
export function checkRdbPath(serverPath: string | undefined): string {
  if (serverPath && serverPath.includes('/')) {
    const beside = join(dirname(serverPath), 'redis-check-rdb');
    if (existsSync(beside)) return beside;
  }
  return 'redis-check-rdb';
}

/**
 * Runs `redis-check-rdb` on a decrypted snapshot: Redis's own verdict on the file (structure
 * and CRC-64), before any server loads it. The check fails with the tool's error lines.
 */
export async function checkRdbFile(file: string, options: { serverPath?: string; env: Record<string, string | undefined>; signal?: AbortSignal }): Promise<CheckResult> {
  const path = checkRdbPath(options.serverPath);
  const run = spawnTool(path, [file], {
    env: childEnv(options.env),
    stdout: 'pipe',
    signal: options.signal,
    missing: () =>
      new RedisServerUnavailableError('redis-check-rdb was not found (not on PATH).', 'Install redis-tools (Debian, Ubuntu) or redis (Homebrew), or set `redis-server-path` to a redis-server with redis-check-rdb beside it'),
  });
  const lines: string[] = [];
  run.stdout!.setEncoding('utf8');
  run.stdout!.on('data', (text: string) => {
    for (const line of text.split('\n')) if (line.trim()) lines.push(line.trim());
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  });
  const exit = await run.exit;
  if (exit.spawnError) throw exit.spawnError;
  const ok = exit.exitCode === 0 && lines.some((l) => /RDB looks OK/.test(l));
  const keys = lines.map((l) => /(\d+) keys read/.exec(l)?.[1]).find(Boolean);
  const problem = lines.filter((l) => /ERROR|additional info|Unexpected|Wrong|Bad|checksum/i.test(l)).slice(0, 6).join(' / ');
  return {
    name: 'redis-check-rdb finds the snapshot sound',
    kind: 'redis-check-rdb',
    ok,
    expected: 'RDB looks OK',
    actual: ok ? `RDB looks OK${keys ? `, ${keys} keys read` : ''}` : 'errors',
    ...(ok ? {} : { message: problem || exit.stderrTail || `redis-check-rdb exited with ${exit.exitCode ?? exit.signal}` }),
  };
}
