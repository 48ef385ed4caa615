import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCommand, encodeCommands, ReplyBuffer, type Reply } from './resp.js';

/** A reply as the server writes it. */
function wire(reply: Reply): Buffer {
  switch (reply.kind) {
    case 'simple':
      return Buffer.from(`+${reply.text}\r\n`);
    case 'error':
      return Buffer.from(`-${reply.text}\r\n`);
    case 'integer':
      return Buffer.from(`:${reply.value}\r\n`);
    case 'bulk':
      return reply.value === null ? Buffer.from('$-1\r\n') : Buffer.concat([Buffer.from(`$${reply.value.length}\r\n`), reply.value, Buffer.from('\r\n')]);
    case 'array':
      return reply.items === null ? Buffer.from('*-1\r\n') : Buffer.concat([Buffer.from(`*${reply.items.length}\r\n`), ...reply.items.map(wire)]);
  }
}

const line = fc.string({ unit: fc.constantFrom('a', 'B', ' ', '7', ':'), maxLength: 12 });
const leaf: fc.Arbitrary<Reply> = fc.oneof(
  line.map((text) => ({ kind: 'simple' as const, text })),
  line.map((text) => ({ kind: 'error' as const, text: `ERR ${text}` })),
  fc.integer({ min: -1e6, max: 1e12 }).map((value) => ({ kind: 'integer' as const, value })),
  fc.option(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), { nil: null }).map((value) => ({ kind: 'bulk' as const, value })),
);
const reply: fc.Arbitrary<Reply> = fc.oneof(leaf, fc.option(fc.array(leaf, { maxLength: 6 }), { nil: null }).map((items) => ({ kind: 'array' as const, items })));

describe('ReplyBuffer', () => {
  it('reads every reply back however the bytes are cut into chunks, with views or copies', () => {
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }), fc.boolean(), (replies, cuts, copy) => {
        const bytes = Buffer.concat(replies.map(wire));
        const buffer = new ReplyBuffer(Number.POSITIVE_INFINITY, copy);
        const read: Reply[] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const size = cuts[i % cuts.length]!;
          buffer.push(bytes.subarray(at, at + size));
          at += size;
          for (let r = buffer.next(); r !== undefined; r = buffer.next()) read.push(r);
        }
        expect(read).toEqual(replies);
        expect(buffer.rest().length).toBe(0);
      }),
    );
  });

  it('a 5 MiB bulk reply in 64 KiB reads is joined once, when its last byte has arrived', () => {
    const value = Buffer.alloc(5 << 20, 7);
    const bytes = Buffer.concat([wire({ kind: 'bulk', value }), Buffer.from(':1\r\n')]);
    const buffer = new ReplyBuffer(Number.POSITIVE_INFINITY, false);
    const concat = Buffer.concat;
    let joins = 0;
    Buffer.concat = ((list: readonly Uint8Array[], length?: number) => (joins++, concat(list, length))) as typeof Buffer.concat;
    const read: Reply[] = [];
    try {
      for (let at = 0; at < bytes.length; at += 65536) {
        buffer.push(bytes.subarray(at, at + 65536));
        for (let r = buffer.next(); r !== undefined; r = buffer.next()) read.push(r);
      }
    } finally {
      Buffer.concat = concat;
    }
    expect(read.map((r) => r.kind)).toEqual(['bulk', 'integer']);
    expect((read[0] as { value: Buffer }).value.equals(value)).toBe(true);
    expect(read[1]).toEqual({ kind: 'integer', value: 1 });
    expect(joins).toBe(1);
  });

  it('an array of 300,000 items in 64 KiB reads is read in one pass, joining only the items that straddle reads', () => {
    const items: Reply[] = Array.from({ length: 300_000 }, (_, i) => ({ kind: 'bulk' as const, value: Buffer.from(`key:${i}`) }));
    const bytes = wire({ kind: 'array', items });
    const buffer = new ReplyBuffer(Number.POSITIVE_INFINITY, false);
    const concat = Buffer.concat;
    let joined = 0;
    Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
      const out = concat(list, length);
      joined += out.length;
      return out;
    }) as typeof Buffer.concat;
    let read: Reply | undefined;
    try {
      for (let at = 0; at < bytes.length; at += 65536) {
        buffer.push(bytes.subarray(at, at + 65536));
        read ??= buffer.next();
      }
    } finally {
      Buffer.concat = concat;
    }
    expect(read?.kind === 'array' && read.items?.length).toBe(300_000);
    expect(joined).toBeLessThan(bytes.length / 50);
  });

  it('refuses bytes that are not RESP2, and more than the limit without a whole reply', () => {
    const buffer = new ReplyBuffer();
    buffer.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n'));
    expect(() => buffer.next()).toThrow(/reply starting with "H", which is not RESP2/);
    const small = new ReplyBuffer(1 << 20);
    small.push(Buffer.from('$2000000\r\n'));
    expect(() => small.push(Buffer.alloc(1 << 20))).toThrow(/more than 1 MiB without completing a reply/);
  });
});

describe('encodeCommands', () => {
  it('writes each command as a RESP array of bulk strings, text as UTF-8 and Buffers as they are', () => {
    const binary = Buffer.from([0, 13, 10, 255]);
    expect(encodeCommand(['SET', 'clé', binary]).equals(Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\nclé\r\n$4\r\n'), binary, Buffer.from('\r\n')]))).toBe(true);
    expect(encodeCommands([['PING'], ['GET', '']]).toString('latin1')).toBe('*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$0\r\n\r\n');
    expect(encodeCommands([]).length).toBe(0);
  });
});
