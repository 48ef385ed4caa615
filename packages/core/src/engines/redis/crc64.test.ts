import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from './crc64.js';

/** Bit-at-a-time reference with BigInt, straight from the definition. */
function reference(bytes: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 reflected
  let crc = 0n;
  for (const byte of bytes) {
    crc ^= BigInt(byte);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

describe('crc64 (Redis, Jones polynomial)', () => {
  it('matches the published check value', () => {
    expect(crc64(Buffer.from('123456789')).hex()).toBe('e9c6d914c4b8d9ca');
    expect(crc64(Buffer.alloc(0)).hex()).toBe('0000000000000000');
  });

  it('agrees with the bit-at-a-time definition on random input of every small length', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = randomBytes(length);
      expect(crc64(bytes).hex(), `length ${length}`).toBe(reference(bytes).toString(16).padStart(16, '0'));
    }
  });

  it('gives the same result however the input is split', () => {
    const bytes = randomBytes(10_000);
    const whole = crc64(bytes).hex();
    for (const step of [1, 3, 7, 8, 9, 1000]) {
      const running = new Crc64();
      for (let i = 0; i < bytes.length; i += step) running.update(bytes.subarray(i, i + step));
      expect(running.hex(), `step ${step}`).toBe(whole);
    }
  });

  it('writes the digest little-endian, as Redis stores it', () => {
    expect(crc64(Buffer.from('123456789')).digest().toString('hex')).toBe('cad9b8c414d9c6e9');
  });
});
