import { createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError, NotAgeFileError, TruncatedMessageError, WrongKeyError, WrongPassphraseError } from '../errors.js';
import { headerEnd, headerMacMatches, parseHeader, VERSION_LINE, type ParsedHeader } from './header.js';
import type { AgeIdentity } from './keys.js';
import { CHUNK, chunkNonce, PAYLOAD_NONCE_BYTES, payloadKey, SEALED_CHUNK } from './payload.js';
import { MalformedStanza, unwrapScrypt, unwrapX25519 } from './stanzas.js';

/** What an age file can be decrypted with: X25519 identities and/or a passphrase (for scrypt stanzas). */
export interface AgeDecryptionKeys {
  readonly identities: readonly AgeIdentity[];
  readonly passphrase?: string;
}

const TAG = 16;
/** Headers longer than this are refused (a few hundred bytes per recipient). */
const MAX_HEADER = 1 << 20;
const DAMAGED_FIX = 'The stored file is damaged or was altered: restore from another backup, and find out who can write to the store.';

/**
 * Decrypts a whole age file as a stream: header (stanzas, MAC), then the STREAM payload. A
 * chunk's plaintext is emitted only after its tag verified, and the stream ends only after a
 * valid final chunk, so output that ended without error is complete and authentic. A full
 * chunk is held back until more input shows whether it is the last. `label` names the file
 * in errors.
 */
export class AgeDecryptor extends Transform {
  private headerBytes: Buffer | undefined = Buffer.alloc(0);
  private readonly buffer = Buffer.allocUnsafe(SEALED_CHUNK);
  private readonly nonce = Buffer.alloc(12);
  private readonly payloadNonce = Buffer.alloc(PAYLOAD_NONCE_BYTES);
  private nonceFilled = 0;
  private filled = 0;
  private counter = 0;
  private fileKey: Buffer | undefined;
  private key: Buffer | undefined;

  constructor(
    private readonly keys: AgeDecryptionKeys,
    private readonly label = 'The encrypted data',
  ) {
    // About 1 MiB buffered on each side: reads overlap encryption, and memory stays flat.
    super({ readableHighWaterMark: 16 * CHUNK, writableHighWaterMark: 16 * SEALED_CHUNK });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.headerBytes) {
      const bytes = Buffer.concat([this.headerBytes, chunk]);
      const prefix = Math.min(bytes.length, VERSION_LINE.length);
      if (bytes.toString('latin1', 0, prefix) !== VERSION_LINE.slice(0, prefix)) return callback(this.notAge(bytes));
      const end = headerEnd(bytes);
      if (end < 0) {
        if (bytes.length > MAX_HEADER) return callback(this.malformed('its header has no end within 1 MiB'));
        this.headerBytes = bytes;
        return callback();
      }
      this.headerBytes = undefined;
      const header = parseHeader(bytes.subarray(0, end));
      if (typeof header === 'string') return callback(this.malformed(header));
      this.unlock(header).then(
        (fileKey) => {
          this.fileKey = fileKey;
          this.payload(bytes.subarray(end), callback);
        },
        (error: Error) => callback(error),
      );
      return;
    }
    this.payload(chunk, callback);
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (this.headerBytes) {
        if (this.headerBytes.length === 0) throw this.truncated('it is empty');
        throw this.truncated('it ends inside its header');
      }
      if (!this.key) throw this.truncated('it ends before its payload starts');
      if (this.filled < TAG) {
        throw this.truncated(this.filled === 0 ? `it ends after chunk ${this.counter} without a final chunk` : `it ends inside chunk ${this.counter + 1}`);
      }
      this.openChunk(this.buffer.subarray(0, this.filled), true);
      this.key.fill(0);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  /** Finds the stanza our keys open, then checks the header MAC with the file key it yields. */
  private async unlock(header: ParsedHeader): Promise<Buffer> {
    const { stanzas } = header;
    const scrypt = stanzas.filter((s) => s.args[0] === 'scrypt');
    if (scrypt.length > 0 && stanzas.length > 1) throw this.malformed('it mixes a passphrase (scrypt) stanza with other stanzas, which age forbids');
    let fileKey: Buffer | undefined;
    try {
      if (scrypt.length === 1) {
        if (!this.keys.passphrase) {
          throw new WrongKeyError(
            `${this.label} is encrypted with a passphrase (age scrypt), but no \`passphrase\` was given.`,
            'Set `passphrase` to the passphrase the backup was encrypted with.',
            [],
          );
        }
        fileKey = await unwrapScrypt(scrypt[0]!, this.keys.passphrase);
        if (!fileKey) throw new WrongPassphraseError(`The passphrase does not decrypt ${lower(this.label)}.`, 'Give the passphrase the backup was encrypted with.');
      } else {
        const x25519 = stanzas.filter((s) => s.args[0] === 'X25519');
        for (const stanza of x25519) {
          for (const identity of this.keys.identities) {
            fileKey = unwrapX25519(stanza, identity);
            if (fileKey) break;
          }
          if (fileKey) break;
        }
        if (!fileKey) {
          const given = this.keys.identities.map((i) => i.recipient);
          throw new WrongKeyError(
            given.length === 0
              ? `${this.label} is encrypted to age recipients, but no age identity (\`AGE-SECRET-KEY-1…\`) was given in \`identity\`.`
              : `${this.label} is not encrypted to any of the age identities given (recipients ${given.join(', ')}); it has ${x25519.length} X25519 stanza${x25519.length === 1 ? '' : 's'}.`,
            'Set `identity` to the age identity of one of the backup\'s recipients (the manifest lists them); after a key rotation, keep the old identity beside the new one.',
            [],
          );
        }
      }
    } catch (error) {
      if (error instanceof MalformedStanza) throw this.malformed(error.message);
      throw error;
    }
    if (!headerMacMatches(fileKey, header)) {
      throw new IntegrityError(`${this.label} has a header MAC that does not match: its header was changed after it was written.`, DAMAGED_FIX);
    }
    return fileKey;
  }

