import { join } from 'node:path';
import { decompressFile } from '../../process/zstd.js';
import { zstdFilter } from './zstd.js';

/** The plaintext payload as a file: the decrypted file itself, or its zstd-decompressed copy in `workDir`. */
export async function plainPayload(payloadPath: string, compression: 'none' | 'zstd', workDir: string, name: string, env: Record<string, string | undefined>): Promise<string> {
  if (compression === 'none') return payloadPath;
  const out = join(workDir, name);
  await decompressFile(payloadPath, out, zstdFilter('decompress', env));
  return out;
}
