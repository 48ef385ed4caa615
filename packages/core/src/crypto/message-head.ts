import { createDecipheriv } from 'node:crypto';

/**
 * The start of a binary OpenPGP message up to its encrypted data packet: who can open it,
 * and the first ciphertext bytes. Parsed here (RFC 4880 §4.2 packet headers) so decryption
 * can name the keys a message wants and check a session key before trusting any output.
 */
export interface MessageHead {
  /** Key ids (16 lowercase hex) of the public-key encrypted session keys; all zeros when hidden. */
  keyIds: string[];
  /** Number of passphrase (symmetric-key encrypted) session keys. */
  passphraseSlots: number;
  /** Tag of the encrypted data packet: 18 (SEIPD), 20 (OCB, GnuPG 2.4) or 9 (no integrity protection). */
  dataTag: number;
  /** SEIPD version (1 or 2); 0 for other packets. */
  dataVersion: number;
  /** The first ciphertext bytes after the version octet (up to 34). */
  dataStart: Uint8Array;
}

/** Why the head could not be parsed. */
export type HeadProblem =
  | { kind: 'empty' }
  | { kind: 'not-openpgp'; looksLike?: string }
  | { kind: 'not-encrypted'; tag: number }
  | { kind: 'truncated' };

/** `dataOffset`: where the encrypted data packet's header starts (the session key packets are the bytes before it). */
export type HeadResult = { kind: 'head'; head: MessageHead; dataOffset: number } | { kind: 'need-more' } | { kind: 'problem'; problem: HeadProblem };

const PKESK = 1;
const SKESK = 3;
const MARKER = 10;
const ENCRYPTED_DATA = new Set([9, 18, 20]);
const START_BYTES = 34;

interface Header {
  tag: number;
  bodyStart: number;
  /** Body length, or the length of the first chunk for partial/indeterminate lengths. */
  length: number;
  definite: boolean;
}

/** Parses as much of `bytes` as needed; `ended` says no more bytes will come. */
export function parseMessageHead(bytes: Uint8Array, ended: boolean): HeadResult {
  if (bytes.length === 0) return ended ? { kind: 'problem', problem: { kind: 'empty' } } : { kind: 'need-more' };
  if ((bytes[0]! & 0x80) === 0) return { kind: 'problem', problem: { kind: 'not-openpgp', looksLike: recognise(bytes) } };
  const keyIds: string[] = [];
  let passphraseSlots = 0;
  let offset = 0;
  for (;;) {
    const header = readHeader(bytes, offset);
    if (header === 'invalid') return { kind: 'problem', problem: { kind: 'not-openpgp' } };
    if (header === undefined) return ended ? { kind: 'problem', problem: { kind: 'truncated' } } : { kind: 'need-more' };
    const { tag, bodyStart, length, definite } = header;
    if (ENCRYPTED_DATA.has(tag)) {
      const available = Math.min(bytes.length, bodyStart + length) - bodyStart;
      const wanted = tag === 18 ? 1 + START_BYTES : START_BYTES;
      if (available < wanted && !ended && available < length) return { kind: 'need-more' };
      if (available <= 0) return { kind: 'problem', problem: { kind: 'truncated' } };
      const version = tag === 18 ? bytes[bodyStart]! : 0;
      const from = tag === 18 ? bodyStart + 1 : bodyStart;
      const head: MessageHead = {
        keyIds,
        passphraseSlots,
        dataTag: tag,
        dataVersion: version,
        dataStart: bytes.slice(from, Math.min(from + START_BYTES, bodyStart + available)),
      };
      return { kind: 'head', head, dataOffset: offset };
    }
    if (tag !== PKESK && tag !== SKESK && tag !== MARKER) {
      return offset === 0
        ? { kind: 'problem', problem: { kind: 'not-encrypted', tag } }
        : { kind: 'problem', problem: { kind: 'not-openpgp' } };
    }
    if (!definite) return { kind: 'problem', problem: { kind: 'not-openpgp' } };
    if (bodyStart + length > bytes.length) return ended ? { kind: 'problem', problem: { kind: 'truncated' } } : { kind: 'need-more' };
    if (tag === PKESK) {
      // v3: version, 8-octet key id. v6 (RFC 9580) names a fingerprint instead; keep what it gives.
      const version = bytes[bodyStart];
      if (version === 3) keyIds.push(Buffer.from(bytes.subarray(bodyStart + 1, bodyStart + 9)).toString('hex'));
      else if (version === 6 && length > 3) {
        // v6 PKESK: count, key version, fingerprint (v4: key id = last 8 octets; v6: first 8).
        const fprLength = bytes[bodyStart + 1]! - 1;
        const fpr = bytes.subarray(bodyStart + 3, bodyStart + 3 + Math.max(0, fprLength));
        const id = fprLength === 20 ? fpr.subarray(12) : fpr.subarray(0, 8);
        keyIds.push(fprLength > 0 ? Buffer.from(id).toString('hex') : '0000000000000000');
      }
    } else if (tag === SKESK) passphraseSlots++;
    offset = bodyStart + length;
  }
}

