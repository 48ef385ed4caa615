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
 * Reads RESP2 replies out of the bytes as they arrive. Chunks are kept as they came; a reply
 * that spans chunks gets only its own bytes joined, and after an incomplete reply nothing is
 * parsed again until at least the bytes it was known to need have arrived (a large bulk
 * reply is joined once, not once per chunk). Used by the replication handshake (AUTH and REPLCONF replies,
 * then the SYNC header line, the snapshot bytes that follow taken out with `rest()`
 * untouched) and by the command connection.
 */
export class ReplyBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Fewest bytes the next reply can take, learnt from the last incomplete attempt. */
  private needed = 1;

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
    if (this.size < this.needed) return undefined;
    for (;;) {
      const first = this.chunks[0];
      if (!first) return undefined;
      const parsed = parse(first, 0, this.copy);
      if (!('need' in parsed)) {
        this.needed = 1;
        this.drop(first, parsed.end);
        return parsed.reply;
      }
      if (this.size < parsed.need) {
        this.needed = parsed.need;
        return undefined;
      }
      // The reply runs into the next chunks: join only the bytes it needs (a few KiB when
      // its length is not known yet), not whole socket reads.
      this.extend(Math.max(parsed.need, first.length + Math.min(this.chunks[1]!.length, 4096)));
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

  /** Makes the first chunk `bytes` long (or all there is), taking the bytes from the chunks after it. */
  private extend(bytes: number): void {
    const parts = [this.chunks[0]!];
    let have = parts[0]!.length;
    let used = 1;
    while (have < bytes && used < this.chunks.length) {
      const chunk = this.chunks[used]!;
      const take = Math.min(chunk.length, bytes - have);
      parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      have += take;
      if (take === chunk.length) used++;
      else this.chunks[used] = chunk.subarray(take);
    }
    this.chunks.splice(0, used, Buffer.concat(parts, have));
  }
}

const EMPTY = Buffer.alloc(0);

/** A parsed reply and where it ended, or how many bytes (at least) a complete one needs. */
type Parsed = { reply: Reply; end: number } | { need: number };

function parse(buffer: Buffer, at: number, copy: boolean): Parsed {
  if (at >= buffer.length) return { need: at + 1 };
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return { need: buffer.length + 1 };
  const type = buffer[at]!;
  const line = buffer.toString('latin1', at + 1, lineEnd);
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
      if (count < 0) return { reply: { kind: 'array', items: null }, end: next };
      const items: Reply[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, position, copy);
        if ('need' in item) return item;
        items.push(item.reply);
        position = item.end;
      }
      return { reply: { kind: 'array', items }, end: position };
    }
    default:
      throw notResp(`a reply starting with ${JSON.stringify(String.fromCharCode(type))}`);
  }
}

function notResp(what: string): RedisProtocolError {
  return new RedisProtocolError(`The server sent ${what}, which is not RESP2.`, 'Check that the URL points at a Redis server (and rediss:// for a TLS port).');
}
