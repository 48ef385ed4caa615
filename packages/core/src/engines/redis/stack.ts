import { RedisCheckDefinitionError } from './errors.js';
import { withClient } from './client.js';
import { readOnlyRefusal, replyRows, splitCommand } from './checks.js';
import type { RedisRestoredTarget } from './drill.js';

/** How many EXISTS are in flight at once (the client pipelines them). */
const BATCH = 500;

/** The keys of `keys` that database 0 of the restored server lacks, in the order given. */
export async function missingKeys(target: RedisRestoredTarget, keys: readonly string[]): Promise<string[]> {
  return withClient(target.connection, async (client) => {
    const missing: string[] = [];
    for (let start = 0; start < keys.length; start += BATCH) {
      const batch = keys.slice(start, start + BATCH);
      const replies = await Promise.all(batch.map((key) => client.send(['EXISTS', key])));
      batch.forEach((key, index) => {
        if (Number(replies[index]) === 0) missing.push(key);
      });
    }
    return missing;
  });
}

/** Runs one read-only command in database 0 and returns its reply's rows' first values as text. */
export async function commandKeys(target: RedisRestoredTarget, command: string): Promise<string[]> {
  const args = splitCommand(command);
  if (args.length === 0) throw new RedisCheckDefinitionError('The key command is empty.', 'Give a read-only command, e.g. `SMEMBERS proofs:recent`.');
  return withClient(target.connection, async (client) => {
    const refusal = await readOnlyRefusal(client, args);
    if (refusal) throw new RedisCheckDefinitionError(`Key commands must only read: ${refusal}.`, 'Give a read-only command, e.g. `SMEMBERS proofs:recent`.');
    return replyRows(await client.send(args)).map((row) => String(row[0]));
  });
}
