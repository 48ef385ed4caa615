import { joinFront } from './chunks.js';
import { Crc64 } from './crc64.js';
import { RedisSnapshotCorruptError } from './errors.js';
import { lzfDecompress } from './lzf.js';

/**
 * A streaming reader of Redis RDB files (format versions 1 to 12): fed the bytes in order,
 * in chunks of any size, it counts the keys of every database (and those with an expiry),
 * reads the header fields (AUX), checks the trailing CRC-64 and, when asked, hands out each
 * key with its value still in the RDB's own serialization, which is what RESTORE takes.
 *
 * Values are skipped, not decoded: memory stays flat whatever a value's size, except in
 * capture mode, which holds one value at a time. The layout follows the RDB format as
 * Redis's rdb.c writes it; anything it does not know (a value type from a newer Redis)
 * stops the read with an error naming the type, rather than counting wrongly.
 */

/** RDB opcodes (the byte before an entry). */
const OP = {
  SLOT_INFO: 0xf4,
  FUNCTION2: 0xf5,
  FUNCTION_PRE_GA: 0xf6,
  MODULE_AUX: 0xf7,
  IDLE: 0xf8,
  FREQ: 0xf9,
  AUX: 0xfa,
  RESIZEDB: 0xfb,
  EXPIRETIME_MS: 0xfc,
  EXPIRETIME: 0xfd,
  SELECTDB: 0xfe,
  EOF: 0xff,
} as const;

/** Value types whose whole value is one RDB string (ziplists, listpacks, intsets). */
const SINGLE_STRING_TYPES = new Set([0, 9, 10, 11, 12, 13, 16, 17, 20, 23]);

/** Names of the value types, for statistics and messages. */
export const RDB_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'string',
  1: 'list',
  2: 'set',
  3: 'zset',
  4: 'hash',
  5: 'zset',
  7: 'module',
  9: 'hash',
  10: 'list',
  11: 'set',
  12: 'zset',
  13: 'hash',
  14: 'list',
  15: 'stream',
  16: 'hash',
  17: 'zset',
  18: 'list',
  19: 'stream',
  20: 'set',
  21: 'stream',
  22: 'hash',
  23: 'hash',
  24: 'hash',
  25: 'hash',
};

/** Newest RDB format version this reader knows. */
export const NEWEST_RDB_VERSION = 12;

/** Per-database counts, as found in the snapshot. */
export interface RdbDatabaseCounts {
  readonly db: number;
  /** Key entries in the snapshot. */
  keys: number;
  /** Of those, keys with an expiry time. */
  expires: number;
  /** What the RDB's RESIZEDB record announced (Redis writes the exact sizes), when present. */
  announced?: { readonly keys: number; readonly expires: number };
  /** Keys per value type (`string`, `hash`, ...). */
  readonly types: Record<string, number>;
}

/** What a whole RDB contained. */
export interface RdbSummary {
  readonly rdbVersion: number;
  /** AUX fields as text (`redis-ver`, `redis-bits`, `ctime`, `used-mem`, `aof-base`, ...). */
  readonly aux: Readonly<Record<string, string>>;
  readonly databases: readonly RdbDatabaseCounts[];
  /** Function libraries (FUNCTION2 records). */
  readonly functions: number;
  /** Module AUX records (data of loaded modules outside the keyspace). */
  readonly moduleAux: number;
  /** `verified` (matched), `absent` (the server wrote 0: `rdbchecksum no`), `none` (RDB < 5). */
  readonly checksum: 'verified' | 'absent' | 'none';
  /** Bytes read, the checksum included. */
  readonly bytes: number;
}

/** One key of the snapshot, in capture mode. */
export interface RdbEntry {
  readonly db: number;
  readonly key: Buffer;
  /** RDB value type byte. */
  readonly type: number;
  /** Absolute expiry in Unix milliseconds, when the key has one. */
  readonly expireAt?: number;
  /** The value exactly as serialized in the RDB (without the type byte). */
  readonly value: Buffer;
}

