import { randomBytes } from 'node:crypto';
import { PassThrough, pipeline, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createMessage, encrypt, encryptSessionKey, enums, generateSessionKey, type PartialConfig, type SessionKey } from 'openpgp';
import { ageEncryptBytes, ageEncryptStream, type AgeEncryptionKeys } from './age/index.js';
import { coalesce } from './coalesce.js';
import { NoEncryptionKeyError } from './errors.js';
import type { EncryptionPlan } from './plan.js';
import { NATIVE_SEIPD_CIPHERS, PARTIAL_CHUNK, SeipdWriter } from './seipd-writer.js';

/**
 * What every message Lifeboat writes must satisfy for GnuPG 2.2: no AEAD (SEIPDv2), no v6
 * entities. No OpenPGP compression either: the payload is already compressed (or not) by the
 * pipeline, and compressing twice only costs time.
 */
export const GNUPG22_CONFIG: PartialConfig = {
  aeadProtect: false,
  v6Keys: false,
  preferredCompressionAlgorithm: enums.compression.uncompressed,
};

/**
 * Encrypts a stream into a binary OpenPGP message (not armored, no OpenPGP compression,
 * SEIPDv1 so GnuPG 2.2 reads it), or an age v1 file for scheme 'age'; 'none' returns the input. Backpressure end to end.
 */
export function encryptStream(plan: EncryptionPlan, input: Readable): Readable {
  if (plan.scheme === 'none') return input;
  if (plan.scheme === 'age') return ageEncryptStream(ageKeys(plan), input);
  assertKeyed(plan);
  // openpgp.js wraps a failing source in its own error; keep the source's error, it names the stage.
  let inputError: unknown;
  const onError = (error: unknown) => (inputError ??= error);
  input.on('error', onError);
  // Take the input now, not at the first read: a listener attached meanwhile must not drain it.
  const taken = new PassThrough({ highWaterMark: PARTIAL_CHUNK });
  pipeline(input, taken, () => undefined);
  const output = Readable.from(encryptedChunks(plan, taken, () => inputError), { objectMode: false });
  // However the output ends (consumed, failed, or destroyed before its first read), the input goes with it.
  output.once('close', () => {
    input.off('error', onError);
    if (!input.readableEnded && !input.destroyed) input.destroy();
  });
  return output;
}

/** Encrypts a small buffer (e.g. `stats.json`) the same way as `encryptStream`. */
export async function encryptBytes(plan: EncryptionPlan, data: Uint8Array): Promise<Uint8Array> {
  if (plan.scheme === 'none') return data;
  if (plan.scheme === 'age') return ageEncryptBytes(ageKeys(plan), data);
  assertKeyed(plan);
  const message = await createMessage({ binary: data, format: 'binary' });
  return encrypt({ message, ...(await encryptionParams(plan)), format: 'binary' });
}

/**
 * The message: session key packets from openpgp.js, then the encrypted data. For an AES
 * session key (what gpg and Lifeboat keys prefer, and every passphrase-only plan) the bulk
 * is written by SeipdWriter on Node's cipher; for other ciphers by openpgp.js.
 */
async function* encryptedChunks(plan: EncryptionPlan, source: Readable, inputError: () => unknown): AsyncGenerator<Uint8Array> {
  try {
    const params = await encryptionParams(plan);
    const { sessionKey } = params;
    if (sessionKey.algorithm in NATIVE_SEIPD_CIPHERS) {
      const head = await encryptSessionKey({
        data: sessionKey.data,
        algorithm: sessionKey.algorithm,
        encryptionKeys: params.encryptionKeys,
        passwords: params.passwords,
        format: 'binary',
        config: params.config,
      });
      const writer = new SeipdWriter(head, sessionKey.algorithm, sessionKey.data);
      sessionKey.data.fill(0);
      pipeline(source, writer, () => undefined);
      for await (const chunk of writer) yield chunk as Buffer;
      return;
    }
    const joined = coalesce();
    pipeline(source, joined, () => undefined);
    const message = await createMessage({ binary: Readable.toWeb(joined) as unknown as WebReadableStream<Uint8Array> as never, format: 'binary' });
    const encrypted = (await encrypt({ message, ...params, format: 'binary' })) as unknown as WebReadableStream<Uint8Array>;
    // Pull-based: a chunk is encrypted only when the consumer asks for one.
    for await (const chunk of encrypted) yield chunk;
  } catch (error) {
    throw inputError() ?? error;
  }
}

async function encryptionParams(plan: EncryptionPlan) {
  return {
    encryptionKeys: plan.recipients.map((r) => r.publicKey),
    passwords: plan.passphrase ? [plan.passphrase] : undefined,
    sessionKey: await sessionKeyFor(plan),
    config: GNUPG22_CONFIG,
  };
}

/**
 * A session key without an AEAD algorithm: openpgp.js then writes SEIPDv1 (+ MDC) whatever
 * the recipients advertise, which is what GnuPG 2.2 reads. The cipher follows the keys'
 * preferences (AES-256 for keys made by gpg or Lifeboat).
 */
async function sessionKeyFor(plan: EncryptionPlan): Promise<SessionKey> {
  if (plan.recipients.length === 0) return { data: new Uint8Array(randomBytes(32)), algorithm: 'aes256' };
  const generated = await generateSessionKey({ encryptionKeys: plan.recipients.map((r) => r.publicKey), config: GNUPG22_CONFIG });
  return { data: generated.data, algorithm: generated.algorithm };
}

function assertKeyed(plan: EncryptionPlan): void {
  if (plan.recipients.length === 0 && !plan.passphrase) {
    throw new NoEncryptionKeyError(
      'The encryption plan has neither recipients nor a passphrase.',
      'Build the plan with prepareEncryption, which refuses an empty configuration.',
    );
  }
}

/** The age keys of an age plan: its recipients, or its passphrase alone. */
function ageKeys(plan: EncryptionPlan): AgeEncryptionKeys {
  const recipients = plan.ageRecipients ?? [];
  if (recipients.length > 0) return { recipients };
  if (plan.passphrase) return { passphrase: plan.passphrase, scryptWorkFactor: plan.scryptWorkFactor };
  throw new NoEncryptionKeyError('The age encryption plan has neither recipients nor a passphrase.', 'Build the plan with prepareEncryption, which refuses an empty configuration.');
}
