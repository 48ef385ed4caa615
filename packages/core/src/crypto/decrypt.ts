import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline as pipe, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  decrypt,
  decryptSessionKeys,
  readMessage,
  unarmor,
  type Message,
  type PartialConfig,
  type PrivateKey,
  type SessionKey,
} from 'openpgp';
import { LifeboatError, OptionError } from '../report/errors.js';
import { registerSecret } from '../report/secrets.js';
import {
  IntegrityError,
  NoDecryptionKeyError,
  NotOpenPGPMessageError,
  PrivateKeyError,
  TruncatedMessageError,
  WrongKeyError,
  WrongPassphraseError,
} from './errors.js';
import { coalesce } from './coalesce.js';
import { describeKey, keyInfo, openpgpReason, type KeyInfo } from './keys.js';
import { parseMessageHead, sessionKeyFits, type HeadProblem, type MessageHead } from './message-head.js';
import { normalizePassphrase } from './plan.js';
import { loadPrivateKeys } from './private-keys.js';

/** A private key able to decrypt, with the ids of its decryption (sub)keys for messages. */
export interface DecryptionIdentity extends KeyInfo {
  /** Key ids (16 lowercase hex) of the (sub)keys that can decrypt. */
  decryptionKeyIds: string[];
}

/** What a backup can be decrypted with: unlocked private keys and/or a symmetric passphrase. */
export interface DecryptionKeys {
  privateKeys: PrivateKey[];
  identities: DecryptionIdentity[];
  passphrase?: string;
}

/**
 * Streamed decryption emits plaintext before the integrity check at the end of the message
 * (`allowUnauthenticatedStream`); callers only trust the output once the stream ended without
 * error, and decryptToFile deletes it otherwise. Constant-time PKCS#1 handling defends
 * interactive decryption oracles, which a restore is not; off, a wrong RSA key fails clearly.
 */
const DECRYPT_CONFIG: PartialConfig = {
  allowUnauthenticatedStream: true,
  constantTimePKCS1Decryption: false,
};

/** Head bytes read at most before giving up on finding the encrypted data packet. */
const MAX_HEAD = 1 << 20;

/** Loads what a drill or restore decrypts with; secrets are registered before anything can print them. */
export async function loadDecryptionKeys(
  options: { identity?: string /* armored or path */; identityPassphrase?: string; passphrase?: string },
  context: { cwd?: string } = {},
): Promise<DecryptionKeys> {
  registerSecret(options.identity);
  registerSecret(options.identityPassphrase);
  registerSecret(options.passphrase);
  const passphrase = normalizePassphrase(options.passphrase, 'passphrase');
  const identityText = options.identity?.trim() ? options.identity : undefined;
  const identityPassphrase = options.identityPassphrase?.replace(/\r?\n$/, '') || undefined;
  if (!identityText && identityPassphrase) {
    throw new OptionError('`identity-passphrase` is set but `identity` is empty.', 'Set `identity` to the private key it unlocks.');
  }
  if (!identityText && !passphrase) {
    throw new NoDecryptionKeyError(
      'Nothing to decrypt with: `identity` and `passphrase` are both empty.',
      'Set `identity` to the armored private key (or its path) of a backup recipient, with `identity-passphrase` if it is protected, and/or set `passphrase`.',
    );
  }
  const privateKeys = identityText
    ? await loadPrivateKeys(identityText, identityPassphrase, { option: 'identity', passphraseOption: 'identity-passphrase', cwd: context.cwd })
    : [];
  const identities: DecryptionIdentity[] = [];
  for (const key of privateKeys) {
    // Expiry is not checked: an expired key must still open the backups made while it was valid.
    const usable = await key.getDecryptionKeys(undefined, null as unknown as Date).catch(() => []);
    if (usable.length === 0) {
      throw new PrivateKeyError(
        `The private key ${describeKey(keyInfo(key))} in \`identity\` has no key that can decrypt (a signing-only key).`,
        'Give the private key whose encryption subkey the backups are encrypted to.',
      );
    }
    identities.push({ ...keyInfo(key), decryptionKeyIds: usable.map((k) => k.getKeyID().toHex()) });
  }
  return passphrase ? { privateKeys, identities, passphrase } : { privateKeys, identities };
}

