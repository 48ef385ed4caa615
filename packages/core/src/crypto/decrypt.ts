import { createWriteStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { pipeline as pipe, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream as WebReadableStream } from 'node:stream/web';
import {
  decrypt,
  decryptSessionKeys,
  enums,
  readMessage,
  unarmor,
  type Message,
  type PartialConfig,
  type PrivateKey,
  type SessionKey,
} from 'openpgp';
import { HashCounter } from '../pipeline/stages.js';
import { AgeDecryptor, splitAgeIdentities, type AgeIdentity } from './age/index.js';
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
import { coalesce, CRYPTO_CHUNK } from './coalesce.js';
import type { GpgBinary } from './gpg-binary.js';
import { GPG_CIPHERS, GpgDecryptionFailure, gpgDecryptToFile, gpgPlaintext, gpgTakesPassphrases, usableGpg, type GpgRun } from './gpg-decrypt.js';
import { describeKey, keyInfo, openpgpReason, type KeyInfo } from './keys.js';
import { parseMessageHead, sessionKeyFits, type HeadProblem, type MessageHead } from './message-head.js';
import { normalizePassphrase } from './plan.js';
import { loadPrivateKeys } from './private-keys.js';
import { useNativeS2K } from './s2k.js';

/** A private key able to decrypt, with the ids of its decryption (sub)keys for messages. */
export interface DecryptionIdentity extends KeyInfo {
  /** Key ids (16 lowercase hex) of the (sub)keys that can decrypt. */
  decryptionKeyIds: string[];
}

/** What a backup can be decrypted with: unlocked private keys, age identities and/or a passphrase. */
export interface DecryptionKeys {
  privateKeys: PrivateKey[];
  identities: DecryptionIdentity[];
  /** age X25519 identities, for age backups. */
  ageIdentities?: AgeIdentity[];
  passphrase?: string;
}

/** How the ciphertext is encrypted, from the backup's manifest. */
export type DecryptScheme = 'openpgp' | 'age';

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

/**
 * Which implementation decrypts. `auto`: the `gpg` binary (GnuPG ≥ 2.2 on PATH, about four
 * times faster than openpgp.js on large backups) for the messages it is used for, openpgp.js
 * otherwise. `gpg`: the same, but fails when there is no gpg (tests, benchmarks). `openpgp`:
 * openpgp.js only. Either way keys are handled by openpgp.js and the errors are the same.
 */
export type DecryptEngine = 'auto' | 'gpg' | 'openpgp';

/** Options of decryptToFile and decryptFileToFile. */
export interface DecryptOptions {
  signal?: AbortSignal;
  /** Names the object in errors (e.g. `db.pgdump.pgp`). */
  label?: string;
  /** Default `auto`. */
  engine?: DecryptEngine;
  /** Environment whose PATH is searched for gpg (default: this process's). */
  env?: Record<string, string | undefined>;
  /** Told which implementation decrypts the message, and why. */
  onEngine?: (engine: 'gpg' | 'openpgp.js' | 'age', detail: string) => void;
  /** The encryption scheme, as the manifest records it (default `openpgp`). */
  scheme?: DecryptScheme;
  /**
   * Also receives the plaintext, in order, as it is decrypted (e.g. a decompressor), with its
   * backpressure. It is not ended here: the caller ends it once decryption succeeded, and
   * must discard what it made when decryption fails (the plaintext is unverified until then).
   */
  copyTo?: Writable;
}

/** How openMessage may decrypt: which gpg (if any) and where it can read the ciphertext itself. */
interface Route {
  readonly engine: DecryptEngine;
  /** The gpg to use where it fits; undefined: openpgp.js only. */
  readonly gpg?: GpgBinary;
  /** Why a gpg on PATH is not used. */
  readonly gpgProblem?: string;
  /** A descriptor of the ciphertext file at offset 0, which gpg may read directly (its position is gpg's to move). */
  readonly fd?: number;
  readonly onEngine?: DecryptOptions['onEngine'];
}

/** Resolves the engine choice to a gpg binary (or none); `gpg` without one on PATH is a caller's mistake. */
async function routeFor(options: Pick<DecryptOptions, 'engine' | 'env' | 'onEngine'>, engine: DecryptEngine, fd?: number): Promise<Route> {
  const { gpg, problem } = engine === 'openpgp' ? {} : await usableGpg(options.env ?? process.env);
  if (!gpg && engine === 'gpg') throw new Error(`Decryption engine \`gpg\` was asked for, but ${problem ?? 'there is no GnuPG 2.2 or newer on PATH'}.`);
  return { engine, gpg, gpgProblem: problem, fd, onEngine: options.onEngine };
}

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
      'Set `identity` to the age identity or the armored OpenPGP private key (or its path) of a backup recipient, with `identity-passphrase` if it is protected, and/or set `passphrase`.',
    );
  }
  // age identities and OpenPGP keys may stand side by side (backups from before and after a change of scheme).
  const split = identityText ? await splitAgeIdentities(identityText, { option: 'identity', cwd: context.cwd }) : { age: [], rest: '' };
  const openpgpText = split.rest.trim() ? split.rest : undefined;
  const privateKeys = openpgpText
    ? await loadPrivateKeys(openpgpText, identityPassphrase, { option: 'identity', passphraseOption: 'identity-passphrase', cwd: context.cwd, decryptionOnly: true })
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
  const keys: DecryptionKeys = { privateKeys, identities, ageIdentities: split.age };
  return passphrase ? { ...keys, passphrase } : keys;
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
  options: DecryptOptions = {},
): Promise<{ bytes: number; sha256: string }> {
  return decryptInto(input, undefined, keys, outPath, options);
}