/** A function library (FUNCTION2 record): its code, as FUNCTION LOAD takes it. */
export interface RdbFunction {
  readonly code: Buffer;
}

export interface RdbReaderOptions {
  /** Called with every key and its serialized value (capture mode); values are skipped without it. */
  readonly onEntry?: (entry: RdbEntry) => void;
  /** Called with every function library. */
  readonly onFunction?: (fn: RdbFunction) => void;
}

/** Raised inside the reader; the driver turns it into a RedisSnapshotCorruptError with the offset. */
class FormatError extends Error {}
class Truncated extends Error {}

/** The bytes fed so far and not yet consumed, as a queue of chunks (no copies except to join a few bytes). */
class Input {
  private chunks: Buffer[] = [];
  private pos = 0;
  available = 0;
  ended = false;
  consumed = 0;
  capture: Buffer[] | undefined;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
  }

  /** `n` contiguous bytes at the read position (joined when they span chunks); the caller checked availability. */
  view(n: number): { buf: Buffer; at: number } {
    if (n > this.available) throw new Truncated();
    const first = this.chunks[0]!;
    if (first.length - this.pos >= n) return { buf: first, at: this.pos };
    this.chunks[0] = first.subarray(this.pos);
    this.pos = 0;
    return { buf: joinFront(this.chunks, n), at: 0 };
  }

  /** Consumes up to `n` bytes; returns how many were consumed. */
  consume(n: number): number {
    let left = Math.min(n, this.available);
    const done = left;
    while (left > 0) {
      const first = this.chunks[0]!;
      const here = Math.min(first.length - this.pos, left);
      if (this.capture) this.capture.push(first.subarray(this.pos, this.pos + here));
      this.pos += here;
      left -= here;
      if (this.pos === first.length) {
        this.chunks.shift();
        this.pos = 0;
      }
    }
    this.available -= done;
    this.consumed += done;
    return done;
  }

  /** Reads and consumes `n` bytes (a copy only when they span chunks). */
  take(n: number): Buffer {
    const { buf, at } = this.view(n);
    const out = buf.subarray(at, at + n);
    this.consume(n);
    return out;
  }

  byte(): number {
    if (this.available < 1) throw new Truncated();
    const { buf, at } = this.view(1);
    const value = buf[at]!;
    this.consume(1);
    return value;
  }
}

/** A length, or a special string encoding (`encoded`: the 6-bit encoding number). */
interface Length {
  readonly value: number;
  readonly encoded: boolean;
}

type Step = Generator<void, void, void>;

/** Reads one RDB stream; call `push` for each chunk and `end` once the stream ended. */
export class RdbReader {
  private readonly input = new Input();
  private readonly crc = new Crc64();
  /** The last 8 bytes fed: the checksum, once the stream ended. */
  private held: Buffer = Buffer.alloc(0);
  private readonly steps: Step;
  private finished = false;
  private failed: Error | undefined;

  private version = 0;
  private readonly aux: Record<string, string> = {};
  private readonly databases = new Map<number, RdbDatabaseCounts>();
  private functions = 0;
  private moduleAux = 0;
  private storedChecksum: Buffer | undefined;
  private db = 0;

  constructor(private readonly options: RdbReaderOptions = {}) {
    this.steps = this.run();
  }

  /** Feeds the next chunk; throws RedisSnapshotCorruptError as soon as the bytes cannot be an RDB. */
  push(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    this.checksumFeed(chunk);
    this.input.push(chunk);
    this.advance();
  }

