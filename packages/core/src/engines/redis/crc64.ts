/**
 * CRC-64 as Redis computes it for RDB files and DUMP payloads: the Jones polynomial
 * (0xad93d23594c935a9), reflected, initial value 0, no final xor. `crc64("123456789")` is
 * 0xe9c6d914c4b8d9ca. The 64-bit state is kept as two unsigned 32-bit halves (BigInt is far
 * too slow for a gigabyte), and eight bytes are folded per step (slicing-by-8).
 */
const POLY_HI = 0xad93d235;
const POLY_LO = 0x94c935a9;

/** Reflected polynomial halves: the bit-reversed 64-bit polynomial. */
const [RPOLY_HI, RPOLY_LO] = reflect64(POLY_HI, POLY_LO);

function reflect32(value: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) out = (out << 1) | ((value >>> i) & 1);
  return out >>> 0;
}

function reflect64(hi: number, lo: number): [number, number] {
  return [reflect32(lo), reflect32(hi)];
}

/** TABLES_HI[k][b], TABLES_LO[k][b]: the CRC of byte b followed by k zero bytes. */
const TABLES_HI: Uint32Array[] = [];
const TABLES_LO: Uint32Array[] = [];
{
  const hi0 = new Uint32Array(256);
  const lo0 = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    let hi = 0;
    let lo = b;
    for (let i = 0; i < 8; i++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        hi = (hi ^ RPOLY_HI) >>> 0;
        lo = (lo ^ RPOLY_LO) >>> 0;
      }
    }
    hi0[b] = hi;
    lo0[b] = lo;
  }
  TABLES_HI.push(hi0);
  TABLES_LO.push(lo0);
  for (let k = 1; k < 8; k++) {
    const prevHi = TABLES_HI[k - 1]!;
    const prevLo = TABLES_LO[k - 1]!;
    const hi = new Uint32Array(256);
    const lo = new Uint32Array(256);
    for (let b = 0; b < 256; b++) {
      const h = prevHi[b]!;
      const l = prevLo[b]!;
      const index = l & 0xff;
      lo[b] = (((l >>> 8) | (h << 24)) ^ lo0[index]!) >>> 0;
      hi[b] = ((h >>> 8) ^ hi0[index]!) >>> 0;
    }
    TABLES_HI.push(hi);
    TABLES_LO.push(lo);
  }
}

/** A running CRC-64 over bytes fed in order. */
export class Crc64 {
  private hi = 0;
  private lo = 0;

  /** Folds `bytes` into the checksum. */
  update(bytes: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    const t0h = TABLES_HI[0]!, t0l = TABLES_LO[0]!;
    const t1h = TABLES_HI[1]!, t1l = TABLES_LO[1]!;
    const t2h = TABLES_HI[2]!, t2l = TABLES_LO[2]!;
    const t3h = TABLES_HI[3]!, t3l = TABLES_LO[3]!;
    const t4h = TABLES_HI[4]!, t4l = TABLES_LO[4]!;
    const t5h = TABLES_HI[5]!, t5l = TABLES_LO[5]!;
    const t6h = TABLES_HI[6]!, t6l = TABLES_LO[6]!;
    const t7h = TABLES_HI[7]!, t7l = TABLES_LO[7]!;
    const length = bytes.length;
    let i = 0;
    for (; i + 8 <= length; i += 8) {
      const a = (lo ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
      const b = (hi ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24))) >>> 0;
      lo =
        t7l[a & 0xff]! ^ t6l[(a >>> 8) & 0xff]! ^ t5l[(a >>> 16) & 0xff]! ^ t4l[a >>> 24]! ^
        t3l[b & 0xff]! ^ t2l[(b >>> 8) & 0xff]! ^ t1l[(b >>> 16) & 0xff]! ^ t0l[b >>> 24]!;
      hi =
        t7h[a & 0xff]! ^ t6h[(a >>> 8) & 0xff]! ^ t5h[(a >>> 16) & 0xff]! ^ t4h[a >>> 24]! ^
        t3h[b & 0xff]! ^ t2h[(b >>> 8) & 0xff]! ^ t1h[(b >>> 16) & 0xff]! ^ t0h[b >>> 24]!;
    }
    for (; i < length; i++) {
      const index = (lo ^ bytes[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ t0l[index]!;
      hi = (hi >>> 8) ^ t0h[index]!;
    }
    this.hi = hi >>> 0;
    this.lo = lo >>> 0;
    return this;
  }

  /** The checksum as Redis stores it after the data: 8 bytes, little-endian. */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(this.lo, 0);
    out.writeUInt32LE(this.hi, 4);
    return out;
  }

  /** The checksum as a 16-digit hex number, for messages. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** CRC-64 of one buffer (DUMP payloads, tests). */
export function crc64(bytes: Uint8Array): Crc64 {
  return new Crc64().update(bytes);
}