/**
 * decryptToFile for ciphertext in an open file, read from its first byte whatever the handle's
 * position (on Linux, gpg reads the file itself through a descriptor of its own). The handle
 * stays open.
 */
export async function decryptFileToFile(
  file: FileHandle,
  keys: DecryptionKeys,
  outPath: string,
  options: DecryptOptions = {},
): Promise<{ bytes: number; sha256: string }> {
  const input = file.createReadStream({ start: 0, autoClose: false, highWaterMark: CRYPTO_CHUNK });
  const own = options.engine === 'openpgp' || options.scheme === 'age' ? undefined : await reopen(file);
  try {
    return await decryptInto(input, own?.fd, keys, outPath, options);
  } finally {
    await own?.close();
  }
}

/**
 * A second descriptor for the same open file, at offset 0, for gpg to read: its reads then
 * move no position of the caller's handle, and it reads the very file the caller opened even
 * if the path was replaced since. Linux's /proc/self/fd reopens the file; where that is not
 * available (or yields another file), undefined, and gpg is fed through a pipe instead.
 */
async function reopen(file: FileHandle): Promise<FileHandle | undefined> {
  if (process.platform !== 'linux') return undefined;
  let own: FileHandle | undefined;
  try {
    own = await open(`/proc/self/fd/${file.fd}`, 'r');
    const [a, b] = await Promise.all([file.stat(), own.stat()]);
    if (a.dev === b.dev && a.ino === b.ino) return own;
  } catch {
    // no /proc, or not permitted: pipe instead
  }
  await own?.close();
  return undefined;
}