/**
 * Streams ciphertext into outPath; resolves only after the integrity check passed at the end
 * of the stream; on any failure deletes the partial file and rejects. Returns plaintext size
 * and SHA-256 (hex). `label` names the object in errors (e.g. `db.pgdump.pgp`).
 */
export async function decryptToFile(
  input: Readable,
  keys: DecryptionKeys,
  outPath: string,
  options: { signal?: AbortSignal; label?: string } = {},
): Promise<{ bytes: number; sha256: string }> {
  let plaintext: Readable | undefined;
  let created = false;
  const { signal } = options;
  // Until the pipeline below takes the signal over, an abort ends the read of the message head.
  const onAbort = () => input.destroy(signal?.reason as Error);
  try {
    signal?.throwIfAborted();
    signal?.addEventListener('abort', onAbort, { once: true });
    plaintext = await openPlaintext(input, keys, options.label);
    signal?.removeEventListener('abort', onAbort);
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    created = true;
    await pipeline(plaintext, meter, createWriteStream(outPath, { mode: 0o600 }), { signal });
    return { bytes, sha256: hash.digest('hex') };
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    plaintext?.destroy();
    input.destroy();
    if (created) await rm(outPath, { force: true });
    throw error;
  }
}

/** Decrypts a small message (e.g. `stats.json.pgp`) in memory, with the same checks and errors. */
export async function decryptBytes(data: Uint8Array, keys: DecryptionKeys, options: { label?: string } = {}): Promise<Uint8Array> {
  const plaintext = await openPlaintext(Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]), keys, options.label);
  const chunks: Buffer[] = [];
  for await (const chunk of plaintext) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Opens a plaintext stream that errors (with a classified error) unless the message is intact. */
async function openPlaintext(input: Readable, keys: DecryptionKeys, label = 'The encrypted data'): Promise<Readable> {
  // A failing source (network, disk) keeps its own error: it is not a decryption problem.
  let inputError: unknown;
  const onError = (error: unknown) => (inputError ??= error);
  input.on('error', onError);
  const release = () => input.off('error', onError);
  let unlocked: Unlocked | undefined;
  try {
    const { head, stream } = await openBinary(input, label);
    const joined = coalesce();
    pipe(stream, joined, () => undefined);
    const message = await readMessage({ binaryMessage: Readable.toWeb(joined) as unknown as WebReadableStream<Uint8Array> as never, config: DECRYPT_CONFIG });
    unlocked = await unlockSessionKey(message, head, keys, label);
    const { data } = await decrypt({ message, sessionKeys: [unlocked.sessionKey], format: 'binary', config: DECRYPT_CONFIG });
    return Readable.from(plaintextChunks(data as unknown as WebReadableStream<Uint8Array>, failure, release), { objectMode: false });
  } catch (error) {
    release();
    input.destroy();
    throw failure(error, false);
  }

  /**
   * The error to report. An unchecked passphrase-derived key that fails before the first
   * plaintext byte was the wrong key: garbage does not parse as a packet.
   */
  function failure(error: unknown, emitted: boolean): unknown {
    if (inputError) return inputError;
    if (unlocked?.uncheckedFromPassphrase && !emitted && !(error instanceof LifeboatError)) {
      return new WrongPassphraseError(`The passphrase does not decrypt ${lower(label)}.`, 'Give the passphrase the backup was encrypted with.');
    }
    return classify(error, label);
  }
}

async function* plaintextChunks(
  data: WebReadableStream<Uint8Array>,
  failure: (error: unknown, emitted: boolean) => unknown,
  release: () => void,
): AsyncGenerator<Uint8Array> {
  let emitted = false;
  try {
    for await (const chunk of data) {
      emitted ||= chunk.length > 0;
      yield chunk;
    }
  } catch (error) {
    throw failure(error, emitted);
  } finally {
    release();
  }
}

