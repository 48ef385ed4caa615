import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';

/** One recipient stanza: its arguments (the first names the type) and its body. */
export interface Stanza {
  readonly args: readonly string[];
  readonly body: Buffer;
}

/** A parsed header: its stanzas, the bytes its MAC covers, the MAC, and the header's length in bytes. */
export interface ParsedHeader {
  readonly stanzas: readonly Stanza[];
  readonly macInput: Buffer;
  readonly mac: Buffer;
  readonly length: number;
}

/** The version line every age v1 file starts with. */
export const VERSION_LINE = 'age-encryption.org/v1\n';
const COLUMNS = 64;
const ARGUMENT = /^[\x21-\x7e]+$/;

/** Serializes stanzas and the header MAC (keyed from the file key) into the header bytes. */
export function writeHeader(stanzas: readonly Stanza[], fileKey: Uint8Array): Buffer {
  let text = VERSION_LINE;
  for (const stanza of stanzas) {
    text += `-> ${stanza.args.join(' ')}\n`;
    const body = encodeBase64(stanza.body);
    // Wrapped at 64 columns; the last line is always shorter than 64 (empty when the body fills its lines).
    for (let i = 0; i <= body.length; i += COLUMNS) text += `${body.slice(i, i + COLUMNS)}\n`;
  }
  text += '---';
  const macInput = Buffer.from(text, 'latin1');
  return Buffer.concat([macInput, Buffer.from(` ${encodeBase64(headerMac(fileKey, macInput))}\n`, 'latin1')]);
}

/** HMAC-SHA-256 of the header up to `---`, keyed with HKDF(file key, info "header"). */
export function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  const key = Buffer.from(hkdfSync('sha256', fileKey, Buffer.alloc(0), 'header', 32));
  return createHmac('sha256', key).update(macInput).digest();
}

/** True when `mac` is the header MAC for this file key. */
export function headerMacMatches(fileKey: Uint8Array, header: ParsedHeader): boolean {
  return timingSafeEqual(headerMac(fileKey, header.macInput), header.mac);
}

/** Where the header ends in `bytes` (the index after the MAC line's newline), or -1 if not yet seen. */
export function headerEnd(bytes: Buffer): number {
  const mark = bytes.indexOf('\n--- ', 0, 'latin1');
  if (mark < 0) return -1;
  const newline = bytes.indexOf(0x0a, mark + 5);
  return newline < 0 ? -1 : newline + 1;
}

/** Parses complete header bytes (ending with the MAC line); a string saying what is wrong otherwise. */
export function parseHeader(bytes: Buffer): ParsedHeader | string {
  for (const byte of bytes) if (byte > 0x7e || (byte < 0x20 && byte !== 0x0a)) return 'the header holds bytes that are not printable ASCII';
  const text = bytes.toString('latin1');
  if (!text.startsWith(VERSION_LINE)) return 'it does not start with the age v1 version line';
  const lines = text.slice(VERSION_LINE.length).split('\n');
  // The header ends with a newline: the last split element is empty.
  if (lines.pop() !== '') return 'the header does not end with a line feed';
  const stanzas: Stanza[] = [];
  let i = 0;
  while (i < lines.length && lines[i]!.startsWith('-> ')) {
    const args = lines[i]!.slice(3).split(' ');
    if (args.some((a) => !ARGUMENT.test(a))) return `stanza ${stanzas.length + 1} has an empty or unprintable argument`;
    i++;
    let body = '';
    for (;;) {
      const line = lines[i];
      if (line === undefined) return `stanza ${stanzas.length + 1} has no final body line`;
      i++;
      if (line.length > COLUMNS) return `a body line of stanza ${stanzas.length + 1} is longer than 64 columns`;
      body += line;
      if (line.length < COLUMNS) break;
    }
    const decoded = decodeBase64(body);
    if (!decoded) return `the body of stanza ${stanzas.length + 1} is not canonical base64`;
    stanzas.push({ args, body: decoded });
  }
  if (stanzas.length === 0) return 'the header has no recipient stanza';
  const macLine = lines[i];
  if (macLine === undefined || !macLine.startsWith('--- ') || i !== lines.length - 1) return 'the header does not end with its MAC line';
  const mac = decodeBase64(macLine.slice(4));
  if (!mac || mac.length !== 32) return 'the header MAC is not 32 bytes of canonical base64';
  return { stanzas, macInput: bytes.subarray(0, bytes.length - macLine.length - 1 + 3), mac, length: bytes.length };
}