async function decryptInto(
  input: Readable,
  fd: number | undefined,
  keys: DecryptionKeys,
  outPath: string,
  options: DecryptOptions,
): Promise<{ bytes: number; sha256: string }> {
  let plaintext: Readable | undefined;
  let created = false;
  const { signal } = options;
  // An abort ends the read of the ciphertext, whichever stage waits on it: destroying the
  // plaintext alone cannot end a decryption that is waiting for input that never comes.
  const onAbort = () => input.destroy(signal?.reason as Error);
  try {
    signal?.throwIfAborted();
    if (options.scheme === 'age') {
      options.onEngine?.('age', 'node:crypto (X25519, scrypt, ChaCha20-Poly1305)');
      const meter = new HashCounter({ highWaterMark: 1 << 20, copyTo: options.copyTo });
      created = true;
      // Large writes: a 16 KiB stream buffer made the file system, not the decryption, set the pace.
      await pipeline(input, ageDecryptor(keys, options.label), meter, createWriteStream(outPath, { mode: 0o600, highWaterMark: 1 << 20 }), { signal });
      return { bytes: meter.bytes, sha256: meter.sha256() };
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const route = await routeFor(options, options.engine ?? 'auto', fd);
    const opened = await openMessage(input, keys, options.label, route);
    if ('gpg' in opened) {
      signal?.removeEventListener('abort', onAbort);
      created = true;
      return await gpgDecryptToFile(opened.gpg, outPath, signal, options.copyTo);
    }
    plaintext = opened.plaintext;
    const meter = new HashCounter({ copyTo: options.copyTo });
    created = true;
    await pipeline(plaintext, meter, createWriteStream(outPath, { mode: 0o600 }), { signal });
    signal?.removeEventListener('abort', onAbort);
    return { bytes: meter.bytes, sha256: meter.sha256() };
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    plaintext?.destroy();
    input.destroy();
    if (created) await rm(outPath, { force: true });
    throw error;
  }
}

/** The age decryptor for these keys; its output is complete and authentic only once it ended without error. */
function ageDecryptor(keys: DecryptionKeys, label: string | undefined): AgeDecryptor {
  return new AgeDecryptor({ identities: keys.ageIdentities ?? [], passphrase: keys.passphrase }, label);
}

/**
 * Decrypts a small message (e.g. `stats.json.pgp`) in memory, with the same checks and errors.
 * `auto` means openpgp.js here: starting gpg costs more than it saves on small messages.
 */
export async function decryptBytes(
  data: Uint8Array,
  keys: DecryptionKeys,
  options: Pick<DecryptOptions, 'label' | 'engine' | 'env' | 'onEngine' | 'scheme'> = {},
): Promise<Uint8Array> {
  if (options.scheme === 'age') {
    const chunks: Buffer[] = [];
    const decryptor = ageDecryptor(keys, options.label);
    decryptor.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    for await (const chunk of decryptor) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }
  const route = await routeFor(options, options.engine === 'gpg' ? 'gpg' : 'openpgp');
  const opened = await openMessage(Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]), keys, options.label, route);
  const plaintext = 'gpg' in opened ? gpgPlaintext(opened.gpg) : opened.plaintext;
  const chunks: Buffer[] = [];
  for await (const chunk of plaintext) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Opens the message: a plaintext stream (openpgp.js) that errors with a classified error
 * unless the message is intact, or a gpg run to start, whose failures are classified alike.
 */
