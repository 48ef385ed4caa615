import { createReadStream } from 'node:fs';
import type { CommandClient } from './client.js';
import { isErrorReply } from './client.js';
import { describeRedis } from './connection.js';
import { RedisRestoreError } from './errors.js';
import { readKeyRecords } from './keys-format.js';
import { dumpPayload, RdbReader, type RdbEntry } from './rdb-reader.js';

/** What writing a backup's keys into a server did, per database. */
export interface KeysRestored {
  readonly databases: Record<number, { restored: number; withExpiry: number; expiredBefore: number; duplicates: number; duplicatesWithExpiry: number }>;
  /** Function libraries loaded (rdb payloads). */
  readonly functions: number;
}

/** RESTOREs in flight at once (pipelined on one connection). */
const IN_FLIGHT = 500;

/**
 * Writes every key of a decrypted payload into a server with RESTORE (absolute expiries, so
 * a key keeps the expiry it had; one already past is not created): from an RDB, each key's
 * value as the RDB serializes it (what DUMP produces); from a keys-mode record file, the
 * DUMP payloads as recorded. SCAN may have returned a key twice in keys mode; the second
 * RESTORE then finds it (BUSYKEY) and it counts as a duplicate. Function libraries of an
 * RDB are loaded with FUNCTION LOAD.
 */
export async function restoreKeys(client: CommandClient, payloadPath: string, format: 'rdb' | 'lifeboat-redis-keys/1'): Promise<KeysRestored> {
  const databases: KeysRestored['databases'] = {};
  let functions = 0;
  let selected = -1;
  let pending: Promise<void>[] = [];
  const restoreOne = (db: number, key: Buffer, expireAt: number | undefined, payload: Buffer, allowDuplicate: boolean) => {
    const counts = (databases[db] ??= { restored: 0, withExpiry: 0, expiredBefore: 0, duplicates: 0, duplicatesWithExpiry: 0 });
    if (db !== selected) {
      pending.push(client.send(['SELECT', String(db)]).then(() => undefined));
      selected = db;
    }
    if (expireAt !== undefined && expireAt <= Date.now()) {
      counts.expiredBefore++;
      return;
    }
    const args = ['RESTORE', key, String(expireAt ?? 0), payload, ...(expireAt !== undefined ? ['ABSTTL'] : [])];
    pending.push(
      client.sendBuffers(args).then(
        () => {
          counts.restored++;
          if (expireAt !== undefined) counts.withExpiry++;
        },
        (error: unknown) => {
          const message = String((error as Error)?.message ?? error);
          if (allowDuplicate && /BUSYKEY/.test(message)) {
            counts.duplicates++;
            if (expireAt !== undefined) counts.duplicatesWithExpiry++;
            return;
          }
          throw restoreFailure(message, key, client, error);
        },
      ),
    );
  };
  const drain = async () => {
    const batch = pending;
    pending = [];
    await Promise.all(batch);
  };

  if (format === 'rdb') {
    const entries: RdbEntry[] = [];
    const codes: Buffer[] = [];
    const reader = new RdbReader({ onEntry: (entry) => entries.push(entry), onFunction: (fn) => codes.push(fn.code) });
    const flush = async () => {
      for (const code of codes.splice(0)) {
        await client.send(['FUNCTION', 'LOAD', code.toString('utf8')]).catch((error: unknown) => {
          throw new RedisRestoreError(`Loading a function library of the snapshot into ${describeRedis(client.connection)} failed: ${(error as Error).message}`, 'Check that the target supports Redis functions (7.0+) and holds no library of the same name', { cause: error });
        });
        functions++;
      }
      for (const entry of entries.splice(0)) {
        restoreOne(entry.db, entry.key, entry.expireAt, dumpPayload(entry.type, entry.value, reader.rdbVersion), false);
        if (pending.length >= IN_FLIGHT) await drain();
      }
    };
    for await (const chunk of createReadStream(payloadPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      reader.push(chunk);
      await flush();
    }
    reader.end();
    await flush();
  } else {
    const libraries: Buffer[] = [];
    for await (const record of readKeyRecords(createReadStream(payloadPath, { highWaterMark: 1 << 20 }), { onFunctions: (payload) => libraries.push(payload) })) {
      for (const payload of libraries.splice(0)) functions += await restoreFunctions(client, payload);
      restoreOne(record.db, record.key, record.expireAt, record.payload, true);
      if (pending.length >= IN_FLIGHT) await drain();
    }
    for (const payload of libraries.splice(0)) functions += await restoreFunctions(client, payload);
  }
  await drain();
  await client.send(['SELECT', '0']);
  return { databases, functions };
}

/** FUNCTION RESTORE of a keys file's functions record; returns the number of libraries the server then has. */
async function restoreFunctions(client: CommandClient, payload: Buffer): Promise<number> {
  try {
    await client.sendBuffers(['FUNCTION', 'RESTORE', payload]);
  } catch (error) {
    throw new RedisRestoreError(`Restoring the backup's function libraries into ${describeRedis(client.connection)} failed: ${(error as Error).message}`, 'Check that the target supports Redis functions (7.0+) and holds no library of the same name', { cause: error });
  }
  const listed = (await client.send(['FUNCTION', 'LIST'])) as unknown[];
  return Array.isArray(listed) ? listed.length : 0;
}

function restoreFailure(message: string, key: Buffer, client: CommandClient, cause: unknown): RedisRestoreError {
  const where = describeRedis(client.connection);
  if (/payload version or checksum are wrong|Bad data format/i.test(message)) {
    return new RedisRestoreError(
      `${where} cannot read the backup's serialized values (${message.replace(/^.*?: /, '')}); it is older than the server the backup came from, or the value is damaged.`,
      'Restore into a Redis of the backup\'s major or newer',
      { cause },
    );
  }
  if (/BUSYKEY/.test(message)) return new RedisRestoreError(`${where} already holds a key the backup restores (${message}).`, 'Restore into an empty server', { cause });
  if (isErrorReply(cause) || /ERR|NOPERM|OOM/.test(message)) {
    return new RedisRestoreError(`RESTORE of key ${JSON.stringify(key.toString('utf8').slice(0, 80))} into ${where} failed: ${message}`, /OOM/.test(message) ? 'Give the target more memory (maxmemory)' : /NOPERM/.test(message) ? 'Use a user that may RESTORE (and SELECT every database)' : undefined, { cause });
  }
  return cause instanceof RedisRestoreError ? cause : new RedisRestoreError(`RESTORE into ${where} failed: ${message}`, undefined, { cause });
}
