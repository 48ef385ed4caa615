import { describe, expect, test } from 'vitest';
import { decodeBase64 } from './base64.js';
import { headerEnd, headerMacMatches, parseHeader, writeHeader } from './header.js';

const FILE_KEY = Buffer.alloc(16, 7);

describe('age header', () => {
  test('written headers parse back, MAC included, with bodies wrapped at 64 columns', () => {
    const stanzas = [
      { args: ['X25519', 'abc'], body: Buffer.alloc(32, 1) },
      { args: ['example.org/test', 'x', 'y'], body: Buffer.alloc(48, 2) }, // exactly 64 base64 columns: an empty last line
      { args: ['empty'], body: Buffer.alloc(0) },
    ];
    const bytes = writeHeader(stanzas, FILE_KEY);
    expect(bytes.toString('latin1')).toContain('\n\n-> empty\n\n---');
    expect(headerEnd(Buffer.concat([bytes, Buffer.from('payload')]))).toBe(bytes.length);
    const parsed = parseHeader(bytes);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(parsed.stanzas.map((s) => [s.args, s.body.length])).toEqual([[['X25519', 'abc'], 32], [['example.org/test', 'x', 'y'], 48], [['empty'], 0]]);
    expect(headerMacMatches(FILE_KEY, parsed)).toBe(true);
    expect(headerMacMatches(Buffer.alloc(16, 8), parsed)).toBe(false);
  });

  test.for([
    ['no stanza', 'age-encryption.org/v1\n--- ' + 'A'.repeat(43) + '\n', 'no recipient stanza'],
    ['another version', 'age-encryption.org/v2\n-> X\n\n--- ' + 'A'.repeat(43) + '\n', 'version line'],
    ['a body line longer than 64', 'age-encryption.org/v1\n-> X\n' + 'A'.repeat(65) + '\n--- ' + 'A'.repeat(43) + '\n', 'longer than 64'],
    ['a stanza without final line', 'age-encryption.org/v1\n-> X\n' + 'A'.repeat(64) + '\n--- ' + 'A'.repeat(43) + '\n', 'canonical base64'],
    ['an empty argument', 'age-encryption.org/v1\n-> X  y\n\n--- ' + 'A'.repeat(43) + '\n', 'empty or unprintable argument'],
    ['a short MAC', 'age-encryption.org/v1\n-> X\n\n--- AAAA\n', 'MAC'],
    ['a non-ASCII byte', 'age-encryption.org/v1\n-> X\u00e9\n\n--- ' + 'A'.repeat(43) + '\n', 'printable ASCII'],
  ])('refuses a header with %s', ([, text, problem]) => {
    expect(parseHeader(Buffer.from(text!, 'latin1'))).toContain(problem);
  });

  test('base64 must be canonical and unpadded', () => {
    expect(decodeBase64('AQ')).toEqual(Buffer.from([1]));
    expect(decodeBase64('AQ==')).toBeUndefined();
    expect(decodeBase64('AR')).toBeUndefined(); // non-zero padding bits
    expect(decodeBase64('A-')).toBeUndefined();
  });
});