  /** The stream ended: checks that the RDB ended exactly there and that its checksum matches. */
  end(): RdbSummary {
    if (this.failed) throw this.failed;
    this.input.ended = true;
    this.advance();
    if (!this.finished) {
      throw this.fail(
        new RedisSnapshotCorruptError(
          `The snapshot ends short: the RDB stops after ${this.input.consumed + this.input.available} bytes, before its end-of-file marker.`,
          'The transfer was cut or the file is truncated; take the backup again (or use another backup id).',
        ),
      );
    }
    if (this.input.available > 0) {
      throw this.fail(new RedisSnapshotCorruptError(`The snapshot has ${this.input.available} bytes after the RDB's end-of-file marker and checksum.`, 'The file is damaged; use another backup id.'));
    }
    let checksum: RdbSummary['checksum'] = 'none';
    if (this.version >= 5) {
      const stored = this.storedChecksum!;
      if (stored.every((b) => b === 0)) checksum = 'absent';
      else if (!stored.equals(this.crc.digest())) {
        throw this.fail(
          new RedisSnapshotCorruptError(
            `The snapshot's CRC-64 does not match: the RDB says ${Buffer.from(stored).reverse().toString('hex')}, its bytes give ${this.crc.hex()}.`,
            'The bytes changed in transfer or storage; take the backup again (or use another backup id).',
          ),
        );
      } else checksum = 'verified';
    }
    return {
      rdbVersion: this.version,
      aux: { ...this.aux },
      databases: [...this.databases.values()].sort((a, b) => a.db - b.db),
      functions: this.functions,
      moduleAux: this.moduleAux,
      checksum,
      bytes: this.input.consumed,
    };
  }

  /** The RDB version, once the header was read (0 before). */
  get rdbVersion(): number {
    return this.version;
  }

  /** Everything but the stream's last 8 bytes goes into the CRC. */
  private checksumFeed(chunk: Buffer): void {
    if (chunk.length >= 8) {
      if (this.held.length > 0) this.crc.update(this.held);
      this.crc.update(chunk.subarray(0, chunk.length - 8));
      this.held = Buffer.from(chunk.subarray(chunk.length - 8));
      return;
    }
    const joined = Buffer.concat([this.held, chunk]);
    if (joined.length > 8) this.crc.update(joined.subarray(0, joined.length - 8));
    this.held = joined.length > 8 ? Buffer.from(joined.subarray(joined.length - 8)) : joined;
  }

