import { nodeHasZstd, startZstd, zstdAvailable, type ZstdFilter, type ZstdSettings } from '../../process/zstd.js';
import { RedisError } from './errors.js';

const FIX = 'Install zstd, run on Node 22.15 or newer, or set `redis-compression: none`';

/** The errors a Redis zstd stage names. */
export function redisZstd(direction: 'compress' | 'decompress'): ZstdSettings {
  return {
    missing: () => new RedisError('zstd-missing', `zstd ${direction === 'compress' ? 'compression' : 'decompression'} needs Node 22.15 or newer, or the \`zstd\` program on PATH; neither is here.`, FIX),
    failed: (message) => new RedisError('zstd-failed', message),
  };
}

/**
 * zstd through node:zlib where Node has it (22.15+, and so the Node 24 actions), else the
 * `zstd` program, started with the allow-listed environment only.
 */
export function zstdFilter(direction: 'compress' | 'decompress', env: Record<string, string | undefined>): ZstdFilter {
  return startZstd(direction, env, redisZstd(direction), nodeHasZstd() ? 'node' : 'program');
}

/** Fails now, before any data is read, when zstd cannot run here (no node:zlib zstd, no `zstd` program). */
export async function assertZstdAvailable(env: Record<string, string | undefined>): Promise<void> {
  if (await zstdAvailable(env)) return;
  throw new RedisError('zstd-missing', '`redis-compression: zstd` needs Node 22.15 or newer, or the `zstd` program on PATH; neither is here.', FIX);
}
