import { RedisProtocolError } from './errors.js';

/** A RESP2 reply: simple string, error, integer, bulk string (null when absent) or array. */
export type Reply = { readonly kind: 'simple'; readonly text: string } | { readonly kind: 'error'; readonly text: string } | { readonly kind: 'integer'; readonly value: number } | { readonly kind: 'bulk'; readonly value: Buffer | null } | { readonly kind: 'array'; readonly items: Reply[] | null };

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * Reads RESP2 replies out of a byte buffer that grows as data arrives. Only the replication
 * handshake uses it (AUTH and REPLCONF replies, then the SYNC header line); the snapshot
 * bytes that follow are taken out with `rest()` untouched.
 */
export class ReplyBuffer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > 1 << 20) throw new RedisProtocolError('The server sent more than 1 MiB without completing a reply during the handshake.');
  }

  /** The next complete reply, or undefined until more bytes arrive. */
  next(): Reply | undefined {
    const parsed = parse(this.buffer, 0);
    if (!parsed) return undefined;
    this.buffer = this.buffer.subarray(parsed.end);
    return parsed.reply;
  }

  /** One line (without CRLF) once complete; bare newlines the master sends while it prepares the snapshot are skipped. */
  line(): string | undefined {
    let start = 0;
    while (start < this.buffer.length && (this.buffer[start] === 0x0a || this.buffer[start] === 0x0d)) start++;
    const end = this.buffer.indexOf('\r\n', start);
    if (end < 0) {
      this.buffer = this.buffer.subarray(start);
      return undefined;
    }
    const text = this.buffer.subarray(start, end).toString('latin1');
    this.buffer = this.buffer.subarray(end + 2);
    return text;
  }

  /** Whatever arrived after the last reply read. */
  rest(): Buffer {
    const out = this.buffer;
    this.buffer = Buffer.alloc(0);
    return out;
  }
}

function parse(buffer: Buffer, at: number): { reply: Reply; end: number } | undefined {
  if (at >= buffer.length) return undefined;
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[at]!);
  const line = buffer.subarray(at + 1, lineEnd).toString('latin1');
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: { kind: 'simple', text: line }, end: next };
    case '-':
      return { reply: { kind: 'error', text: line }, end: next };
    case ':':
      return { reply: { kind: 'integer', value: Number(line) }, end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: { kind: 'bulk', value: null }, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: { kind: 'bulk', value: Buffer.from(buffer.subarray(next, next + length)) }, end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: { kind: 'array', items: null }, end: next };
      const items: Reply[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, position);
        if (!item) return undefined;
        items.push(item.reply);
        position = item.end;
      }
      return { reply: { kind: 'array', items }, end: position };
    }
    default:
      throw new RedisProtocolError(`The server sent a reply starting with ${JSON.stringify(type)}, which is not RESP2.`, 'Check that the URL points at a Redis server (and rediss:// for a TLS port).');
  }
}
