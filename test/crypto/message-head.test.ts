import { createCipheriv } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { parseMessageHead, sessionKeyFits, type MessageHead } from '../../packages/core/src/crypto/message-head.js';

const bytes = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((p) => [...p]));

/** A v3 PKESK body: version, key id, algorithm, then opaque data. */
const pkesk = (keyId: number[]) => [3, ...keyId, 18, 1, 2, 3];
/** An SKESK body: version 4, cipher 9, S2K iterated SHA-256, salt, count. */
const skesk = [4, 9, 3, 8, 1, 2, 3, 4, 5, 6, 7, 8, 96];

describe('parseMessageHead', () => {
  const keyId = [0xa4, 0xb1, 0x58, 0xef, 0x3b, 0x33, 0x38, 0xb5];
  const seipdBody = [1, ...Array.from({ length: 40 }, (_, i) => i)];

  test('new-format headers (as openpgp.js writes): ids, passphrase slots, SEIPD version and first bytes', () => {
    const body = pkesk(keyId);
    const message = bytes([0xc1, body.length], body, [0xc3, skesk.length], skesk, [0xd2, 0xe9], seipdBody);
    const result = parseMessageHead(message, false);
    expect(result.kind).toBe('head');
    const head = (result as { head: MessageHead }).head;
    expect(head.keyIds).toEqual(['a4b158ef3b3338b5']);
    expect(head.passphraseSlots).toBe(1);
    expect(head.dataTag).toBe(18);
    expect(head.dataVersion).toBe(1);
    expect([...head.dataStart]).toEqual(seipdBody.slice(1, 35));
  });

  test('old-format headers (as gpg writes), a marker packet, a two-octet length', () => {
    const body = pkesk([0, 0, 0, 0, 0, 0, 0, 0]);
    const message = bytes([0xa8, 3], [0x50, 0x47, 0x50], [0x85, 0, body.length], body, [0xd2, 0xc0, 0x40], seipdBody);
    const result = parseMessageHead(message, true);
    expect(result).toMatchObject({ kind: 'head', head: { keyIds: ['0000000000000000'], passphraseSlots: 0, dataTag: 18, dataVersion: 1 } });
  });

  test('asks for more bytes until the data packet starts; reports truncation at the end', () => {
    const body = pkesk(keyId);
    const message = bytes([0xc1, body.length], body, [0xd2, 0xe9], seipdBody);
    for (const cut of [1, 5, body.length + 2, body.length + 4]) {
      expect(parseMessageHead(message.subarray(0, cut), false).kind).toBe('need-more');
    }
    expect(parseMessageHead(message.subarray(0, 5), true)).toEqual({ kind: 'problem', problem: { kind: 'truncated' } });
    expect(parseMessageHead(new Uint8Array(0), true)).toEqual({ kind: 'problem', problem: { kind: 'empty' } });
  });

  test('not OpenPGP, or OpenPGP but not encrypted', () => {
    expect(parseMessageHead(new TextEncoder().encode('PGDMP...'), false)).toEqual({
      kind: 'problem',
      problem: { kind: 'not-openpgp', looksLike: 'an unencrypted pg_dump archive' },
    });
    expect(parseMessageHead(bytes([0x1f, 0x8b, 8, 0]), false)).toMatchObject({ problem: { looksLike: 'gzip data' } });
    // A public key packet (tag 6) first.
    expect(parseMessageHead(bytes([0x99, 0, 3, 4, 0, 0]), false)).toEqual({ kind: 'problem', problem: { kind: 'not-encrypted', tag: 6 } });
  });
});

describe('sessionKeyFits (RFC 4880 quick check)', () => {
  function seipdStart(key: Buffer): Uint8Array {
    const prefix = Buffer.from('0123456789abcdef');
    const plaintext = Buffer.concat([prefix, prefix.subarray(14, 16), Buffer.from('literal data follows')]);
    const cipher = createCipheriv('aes-256-cfb', key, Buffer.alloc(16));
    return cipher.update(plaintext);
  }
  const head = (dataStart: Uint8Array): MessageHead => ({ keyIds: [], passphraseSlots: 1, dataTag: 18, dataVersion: 1, dataStart });

  test('accepts the right key and rejects wrong ones', () => {
    // Fixed keys keep it deterministic (a random wrong key passes with probability 2^-16).
    const key = Buffer.alloc(32, 7);
    const start = seipdStart(key);
    expect(sessionKeyFits(head(start), 'aes256', key)).toBe(true);
    for (let i = 0; i < 50; i++) expect(sessionKeyFits(head(start), 'aes256', Buffer.alloc(32, 100 + i))).toBe(false);
  });

  test('cannot judge other packets or unknown ciphers', () => {
    const key = Buffer.alloc(32, 7);
    expect(sessionKeyFits({ ...head(seipdStart(key)), dataVersion: 2 }, 'aes256', key)).toBeUndefined();
    expect(sessionKeyFits(head(seipdStart(key)), 'twofish', key)).toBeUndefined();
    expect(sessionKeyFits(head(new Uint8Array(5)), 'aes256', key)).toBeUndefined();
  });
});