function readHeader(bytes: Uint8Array, offset: number): Header | 'invalid' | undefined {
  if (offset >= bytes.length) return undefined;
  const ctb = bytes[offset]!;
  if ((ctb & 0x80) === 0) return 'invalid';
  if (ctb & 0x40) {
    const tag = ctb & 0x3f;
    const o1 = bytes[offset + 1];
    if (o1 === undefined) return undefined;
    if (o1 < 192) return { tag, bodyStart: offset + 2, length: o1, definite: true };
    if (o1 < 224) {
      const o2 = bytes[offset + 2];
      if (o2 === undefined) return undefined;
      return { tag, bodyStart: offset + 3, length: ((o1 - 192) << 8) + o2 + 192, definite: true };
    }
    if (o1 === 255) {
      if (offset + 6 > bytes.length) return undefined;
      return { tag, bodyStart: offset + 6, length: readUInt32(bytes, offset + 2), definite: true };
    }
    return { tag, bodyStart: offset + 2, length: 1 << (o1 & 0x1f), definite: false };
  }
  const tag = (ctb >> 2) & 0x0f;
  switch (ctb & 0x03) {
    case 0:
      if (offset + 2 > bytes.length) return undefined;
      return { tag, bodyStart: offset + 2, length: bytes[offset + 1]!, definite: true };
    case 1:
      if (offset + 3 > bytes.length) return undefined;
      return { tag, bodyStart: offset + 3, length: (bytes[offset + 1]! << 8) | bytes[offset + 2]!, definite: true };
    case 2:
      if (offset + 5 > bytes.length) return undefined;
      return { tag, bodyStart: offset + 5, length: readUInt32(bytes, offset + 1), definite: true };
    default:
      return { tag, bodyStart: offset + 1, length: Number.MAX_SAFE_INTEGER, definite: false };
  }
}

function readUInt32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

/** Names common plaintext formats by their magic bytes, without echoing any content. */
function recognise(bytes: Uint8Array): string | undefined {
  const ascii = Buffer.from(bytes.subarray(0, 16)).toString('latin1');
  if (ascii.startsWith('PGDMP')) return 'an unencrypted pg_dump archive';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip data';
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) return 'zstd data';
  if (/^\s*[[{]/.test(ascii)) return 'JSON';
  if (/^-----BEGIN PGP (PUBLIC|PRIVATE) KEY/.test(ascii)) return 'an armored OpenPGP key';
  if (/^-----BEGIN PGP SIGNATURE/.test(ascii)) return 'an armored OpenPGP signature';
  return undefined;
}

const CFB_CIPHERS: Record<string, { cipher: string; block: number }> = {
  aes128: { cipher: 'aes-128-cfb', block: 16 },
  aes192: { cipher: 'aes-192-cfb', block: 16 },
  aes256: { cipher: 'aes-256-cfb', block: 16 },
  camellia128: { cipher: 'camellia-128-cfb', block: 16 },
  camellia192: { cipher: 'camellia-192-cfb', block: 16 },
  camellia256: { cipher: 'camellia-256-cfb', block: 16 },
  tripledes: { cipher: 'des-ede3-cfb', block: 8 },
};

/**
 * RFC 4880 §5.13 "quick check": SEIPDv1 data starts with a random block whose last two
 * octets are repeated. A wrong session key fails it with probability 1 - 2^-16, so a wrong
 * passphrase is told apart from damaged data before any plaintext is produced.
 * Returns undefined when it cannot be checked (other packets or ciphers).
 */
export function sessionKeyFits(head: MessageHead, algorithm: string | null | undefined, key: Uint8Array): boolean | undefined {
  if (head.dataTag !== 18 || head.dataVersion !== 1 || !algorithm) return undefined;
  const spec = CFB_CIPHERS[algorithm];
  if (!spec || head.dataStart.length < spec.block + 2) return undefined;
  try {
    const decipher = createDecipheriv(spec.cipher, key, Buffer.alloc(spec.block));
    const out = decipher.update(head.dataStart.subarray(0, spec.block + 2));
    return out[spec.block - 2] === out[spec.block] && out[spec.block - 1] === out[spec.block + 1];
  } catch {
    return undefined;
  }
}
