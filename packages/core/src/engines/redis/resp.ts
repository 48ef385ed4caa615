import { joinFront } from './chunks.js';
import { RedisProtocolError } from './errors.js';

/** A RESP2 reply: simple string, error, integer, bulk string (null when absent) or array. */
export type Reply = { readonly kind: 'simple'; readonly text: string } | { readonly kind: 'error'; readonly text: string } | { readonly kind: 'integer'; readonly value: number } | { readonly kind: 'bulk'; readonly value: Buffer | null } | { readonly kind: 'array'; readonly items: Reply[] | null };

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  return encodeCommands([args]);
}

/** Encodes commands, one after the other, into one buffer (no intermediate buffer per argument). */
export function encodeCommands(commands: readonly (readonly (string | Buffer)[])[]): Buffer {
  let size = 0;
  for (const args of commands) {
    size += String(args.length).length + 3;
    for (const arg of args) {
      const length = typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
      size += String(length).length + length + 5;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const args of commands) {
    at += out.write(`*${args.length}\r\n`, at, 'latin1');
    for (const arg of args) {
      const length = typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
      at += out.write(`$${length}\r\n`, at, 'latin1');
      at += typeof arg === 'string' ? out.write(arg, at, 'utf8') : arg.copy(out, at);
      at += out.write('\r\n', at, 'latin1');
    }
  }
  return out;
}

/**
 * Reads RESP2 replies out of the bytes as they arrive. Chunks are kept as they came; a value
 * that spans chunks gets only its own bytes joined, after an incomplete bulk string nothing is
 * parsed again until all of it has arrived (joined once, not once per chunk), and an array's
 * items are taken as they come, so a large array is parsed once. Used by the command
 * connection and by the replication handshake (AUTH and REPLCONF replies, then the SYNC
 * header line; the snapshot bytes that follow are taken out with `rest()` untouched).
 */
export class ReplyBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Fewest bytes the next value can take, learnt from the last incomplete attempt. */
  private needed = 1;
  /** Arrays whose items are still arriving, outermost first. */
  private arrays: { readonly count: number; readonly items: Reply[] }[] = [];

  /**
   * `limit`: most bytes held without a complete reply (the handshake allows 1 MiB). `copy`:
   * bulk strings are copies (false: views into the bytes received, for replies consumed at
   * once; socket reads are never reused, so a view stays valid).
   */
  constructor(
    private readonly limit = 1 << 20,
    private readonly copy = true,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > this.limit) throw new RedisProtocolError(`The server sent more than ${this.limit >> 20} MiB without completing a reply during the handshake.`);
  }

  /** The next complete reply, or undefined until more bytes arrive. */
  next(): Reply | undefined {
    for (;;) {
      if (this.size < this.needed) return undefined;
      const first = this.chunks[0];
      if (!first) return undefined;
      const head = parseHead(first, this.copy);
      if ('need' in head) {
        // A line not ended in this chunk ends at the next newline in the chunks after it.
        const need = head.need === first.length + 1 ? this.lineEnd() : head.need;
        if (this.size < need) {
          this.needed = need;
          return undefined;
        }
        // The value runs into the next chunks: join exactly its bytes, not whole socket reads.
        joinFront(this.chunks, need);
        continue;
      }
      this.needed = 1;
      this.drop(first, head.end);
      let value: Reply;
      if ('count' in head) {
        if (head.count > 0) {
          // Its items are read one by one as they arrive: a large array is never parsed twice.
          this.arrays.push({ count: head.count, items: [] });
          continue;
        }
        value = { kind: 'array', items: head.count < 0 ? null : [] };
      } else value = head.reply;
      let complete = true;
      while (this.arrays.length > 0) {
        const open = this.arrays[this.arrays.length - 1]!;
        open.items.push(value);
        if (open.items.length < open.count) {
          complete = false;
          break;
        }
        this.arrays.pop();
        value = { kind: 'array', items: open.items };
      }
      if (complete) return value;
    }
  }

  /** One line (without CRLF) once complete; bare newlines the master sends while it prepares the snapshot are skipped. */
  line(): string | undefined {
    const buffer = this.joined();
    let start = 0;
    while (start < buffer.length && (buffer[start] === 0x0a || buffer[start] === 0x0d)) start++;
    const end = buffer.indexOf('\r\n', start);
    if (end < 0) {
      this.drop(buffer, start);
      return undefined;
    }
    const text = buffer.subarray(start, end).toString('latin1');
    this.drop(buffer, end + 2);
    return text;
  }

  /** Whatever arrived after the last reply read. */
  rest(): Buffer {
    const out = this.joined();
    this.chunks = [];
    this.size = 0;
    this.needed = 1;
    this.arrays = [];
    return out;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0] ?? EMPTY;
  }

  /** Drops `bytes` from the front of the first chunk, `buffer`. */
  private drop(buffer: Buffer, bytes: number): void {
    if (bytes < buffer.length) this.chunks[0] = buffer.subarray(bytes);
    else this.chunks.shift();
    this.size -= bytes;
  }

  /** Bytes up to and including the first newline after the first chunk (size + 1 when none has arrived). */
  private lineEnd(): number {
    let offset = this.chunks[0]!.length;
    for (let i = 1; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const at = chunk.indexOf(0x0a);
      if (at >= 0) return offset + at + 1;
      offset += chunk.length;
    }
    return this.size + 1;
  }

}

const EMPTY = Buffer.alloc(0);

/** A value and where it ended, an array's header (its items follow), or how many bytes (at least) the value needs. */
type Head = { reply: Reply; end: number } | { count: number; end: number } | { need: number };

/** Reads the value at the start of `buffer`: a whole value, except for an array, only its header. */
function parseHead(buffer: Buffer, copy: boolean): Head {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return { need: buffer.length + 1 };
  const type = buffer[0]!;
  const line = buffer.toString('latin1', 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case 0x2b: // +
      return { reply: { kind: 'simple', text: line }, end: next };
    case 0x2d: // -
      return { reply: { kind: 'error', text: line }, end: next };
    case 0x3a: // :
      return { reply: { kind: 'integer', value: Number(line) }, end: next };
    case 0x24: {
      // $
      const length = Number(line);
      if (!Number.isSafeInteger(length)) throw notResp(`a bulk length of ${JSON.stringify(line.slice(0, 20))}`);
      if (length < 0) return { reply: { kind: 'bulk', value: null }, end: next };
      if (buffer.length < next + length + 2) return { need: next + length + 2 };
      const value = buffer.subarray(next, next + length);
      return { reply: { kind: 'bulk', value: copy ? Buffer.from(value) : value }, end: next + length + 2 };
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (!Number.isSafeInteger(count)) throw notResp(`an array length of ${JSON.stringify(line.slice(0, 20))}`);
      return { count, end: next };
    }
    default:
      throw notResp(`a reply starting with ${JSON.stringify(String.fromCharCode(type))}`);
  }
}

function notResp(what: string): RedisProtocolError {
  return new RedisProtocolError(`The server sent ${what}, which is not RESP2.`, 'Check that the URL points at a Redis server (and rediss:// for a TLS port).');
}
