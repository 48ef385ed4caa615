import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { zstdFilter } from './zstd.js';

/** The plaintext payload as a file: the decrypted file itself, or its zstd-decompressed copy in `workDir`. */
export async function plainPayload(payloadPath: string, compression: 'none' | 'zstd', workDir: string, name: string, env: Record<string, string | undefined>): Promise<string> {
  if (compression === 'none') return payloadPath;
  const out = join(workDir, name);
  const decompressor = zstdFilter('decompress', env);
  await Promise.all([pipeline(createReadStream(payloadPath), decompressor.stream, createWriteStream(out, { mode: 0o600 })), decompressor.done]);
  return out;
}
