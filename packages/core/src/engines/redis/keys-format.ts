import type { Readable } from 'node:stream';
import { RedisRecordFileError } from './errors.js';

/**
 * The record file of `redis-mode: keys` (`lifeboat-redis-keys/1`, payload `keys.lbrk`): a
 * header, then records, each a tag byte and big-endian, length-prefixed fields:
 *
 *   header   8 bytes   `LBRKEYS1`
 *   `F`      functions u32 payload length, payload (the server's FUNCTION DUMP output, FUNCTION RESTORE input)
 *   `S`      select    u32 database number; the keys that follow belong to it
 *   `K`      key       u32 key length, key bytes,
 *                      i64 absolute expiry in Unix milliseconds (-1: none),
 *                      u32 payload length, payload bytes (the server's DUMP output, RESTORE input)
 *   `E`      end       u64 number of `K` records in the file; nothing may follow
 *
 * A file without its `E` record, or whose count differs, is incomplete. Each DUMP payload
 * carries its own RDB version and CRC-64, which RESTORE checks.
 */
export const KEYS_MAGIC = Buffer.from('LBRKEYS1', 'latin1');

const TAG_FUNCTIONS = 0x46;
const TAG_SELECT = 0x53;
const TAG_KEY = 0x4b;
const TAG_END = 0x45;

/** The header bytes. */
export function encodeHeader(): Buffer {
  return Buffer.from(KEYS_MAGIC);
}

/** A functions record: every function library of the server, as FUNCTION DUMP gives them. */
export function encodeFunctions(payload: Buffer): Buffer {
  const out = Buffer.alloc(5 + payload.length);
  out[0] = TAG_FUNCTIONS;
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, 5);
  return out;
}

/** A select record. */
export function encodeSelect(db: number): Buffer {
  const out = Buffer.alloc(5);
  out[0] = TAG_SELECT;
  out.writeUInt32BE(db, 1);
  return out;
}

/** A key record. */
export function encodeKey(key: Buffer, expireAt: number | undefined, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(keyRecordSize(key, payload));
  writeKey(out, 0, key, expireAt, payload);
  return out;
}

/** Bytes of a key record. */
export function keyRecordSize(key: Buffer, payload: Buffer): number {
  return 1 + 4 + key.length + 8 + 4 + payload.length;
}

/** Writes a key record into `out` at `at` (room checked by the caller); returns where it ends. */
export function writeKey(out: Buffer, at: number, key: Buffer, expireAt: number | undefined, payload: Buffer): number {
  out[at++] = TAG_KEY;
  out.writeUInt32BE(key.length, at);
  at += 4;
  key.copy(out, at);
  at += key.length;
  out.writeBigInt64BE(BigInt(expireAt ?? -1), at);
  at += 8;
  out.writeUInt32BE(payload.length, at);
  at += 4;
  return at + payload.copy(out, at);
}

/** The end record. */
export function encodeEnd(count: number): Buffer {
  const out = Buffer.alloc(9);
  out[0] = TAG_END;
  out.writeBigUInt64BE(BigInt(count), 1);
  return out;
}

/** One key of a record file. */
export interface KeyRecord {
  readonly db: number;
  readonly key: Buffer;
  readonly expireAt?: number;
  readonly payload: Buffer;
}

/** The RDB type byte and RDB version of a DUMP payload (first byte; the 2 bytes before the CRC). */
export function payloadInfo(payload: Buffer): { type: number; rdbVersion: number } {
  if (payload.length < 11) return { type: -1, rdbVersion: 0 };
  return { type: payload[0]!, rdbVersion: payload.readUInt16LE(payload.length - 10) };
}

/**
 * Reads a record file as it streams, yielding its keys; fails naming the problem when the
 * file is not a record file, is cut short, or its end record disagrees with its contents.
 */
export async function* readKeyRecords(input: Readable, options: { onFunctions?: (payload: Buffer) => void } = {}): AsyncGenerator<KeyRecord, { count: number }> {
  let buffer: Buffer = Buffer.alloc(0);
  let offset = 0; // bytes of the file before `buffer`
  let db = 0;
  let count = 0;
  let headerRead = false;
  let ended = false;
  const damaged = (what: string) => new RedisRecordFileError(`The keys file is damaged at byte ${offset}: ${what}.`);
  for await (const chunk of input as AsyncIterable<Buffer>) {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    let at = 0;
    if (!headerRead) {
      if (buffer.length < KEYS_MAGIC.length) continue;
      if (!buffer.subarray(0, KEYS_MAGIC.length).equals(KEYS_MAGIC)) {
        throw new RedisRecordFileError('The payload is not a Lifeboat Redis keys file (it does not start with LBRKEYS1).');
      }
      at = KEYS_MAGIC.length;
      headerRead = true;
    }
    for (;;) {
      if (at >= buffer.length) break;
      if (ended) throw damaged('bytes after the end record');
      const tag = buffer[at]!;
      if (tag === TAG_FUNCTIONS) {
        if (buffer.length - at < 5) break;
        const length = buffer.readUInt32BE(at + 1);
        if (buffer.length - at < 5 + length) break;
        options.onFunctions?.(Buffer.from(buffer.subarray(at + 5, at + 5 + length)));
        at += 5 + length;
      } else if (tag === TAG_SELECT) {
        if (buffer.length - at < 5) break;
        db = buffer.readUInt32BE(at + 1);
        at += 5;
      } else if (tag === TAG_KEY) {
        if (buffer.length - at < 5) break;
        const keyLength = buffer.readUInt32BE(at + 1);
        const fixed = 1 + 4 + keyLength + 8 + 4;
        if (buffer.length - at < fixed) break;
        const payloadLength = buffer.readUInt32BE(at + fixed - 4);
        if (buffer.length - at < fixed + payloadLength) break;
        const key = Buffer.from(buffer.subarray(at + 5, at + 5 + keyLength));
        const expiry = Number(buffer.readBigInt64BE(at + 5 + keyLength));
        const payload = Buffer.from(buffer.subarray(at + fixed, at + fixed + payloadLength));
        at += fixed + payloadLength;
        count++;
        yield { db, key, expireAt: expiry >= 0 ? expiry : undefined, payload };
      } else if (tag === TAG_END) {
        if (buffer.length - at < 9) break;
        const recorded = Number(buffer.readBigUInt64BE(at + 1));
        if (recorded !== count) throw damaged(`the end record counts ${recorded} keys, the file holds ${count}`);
        at += 9;
        ended = true;
      } else throw damaged(`unknown record tag 0x${tag.toString(16)}`);
    }
    offset += at;
    buffer = buffer.subarray(at);
  }
  if (!headerRead) throw new RedisRecordFileError('The keys file is empty or shorter than its header.');
  if (!ended || buffer.length > 0) {
    throw new RedisRecordFileError(`The keys file ends short after ${offset + buffer.length} bytes (${count} keys read, no end record).`, 'The backup is incomplete or damaged; use another backup id.');
  }
  return { count };
}