  private advance(): void {
    if (this.finished) return;
    try {
      const step = this.steps.next();
      if (step.done) this.finished = true;
    } catch (error) {
      if (error instanceof Truncated) {
        throw this.fail(
          new RedisSnapshotCorruptError(
            `The snapshot ends short: the RDB stops after ${this.input.consumed + this.input.available} bytes, in the middle of a record.`,
            'The transfer was cut or the file is truncated; take the backup again (or use another backup id).',
          ),
        );
      }
      if (error instanceof FormatError) {
        throw this.fail(new RedisSnapshotCorruptError(`The snapshot is not a valid RDB at byte ${this.input.consumed}: ${error.message}.`, 'The bytes are damaged or not an RDB file; take the backup again (or use another backup id).'));
      }
      throw this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private fail(error: Error): Error {
    this.failed = error;
    return error;
  }

  /** Waits until `n` bytes are available or the stream ended (reads then fail as truncated). */
  private *wait(n: number): Step {
    while (this.input.available < n && !this.input.ended) yield;
  }

  private counts(db: number): RdbDatabaseCounts {
    let entry = this.databases.get(db);
    if (!entry) {
      entry = { db, keys: 0, expires: 0, types: {} };
      this.databases.set(db, entry);
    }
    return entry;
  }

  /** A length as rdbLoadLen reads it (bytes already available). */
  private length(): Length {
    const input = this.input;
    const { buf, at } = input.view(1);
    const first = buf[at]!;
    const kind = first >> 6;
    if (kind === 0) {
      input.consume(1);
      return { value: first & 0x3f, encoded: false };
    }
    if (kind === 1) {
      const v = input.view(2);
      const value = ((v.buf[v.at]! & 0x3f) << 8) | v.buf[v.at + 1]!;
      input.consume(2);
      return { value, encoded: false };
    }
    if (kind === 3) {
      input.consume(1);
      return { value: first & 0x3f, encoded: true };
    }
    if (first === 0x80) {
      const v = input.view(5);
      const value = v.buf.readUInt32BE(v.at + 1);
      input.consume(5);
      return { value, encoded: false };
    }
    if (first === 0x81) {
      const v = input.view(9);
      const value = Number(v.buf.readBigUInt64BE(v.at + 1));
      input.consume(9);
      return { value, encoded: false };
    }
    throw new FormatError(`unknown length encoding 0x${first.toString(16)}`);
  }

  /** A plain (not string-encoded) length, waiting for its bytes. */
  private *len(): Generator<void, number, void> {
    if (this.input.available < 9) yield* this.wait(9);
    const length = this.length();
    if (length.encoded) throw new FormatError('a string encoding where a length belongs');
    return length.value;
  }

  /** Reads a string header; returns the number of body bytes that follow and how to decode them. */
  private stringHeader(): { body: number; lzf?: number; int?: number } {
    const length = this.length();
    if (!length.encoded) return { body: length.value };
    switch (length.value) {
      case 0:
        return { body: 1, int: 1 };
      case 1:
        return { body: 2, int: 2 };
      case 2:
        return { body: 4, int: 4 };
      case 3: {
        const compressed = this.length();
        const plain = this.length();
        if (compressed.encoded || plain.encoded) throw new FormatError('a bad LZF string header');
        return { body: compressed.value, lzf: plain.value };
      }
      default:
        throw new FormatError(`unknown string encoding ${length.value}`);
    }
  }

  /** Skips one string, streaming its body (any size) through without holding it. */
  private *skipString(): Step {
    if (this.input.available < 19) yield* this.wait(19);
    yield* this.skipBody(this.stringHeader().body);
  }

  /** Consumes `n` bytes as they arrive. */
  private *skipBody(n: number): Step {
    let rest = n - this.input.consume(n);
    while (rest > 0) {
      if (this.input.ended) throw new Truncated();
      yield;
      rest -= this.input.consume(rest);
    }
  }

  /** Reads one string whole (AUX fields, keys, function code), decompressed. */
  private *readString(): Generator<void, Buffer, void> {
    if (this.input.available < 19) yield* this.wait(19);
    const header = this.stringHeader();
    if (this.input.available < header.body) yield* this.wait(header.body);
    const body = this.input.take(header.body);
    if (header.int === 1) return Buffer.from(String(body.readInt8(0)));
    if (header.int === 2) return Buffer.from(String(body.readInt16LE(0)));
    if (header.int === 4) return Buffer.from(String(body.readInt32LE(0)));
    if (header.lzf !== undefined) {
      try {
        return lzfDecompress(body, header.lzf);
      } catch (error) {
        throw new FormatError(`a compressed string does not decompress (${(error as Error).message})`);
      }
    }
    return Buffer.from(body);
  }

  private *skipBytes(n: number): Step {
    if (this.input.available < n) yield* this.wait(n);
    if (this.input.consume(n) < n) throw new Truncated();
  }

  /** A double as RDB v1 ZSETs store it: a length byte (253 nan, 254 +inf, 255 -inf) and that many ASCII bytes. */
  private *skipAsciiDouble(): Step {
    if (this.input.available < 1) yield* this.wait(1);
    const length = this.input.byte();
    if (length < 253) yield* this.skipBytes(length);
  }

  private *skipModuleValue(): Step {
    for (;;) {
      const opcode = yield* this.len();
      if (opcode === 0) return;
      if (opcode === 1 || opcode === 2) yield* this.len();
      else if (opcode === 3) yield* this.skipBytes(4);
      else if (opcode === 4) yield* this.skipBytes(8);
      else if (opcode === 5) yield* this.skipString();
      else throw new FormatError(`unknown module value opcode ${opcode}`);
    }
  }

  /** Skips one value of `type`, following the layout rdb.c writes. */
  private *skipValue(type: number): Step {
    if (SINGLE_STRING_TYPES.has(type)) return yield* this.skipString();
    switch (type) {
      case 1: // list of strings
      case 2: // set
      case 14: {
        // quicklist of ziplists
        const n = yield* this.len();
        for (let i = 0; i < n; i++) yield* this.skipString();
        return;
      }
      case 3: {
        const n = yield* this.len();
        for (let i = 0; i < n; i++) {
          yield* this.skipString();
          yield* this.skipAsciiDouble();
        }
        return;
      }
      case 4: {
        const n = yield* this.len();
        for (let i = 0; i < 2 * n; i++) yield* this.skipString();
        return;
      }
      case 5: {
        const n = yield* this.len();
        for (let i = 0; i < n; i++) {
          yield* this.skipString();
          yield* this.skipBytes(8);
        }
        return;
      }
      case 7: {
        yield* this.len(); // module id
        return yield* this.skipModuleValue();
      }
      case 18: {
        // quicklist 2: per node a container kind, then the listpack (or plain element)
        const n = yield* this.len();
        for (let i = 0; i < n; i++) {
          yield* this.len();
          yield* this.skipString();
        }
        return;
      }
      case 15:
      case 19:
      case 21:
        return yield* this.skipStream(type);
      case 22:
      case 24: {
        // hash with field expiries: (24: min expiry first) then [ttl, field, value] triples
        if (type === 24) yield* this.skipBytes(8);
        const n = yield* this.len();
        for (let i = 0; i < n; i++) {
          yield* this.len();
          yield* this.skipString();
          yield* this.skipString();
        }
        return;
      }
      case 25:
        yield* this.skipBytes(8);
        return yield* this.skipString();
      default:
        throw new FormatError(
          `value type ${type} is not one this version of Lifeboat knows (RDB version ${this.version}; it reads up to ${NEWEST_RDB_VERSION})`,
        );
    }
  }

  private *skipStream(type: number): Step {
    const listpacks = yield* this.len();
    for (let i = 0; i < listpacks; i++) {
      yield* this.skipString(); // master entry id
      yield* this.skipString(); // listpack
    }
    // length, last id (ms, seq); v2+: first id, max deleted id, entries added
    const lengths = type >= 19 ? 8 : 3;
    for (let i = 0; i < lengths; i++) yield* this.len();
    const groups = yield* this.len();
    for (let g = 0; g < groups; g++) {
      yield* this.skipString(); // name
      yield* this.len(); // last id ms
      yield* this.len(); // last id seq
      if (type >= 19) yield* this.len(); // entries read
      const pending = yield* this.len();
      for (let p = 0; p < pending; p++) {
        yield* this.skipBytes(16); // raw id
        yield* this.skipBytes(8); // delivery time
        yield* this.len(); // delivery count
      }
      const consumers = yield* this.len();
      for (let c = 0; c < consumers; c++) {
        yield* this.skipString(); // name
        yield* this.skipBytes(8); // seen time
        if (type >= 21) yield* this.skipBytes(8); // active time
        const owned = yield* this.len();
        for (let p = 0; p < owned; p++) yield* this.skipBytes(16);
      }
    }
  }

  private *run(): Step {
    const input = this.input;
    yield* this.wait(9);
    const magic = input.take(9).toString('latin1');
    if (!/^REDIS\d{4}$/.test(magic)) throw new FormatError(`it does not start with REDIS and a version number (starts with ${JSON.stringify(magic.slice(0, 9))})`);
    this.version = Number(magic.slice(5));
    if (this.version < 1 || this.version > NEWEST_RDB_VERSION) {
      throw new FormatError(`RDB version ${this.version} is not one this version of Lifeboat reads (1 to ${NEWEST_RDB_VERSION})`);
    }
    const capture = this.options.onEntry;
    let expireAt: number | undefined;
    for (;;) {
      if (input.available < 1) yield* this.wait(1);
      const type = input.byte();
      if (type >= OP.SLOT_INFO) {
        switch (type) {
          case OP.EOF:
            if (this.version >= 5) {
              yield* this.wait(8);
              this.storedChecksum = Buffer.from(input.take(8));
            }
            return;
          case OP.SELECTDB:
            this.db = yield* this.len();
            continue;
          case OP.RESIZEDB: {
            const keys = yield* this.len();
            const expires = yield* this.len();
            this.counts(this.db).announced = { keys, expires };
            continue;
          }
          case OP.AUX: {
            const key = (yield* this.readString()).toString('utf8');
            const value = (yield* this.readString()).toString('utf8');
            this.aux[key] = value;
            continue;
          }
          case OP.EXPIRETIME_MS: {
            yield* this.wait(8);
            expireAt = Number(input.take(8).readBigInt64LE(0));
            continue;
          }
          case OP.EXPIRETIME: {
            yield* this.wait(4);
            expireAt = input.take(4).readInt32LE(0) * 1000;
            continue;
          }
          case OP.FREQ:
            yield* this.skipBytes(1);
            continue;
          case OP.IDLE:
            yield* this.len();
            continue;
          case OP.SLOT_INFO:
            for (let i = 0; i < 3; i++) yield* this.len();
            continue;
          case OP.MODULE_AUX: {
            yield* this.len(); // module id
            const when = yield* this.len();
            if (when !== 2) throw new FormatError('a module AUX record without its `when` field');
            yield* this.len();
            yield* this.skipModuleValue();
            this.moduleAux++;
            continue;
          }
          case OP.FUNCTION2: {
            const code = yield* this.readString();
            this.functions++;
            this.options.onFunction?.({ code });
            continue;
          }
          case OP.FUNCTION_PRE_GA:
            throw new FormatError('a function record of a Redis 7.0 release candidate, which Redis itself no longer loads');
        }
      }
      // A key and its value.
      const db = this.db;
      let key: Buffer | undefined;
      if (capture) key = yield* this.readString();
      else if (input.available >= 19) {
        const rest = this.stringHeader().body;
        const got = input.consume(rest);
        if (got < rest) yield* this.skipBody(rest - got);
      } else yield* this.skipString();
      if (capture) input.capture = [];
      if (SINGLE_STRING_TYPES.has(type)) {
        // Inline fast path of skipString: no generator unless the body spans chunks.
        if (input.available >= 19) {
          const rest = this.stringHeader().body;
          const got = input.consume(rest);
          if (got < rest) yield* this.skipBody(rest - got);
        } else yield* this.skipString();
      } else yield* this.skipValue(type);
      const counts = this.counts(db);
      counts.keys++;
      if (expireAt !== undefined) counts.expires++;
      const name = RDB_TYPE_NAMES[type] ?? `type-${type}`;
      counts.types[name] = (counts.types[name] ?? 0) + 1;
      if (capture) {
        const value = Buffer.concat(input.capture!);
        input.capture = undefined;
        capture({ db, key: key!, type, expireAt, value });
      }
      expireAt = undefined;
    }
  }
}

/**
 * Builds a DUMP payload from a value as the RDB serializes it: the type byte, the value,
 * the RDB version (2 bytes, little-endian) and the CRC-64 of all that, which is what RESTORE
 * checks. Redis writes DUMP payloads with the same serialization as RDB files.
 */
export function dumpPayload(type: number, value: Buffer, rdbVersion: number): Buffer {
  const out = Buffer.alloc(1 + value.length + 2 + 8);
  out[0] = type;
  value.copy(out, 1);
  out.writeUInt16LE(rdbVersion, 1 + value.length);
  const crc = new Crc64().update(out.subarray(0, 1 + value.length + 2)).digest();
  crc.copy(out, 1 + value.length + 2);
  return out;
}