async function openMessage(input: Readable, keys: DecryptionKeys, label = 'The encrypted data', route: Route): Promise<{ plaintext: Readable } | { gpg: GpgRun }> {
  // A failing source (network, disk) keeps its own error: it is not a decryption problem.
  let inputError: unknown;
  // Once we stop reading it early (gpg exited or reads the file itself, openpgp.js needs no more), ending the source is ours, not its failure.
  let detached = false;
  const onError = (error: unknown) => {
    if (!detached) inputError ??= error;
  };
  input.on('error', onError);
  const release = () => input.off('error', onError);
  const detach = () => (detached = true);
  let unlocked: Unlocked | undefined;
  try {
    const { head, stream, armored, dataOffset, bytes } = await openBinary(input, label, detach);
    if (head.dataTag === 9) {
      stream.destroy();
      throw new IntegrityError(
        `${label} is encrypted without integrity protection (a symmetrically encrypted data packet with no modification detection code): changes to it could not be detected, so it is not decrypted.`,
        'Use a backup Lifeboat wrote, or re-encrypt the data with GnuPG 2.2 or newer without --rfc2440 or --disable-mdc.',
      );
    }
    const gpg = gpgFits(route, head, armored);
    if (gpg) {
      // The session key packets alone: openpgp.js finds the session key exactly as below, gpg does the bulk work.
      const packets = await readMessage({ binaryMessage: bytes.subarray(0, dataOffset), config: DECRYPT_CONFIG }).catch(() => undefined);
      if (packets) {
        unlocked = await unlockSessionKey(packets as Message<never>, head, keys, label);
        const algorithm = unlocked.sessionKey.algorithm ? (enums.symmetric as unknown as Record<string, number>)[unlocked.sessionKey.algorithm] : undefined;
        if (algorithm !== undefined && GPG_CIPHERS.has(algorithm)) {
          route.onEngine?.('gpg', `GnuPG ${gpg.version} (${gpg.path})`);
          if (route.fd !== undefined) stream.destroy(); // gpg reads the file itself
          return {
            gpg: {
              gpg,
              input: route.fd !== undefined ? { fd: route.fd } : { stream },
              // A key the quick check could not judge goes to gpg as the passphrase it came from: gpg checks that one itself.
              secret:
                unlocked.uncheckedFromPassphrase && keys.passphrase && (await gpgTakesPassphrases(gpg))
                  ? { passphrase: keys.passphrase }
                  : { sessionKey: { algorithm, key: unlocked.sessionKey.data } },
              failure,
              release,
              detach,
            },
          };
        }
      }
    }
    route.onEngine?.('openpgp.js', gpg ? 'a cipher or packet gpg is not given' : whyNotGpg(route, head, armored));
    const joined = coalesce();
    pipe(stream, joined, () => undefined);
    const message = await readMessage({ binaryMessage: Readable.toWeb(joined) as unknown as WebReadableStream<Uint8Array> as never, config: DECRYPT_CONFIG });
    unlocked ??= await unlockSessionKey(message, head, keys, label);
    const { data } = await decrypt({ message, sessionKeys: [unlocked.sessionKey], format: 'binary', config: DECRYPT_CONFIG });
    return { plaintext: Readable.from(plaintextChunks(data as unknown as AsyncIterable<Uint8Array>, failure, release), { objectMode: false }) };
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

/**
 * The gpg to decrypt this message with, or undefined for openpgp.js: gpg takes binary SEIPDv1
 * messages (what Lifeboat and GnuPG 2.2 write); armored text and RFC 9580 (v2, AEAD) or OCB
 * data stay with openpgp.js, whose answers for them are the reference.
 */
function gpgFits(route: Route, head: MessageHead, armored: boolean): GpgBinary | undefined {
  if (!route.gpg || armored || head.dataTag !== 18 || head.dataVersion !== 1) return undefined;
  return route.gpg;
}

function whyNotGpg(route: Route, head: MessageHead, armored: boolean): string {
  if (route.engine === 'openpgp') return 'openpgp.js was asked for';
  if (armored) return 'an armored message';
  if (head.dataTag !== 18 || head.dataVersion !== 1) return `encrypted data packet ${head.dataTag} v${head.dataVersion}`;
  return route.gpgProblem ?? 'no GnuPG 2.2 or newer on PATH';
}

async function* plaintextChunks(
  data: AsyncIterable<Uint8Array>,
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

/** The message head, the bytes read so far (binary), and a stream that replays the whole message. */
interface OpenedBinary {
  head: MessageHead;
  stream: Readable;
  armored: boolean;
  /** Offset in `bytes` of the encrypted data packet. */
  dataOffset: number;
  bytes: Buffer;
}

/** Reads the message head (dearmoring first if needed) and returns a stream that replays it. */
async function openBinary(input: Readable, label: string, onRelease: () => void): Promise<OpenedBinary> {
  let source = new Replayable(input, onRelease);
  while (source.size < 64 && (await source.more()));
  const armored = /^\s*-----BEGIN PGP MESSAGE-----/.test(source.bytes().subarray(0, 64).toString('latin1'));
  if (armored) {
    let dearmored;
    try {
      // Text chunks: Readable.toWeb's queue sizes chunks by byteLength, which strings lack (NaN on a backlog).
      dearmored = await unarmor(WebReadableStream.from(source.replay().setEncoding('utf8')) as never);
    } catch (error) {
      throw new NotOpenPGPMessageError(`${label} is not a valid armored OpenPGP message (${openpgpReason(error)}).`, 'Check that the right object was given.');
    }
    source = new Replayable(Readable.fromWeb(dearmored.data as never));
  }
  for (;;) {
    const result = parseMessageHead(source.bytes(), source.ended);
    if (result.kind === 'head') return { head: result.head, stream: source.replay(), armored, dataOffset: result.dataOffset, bytes: source.bytes() };
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
    for (const packet of message.packets.filterByTag(enums.packet.symEncryptedSessionKey)) useNativeS2K((packet as { s2k?: unknown }).s2k);
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
  if (error instanceof GpgDecryptionFailure) return gpgError(error, label);
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

/** The same errors as openpgp.js's for the same damage, from what gpg and the packet framing said. */
function gpgError(failure: GpgDecryptionFailure, label: string): LifeboatError {
  const reason = failure.reason ? `gpg: ${failure.reason}` : `gpg reported ${failure.verdict.kind}`;
  const fix = 'Use another backup, and compare the stored bytes with the SHA-256 in the manifest.';
  if (failure.cut) {
    return new TruncatedMessageError(`${label} ends before the OpenPGP message does (${reason}); it is truncated.`, 'Use another backup; this object was not fully written or was cut short.', {
      cause: failure,
    });
  }
  if (failure.verdict.kind === 'bad-passphrase') {
    return new WrongPassphraseError(`The passphrase does not decrypt ${lower(label)}.`, 'Give the passphrase the backup was encrypted with.');
  }
  if (failure.verdict.kind === 'modified') {
    return new IntegrityError(
      `${label} failed the OpenPGP integrity check (modification detected): the ciphertext was changed or damaged. Its output was discarded.`,
      fix,
      { cause: failure },
    );
  }
  if (failure.verdict.kind === 'no-integrity') {
    return new IntegrityError(`${label} has no OpenPGP integrity protection (no modification detection code), so its content cannot be trusted. Its output was discarded.`, fix, {
      cause: failure,
    });
  }
  return new IntegrityError(`${label} could not be decrypted (${reason}); the message is damaged or not one Lifeboat can read. Its output was discarded.`, fix, { cause: failure });
}

function lower(text: string): string {
  return text.startsWith('The ') ? `the ${text.slice(4)}` : text;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A stream read ahead by a few chunks, then replayed from its first byte. `onRelease` is
 * called before it stops reading early (a consumer that needs no more, such as the end of an
 * armored block, or gpg reading a file itself): ending the source then makes it report an
 * AbortError, which is not the source failing.
 */
class Replayable {
  private readonly iterator: AsyncIterator<Buffer | string>;
  private readonly chunks: Buffer[] = [];
  private joined: Buffer | undefined;
  size = 0;
  ended = false;

  constructor(
    source: Readable,
    private readonly onRelease: () => void = () => undefined,
  ) {
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
    if (!this.ended) this.onRelease();
    void this.iterator.return?.();
  }

  replay(): Readable {
    const { chunks, iterator, onRelease } = this;
    const ended = this.ended;
    async function* all(): AsyncGenerator<Buffer> {
      let done = ended;
      try {
        for (const chunk of chunks) yield chunk;
        if (ended) return;
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            done = true;
            return;
          }
          yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        }
      } finally {
        // A source error was recorded when it happened; from here on, ending the source is ours.
        if (!done) onRelease();
        await iterator.return?.();
      }
    }
    return Readable.from(all(), { objectMode: false });
  }
}