  private payload(chunk: Buffer, callback: TransformCallback): void {
    let offset = 0;
    if (!this.key) {
      const take = Math.min(PAYLOAD_NONCE_BYTES - this.nonceFilled, chunk.length);
      chunk.copy(this.payloadNonce, this.nonceFilled, 0, take);
      this.nonceFilled += take;
      offset = take;
      if (this.nonceFilled < PAYLOAD_NONCE_BYTES) return callback();
      this.key = payloadKey(this.fileKey!, this.payloadNonce);
      this.fileKey!.fill(0);
    }
    try {
      while (offset < chunk.length) {
        if (this.filled === SEALED_CHUNK) {
          this.openChunk(this.buffer, false);
          this.filled = 0;
        }
        // Whole chunks with more input after them are opened in place, without a copy.
        if (this.filled === 0 && chunk.length - offset > SEALED_CHUNK) {
          this.openChunk(chunk.subarray(offset, offset + SEALED_CHUNK), false);
          offset += SEALED_CHUNK;
          continue;
        }
        const take = Math.min(SEALED_CHUNK - this.filled, chunk.length - offset);
        chunk.copy(this.buffer, this.filled, offset, offset + take);
        this.filled += take;
        offset += take;
      }
    } catch (error) {
      return callback(error as Error);
    }
    callback();
  }

  private openChunk(sealed: Buffer, final: boolean): void {
    const index = this.counter;
    const plaintext = this.tryOpen(sealed, index, final);
    if (plaintext) {
      if (final && plaintext.length === 0 && index > 0) {
        throw new IntegrityError(`${this.label} ends with an empty final chunk after other chunks, which age never writes.`, DAMAGED_FIX);
      }
      this.counter++;
      if (plaintext.length > 0) this.push(plaintext);
      return;
    }
    // Name the usual failures by trying the other flag.
    if (final && sealed.length === SEALED_CHUNK && this.tryOpen(sealed, index, false)) {
      throw this.truncated(`it ends after chunk ${index + 1}, which is not its final chunk`);
    }
    if (!final && this.tryOpen(sealed, index, true)) {
      throw new IntegrityError(`${this.label} has data after its final chunk (chunk ${index + 1}).`, DAMAGED_FIX);
    }
    throw new IntegrityError(
      `${this.label} fails the integrity check at chunk ${index + 1} of its payload (at byte ${index * SEALED_CHUNK} after the header): it was modified, reordered, cut short, or mixed with another file.`,
      DAMAGED_FIX,
    );
  }

  private tryOpen(sealed: Buffer, index: number, final: boolean): Buffer | undefined {
    const decipher = createDecipheriv('chacha20-poly1305', this.key!, chunkNonce(this.nonce, index, final), { authTagLength: TAG });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG));
    try {
      decipher.final();
      return plaintext;
    } catch {
      return undefined;
    }
  }

  private truncated(detail: string): TruncatedMessageError {
    return new TruncatedMessageError(`${this.label} is cut short: ${detail}.`, 'The stored file is incomplete: upload it again whole, or restore from another backup.');
  }

  private malformed(detail: string): NotAgeFileError {
    return new NotAgeFileError(`${this.label} is not a well-formed age file: ${detail}.`, DAMAGED_FIX);
  }

  private notAge(bytes: Buffer): NotAgeFileError {
    const armored = bytes.toString('latin1', 0, 40).startsWith('-----BEGIN AGE ENCRYPTED FILE-----');
    const openpgp = bytes.length > 0 && (bytes[0]! & 0x80) !== 0;
    return new NotAgeFileError(
      armored
        ? `${this.label} is an ASCII-armored age file; Lifeboat reads binary age files only.`
        : `${this.label} is not an age file (it does not start with \`age-encryption.org/v1\`)${openpgp ? '; it looks like an OpenPGP message' : ''}.`,
      armored ? 'Convert it with `age -d -i key.txt file | age -r age1… > file.age`, or use a backup Lifeboat wrote.' : 'Check that the manifest\'s encryption scheme matches the stored file; the backup may be damaged.',
    );
  }
}

function lower(label: string): string {
  return label.startsWith('The ') ? `the ${label.slice(4)}` : label;
}
