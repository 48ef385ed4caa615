/**
 * LZF decompression, for the strings Redis compresses inside RDB files (`rdbcompression
 * yes`, strings over 20 bytes). Only the few strings Lifeboat reads need it (AUX fields,
 * key names, function code); values pass through compressed.
 */
export function lzfDecompress(input: Uint8Array, outputLength: number): Buffer {
  const out = Buffer.alloc(outputLength);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      // A literal run of ctrl + 1 bytes.
      const length = ctrl + 1;
      if (ip + length > input.length || op + length > outputLength) throw new Error('LZF literal run past the end');
      out.set(input.subarray(ip, ip + length), op);
      ip += length;
      op += length;
      continue;
    }
    // A back reference: length in the top 3 bits (7 means one more byte), offset in 13 bits.
    let length = ctrl >> 5;
    if (length === 7) {
      if (ip >= input.length) throw new Error('LZF reference past the end');
      length += input[ip++]!;
    }
    if (ip >= input.length) throw new Error('LZF reference past the end');
    const ref = op - ((ctrl & 0x1f) << 8) - input[ip++]! - 1;
    length += 2;
    if (ref < 0 || op + length > outputLength) throw new Error('LZF reference out of range');
    // Byte by byte: the reference may overlap what it produces.
    for (let i = 0; i < length; i++) out[op++] = out[ref + i]!;
  }
  if (op !== outputLength) throw new Error(`LZF produced ${op} bytes, expected ${outputLength}`);
  return out;
}