/** Reads the message head (dearmoring first if needed) and returns a stream that replays it. */
async function openBinary(input: Readable, label: string): Promise<{ head: MessageHead; stream: Readable }> {
  let source = new Replayable(input);
  while (source.size < 64 && (await source.more()));
  if (/^\s*-----BEGIN PGP MESSAGE-----/.test(source.bytes().subarray(0, 64).toString('latin1'))) {
    let dearmored;
    try {
      dearmored = await unarmor(Readable.toWeb(source.replay().setEncoding('utf8')) as never);
    } catch (error) {
      throw new NotOpenPGPMessageError(`${label} is not a valid armored OpenPGP message (${openpgpReason(error)}).`, 'Check that the right object was given.');
    }
    source = new Replayable(Readable.fromWeb(dearmored.data as never));
  }
  for (;;) {
    const result = parseMessageHead(source.bytes(), source.ended);
    if (result.kind === 'head') return { head: result.head, stream: source.replay() };
    if (result.kind === 'problem') {
      source.cancel();
      throw headError(result.problem, label);
    }
    if (source.size > MAX_HEAD) {
      source.cancel();
      throw new NotOpenPGPMessageError(`${label} has no encrypted data packet in its first ${MAX_HEAD} bytes.`, 'Check that the right object was given.');
    }
    await source.more();
  }
}

function headError(problem: HeadProblem, label: string): LifeboatError {
  const fix = 'Check that the right object was given: Lifeboat decrypts the `.pgp` objects it stored (or any message `gpg --encrypt`/`--symmetric` wrote).';
  switch (problem.kind) {
    case 'empty':
      return new TruncatedMessageError(`${label} is empty.`, 'The stored object is damaged or was never fully written; use another backup.');
    case 'truncated':
      return new TruncatedMessageError(`${label} ends before its encrypted data begins.`, 'The stored object is truncated; use another backup.');
    case 'not-encrypted':
      return new NotOpenPGPMessageError(`${label} is OpenPGP data (packet type ${problem.tag}) but not an encrypted message.`, fix);
    case 'not-openpgp':
      return new NotOpenPGPMessageError(`${label} is not an OpenPGP message${problem.looksLike ? `; it looks like ${problem.looksLike}` : ''}.`, fix);
  }
}

/** A session key, and whether it could be checked before use (see sessionKeyFits). */
interface Unlocked {
  sessionKey: SessionKey;
  /** Only a passphrase produced it and the quick check could not judge it (a cipher other than AES, Camellia, 3DES). */
  uncheckedFromPassphrase: boolean;
}

/** The best candidate: one the quick check accepts, else one it cannot judge, never one it rejects. */
function pickFit(head: MessageHead, candidates: { data: Uint8Array; algorithm: string | null }[]): { key: SessionKey; checked: boolean } | undefined {
  const judged = candidates.map((c) => ({ key: c as SessionKey, fits: sessionKeyFits(head, c.algorithm, c.data) }));
  const best = judged.find((c) => c.fits === true) ?? judged.find((c) => c.fits === undefined);
  return best && { key: best.key, checked: best.fits === true };
}

