import { describe, expect, test } from 'vitest';
import { definiteLength, PARTIAL_CHUNK as PART, PartialFramer } from './seipd-writer.js';

/** Reads the new-format framing back: the body, and the chunk lengths with whether each was partial. */
function unframe(bytes: Buffer): { tag: number; body: Buffer; chunks: { length: number; partial: boolean }[] } {
  const tag = bytes[0]! & 0x3f;
  const chunks: { length: number; partial: boolean }[] = [];
  const body: Buffer[] = [];
  let at = 1;
  for (;;) {
    const first = bytes[at]!;
    let length: number;
    let partial = false;
    if (first < 192) [length, at] = [first, at + 1];
    else if (first < 224) [length, at] = [((first - 192) << 8) + bytes[at + 1]! + 192, at + 2];
    else if (first === 255) [length, at] = [bytes.readUInt32BE(at + 1), at + 5];
    else [length, partial, at] = [1 << (first & 0x1f), true, at + 1];
    chunks.push({ length, partial });
    body.push(bytes.subarray(at, at + length));
    at += length;
    if (!partial) break;
  }
  expect(at).toBe(bytes.length);
  return { tag, body: Buffer.concat(body), chunks };
}

describe('definiteLength', () => {
  test.for([
    [0, '00'],
    [191, 'bf'],
    [192, 'c000'],
    [8383, 'dfff'],
    [8384, 'ff000020c0'],
    [(1 << 20) + 5, 'ff00100005'],
  ] as const)('%i -> %s', ([length, hex]) => {
    expect(definiteLength(length).toString('hex')).toBe(hex);
  });
});

describe('PartialFramer', () => {
  test.for([0, 1, 8384, PART, PART + 1, 3 * PART + 5])('a body of %i bytes, fed in uneven pieces, frames back to itself', (size) => {
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = (i * 7 + 3) & 0xff;
    const out: Buffer[] = [];
    const framer = new PartialFramer(0xc0 | 11, (bytes) => out.push(Buffer.from(bytes)));
    for (let at = 0; at < size; at += 300_001) framer.add(body.subarray(at, at + 300_001));
    framer.end();
    const read = unframe(Buffer.concat(out));
    expect(read.tag).toBe(11);
    expect(read.body.equals(body)).toBe(true);
    // Full partial chunks, then a definite last chunk that is empty only for an empty body.
    expect(read.chunks.slice(0, -1).every((c) => c.partial && c.length === PART)).toBe(true);
    const last = read.chunks.at(-1)!;
    expect(last.partial).toBe(false);
    expect(last.length > 0 || size === 0).toBe(true);
  });
});