/** Finds the session key with the passphrase and/or the private keys, and says precisely why not. */
async function unlockSessionKey(message: Message<never>, head: MessageHead, keys: DecryptionKeys, label: string): Promise<Unlocked> {
  const messageIds = head.keyIds;
  let passphraseFailed = false;
  if (keys.passphrase && head.passphraseSlots > 0) {
    const candidates = await decryptSessionKeys({ message, passwords: [keys.passphrase], config: DECRYPT_CONFIG }).catch(() => []);
    const fit = pickFit(head, candidates);
    if (fit) return { sessionKey: fit.key, uncheckedFromPassphrase: !fit.checked };
    passphraseFailed = true;
  }
  const hidden = messageIds.some((id) => /^0+$/.test(id));
  const matching = keys.privateKeys.filter((key, i) => hidden || keys.identities[i]!.decryptionKeyIds.some((id) => messageIds.includes(id)));
  if (matching.length > 0 && messageIds.length > 0) {
    let reason = 'no session key';
    const candidates = await decryptSessionKeys({ message, decryptionKeys: matching, config: DECRYPT_CONFIG }).catch((error: unknown) => {
      reason = openpgpReason(error);
      return [];
    });
    const fit = pickFit(head, candidates);
    if (fit) return { sessionKey: fit.key, uncheckedFromPassphrase: false };
    if (!hidden) {
      throw new IntegrityError(
        `${label} is encrypted to ${matching.map((k) => describeKey(keyInfo(k))).join(', ')}, but its session key could not be recovered (${reason}); the message is damaged.`,
        'Use another backup, and compare the stored bytes with the SHA-256 in the manifest.',
      );
    }
  }
  const ids = messageIds.map((id) => (/^0+$/.test(id) ? 'a hidden key id (gpg --throw-keyids)' : id.toUpperCase()));
  const locks = [ids.length > 0 ? `key id${ids.length > 1 ? 's' : ''} ${ids.join(', ')}` : '', head.passphraseSlots > 0 ? 'a passphrase' : '']
    .filter(Boolean)
    .join(' and ');
  const have = keys.identities.map((k) => `${describeKey(k)} [decryption subkey${k.decryptionKeyIds.length > 1 ? 's' : ''} ${k.decryptionKeyIds.map((id) => id.toUpperCase()).join(', ')}]`);
  if (passphraseFailed) {
    throw new WrongPassphraseError(
      `The passphrase does not decrypt ${lower(label)}${ids.length > 0 ? ` (it is also encrypted to ${locks.replace(/ and a passphrase$/, '')}${have.length > 0 ? `; the identity holds ${have.join(', ')}` : ''})` : ''}.`,
      `Give the passphrase the backup was encrypted with${ids.length > 0 ? ', or set `identity` to the private key of one of those key ids' : ''}.`,
    );
  }
  const gave = [have.length > 0 ? `the identity holds ${have.join(', ')}` : 'no identity was given', keys.passphrase ? 'a passphrase was given' : ''].filter(Boolean).join(' and ');
  const fixes: string[] = [];
  if (ids.length > 0) fixes.push(`set \`identity\` to the private key holding one of ${ids.join(', ')} (\`gpg --list-secret-keys --keyid-format long\` lists subkey ids)`);
  if (head.passphraseSlots > 0) fixes.push('set `passphrase` to the one the backup was encrypted with');
  throw new WrongKeyError(
    `${label} is encrypted to ${locks || 'nothing this tool can use'}; ${gave}${keys.passphrase && head.passphraseSlots === 0 ? ', but the message cannot be opened with a passphrase' : ''}.`,
    `${capitalize(fixes.join(', or ') || 'use a key the backup was encrypted to')}.`,
    messageIds,
  );
}

/** Maps openpgp.js errors to the failure an operator can act on. */
function classify(error: unknown, label: string): unknown {
  if (error instanceof LifeboatError) return error;
  if ((error as Error | undefined)?.name === 'AbortError') return error;
  const reason = openpgpReason(error);
  if (/unexpected end|premature end|misformed armored text/i.test(reason)) {
    return new TruncatedMessageError(`${label} ends before the OpenPGP message does (${reason}); it is truncated.`, 'Use another backup; this object was not fully written or was cut short.', { cause: error });
  }
  if (/modification detected/i.test(reason)) {
    return new IntegrityError(
      `${label} failed the OpenPGP integrity check (modification detected): the ciphertext was changed or damaged. Its output was discarded.`,
      'Use another backup, and compare the stored bytes with the SHA-256 in the manifest.',
      { cause: error },
    );
  }
  return new IntegrityError(
    `${label} could not be decrypted (${reason}); the message is damaged or not one Lifeboat can read. Its output was discarded.`,
    'Use another backup, and compare the stored bytes with the SHA-256 in the manifest.',
    { cause: error },
  );
}

function lower(text: string): string {
  return text.startsWith('The ') ? `the ${text.slice(4)}` : text;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A stream read ahead by a few chunks, then replayed from its first byte. */
class Replayable {
  private readonly iterator: AsyncIterator<Buffer | string>;
  private readonly chunks: Buffer[] = [];
  private joined: Buffer | undefined;
  size = 0;
  ended = false;

  constructor(source: Readable) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const value = next.value;
    const chunk = typeof value === 'string' ? Buffer.from(value) : Buffer.isBuffer(value) ? value : Buffer.from(value);
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.joined = undefined;
    return true;
  }

  bytes(): Buffer {
    this.joined ??= Buffer.concat(this.chunks);
    return this.joined;
  }

  cancel(): void {
    void this.iterator.return?.();
  }

  replay(): Readable {
    const { chunks, iterator } = this;
    const ended = this.ended;
    async function* all(): AsyncGenerator<Buffer> {
      try {
        for (const chunk of chunks) yield chunk;
        if (ended) return;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        }
      } finally {
        await iterator.return?.();
      }
    }
    return Readable.from(all(), { objectMode: false });
  }
}
