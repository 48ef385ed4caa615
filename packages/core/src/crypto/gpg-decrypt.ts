import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { read } from 'node:fs';
import { chmod, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createMessage, encrypt } from 'openpgp';
import { childEnv } from '../process/child-env.js';
import { findGpg, type GpgBinary } from './gpg-binary.js';
import { gpgReason, judgeGpgStatus, type GpgVerdict } from './gpg-status.js';
import { PacketFraming } from './packet-framing.js';
import { writeAll } from '../pipeline/stages.js';

/** A session key as gpg takes it: OpenPGP cipher id and key bytes. */
export interface GpgSessionKey {
  readonly algorithm: number;
  readonly key: Uint8Array;
}

/**
 * What gpg decrypts with: the session key, or (for passphrase-only messages whose cipher the
 * quick check in message-head.ts cannot judge) the passphrase, so gpg's own quick check tells
 * a wrong one apart deterministically; gpg skips that check for a session key it is given.
 */
export type GpgSecret = { readonly sessionKey: GpgSessionKey } | { readonly passphrase: string };

/** What gpg decrypts: a stream piped to its stdin, or an open file it reads itself from offset 0. */
export type GpgInput = { readonly stream: Readable } | { readonly fd: number };

/** One decryption by gpg. */
export interface GpgRun {
  readonly gpg: GpgBinary;
  readonly input: GpgInput;
  readonly secret: GpgSecret;
  /** Maps a failure (a GpgDecryptionFailure, or gpg not starting) to the error to report; `emitted` says plaintext was already produced. */
  readonly failure: (error: unknown, emitted: boolean) => unknown;
  /** Called once the run is over, however it ended. */
  readonly release?: () => void;
  /** Called when gpg stops reading the stream (it exited or refused more): errors the source reports after that are ours. */
  readonly detach?: () => void;
}

/** gpg did not confirm an intact message: why, in its status lines and its own words. */
export class GpgDecryptionFailure extends Error {
  constructor(
    readonly verdict: Exclude<GpgVerdict, { ok: true }>,
    /** gpg's stderr lines, without debug output or the secret. */
    readonly reason: string,
    /** The input ends inside an OpenPGP packet: it was cut short. */
    readonly cut: boolean,
  ) {
    super(reason || `gpg reported ${verdict.kind}`);
    this.name = 'GpgDecryptionFailure';
  }
}

/** Cipher ids gpg is given session keys for (RFC 4880 §9.2; IDEA and RFC 9580 ids left to openpgp.js). */
export const GPG_CIPHERS: ReadonlySet<number> = new Set([2, 3, 4, 7, 8, 9, 10, 11, 12, 13]);

/** Descriptor of the pipe carrying the session key or passphrase. */
const SECRET_FD = 3;
const STATUS_FD = 4;
const MAX_STDERR = 64 * 1024;
const CHUNK = 1 << 20;
/** How long the plaintext hasher waits for gpg to write more before looking again. */
const FOLLOW_POLL_MS = 5;

/** A gpg found on PATH and whether it can be used. */
export interface GpgCheck {
  /** The gpg to use; undefined when there is none, or it failed the test decryption. */
  readonly gpg?: GpgBinary;
  /** Why a gpg that is there is not used (it failed the test decryption). */
  readonly problem?: string;
}

const checked = new Map<string, Promise<GpgCheck>>();

/**
 * The gpg on PATH (findGpg), once it decrypted a small test message exactly as backups are
 * decrypted here (once per PATH): a gpg that behaves differently (another version, a broken
 * install) is then never used, instead of failing a drill with an error about the backup.
 */
export function usableGpg(env: Record<string, string | undefined> = process.env): Promise<GpgCheck> {
  const path = env.PATH ?? '';
  let pending = checked.get(path);
  if (!pending) {
    pending = findGpg(env).then(async (gpg) => {
      if (!gpg) return {};
      const problem = await selfTest(gpg);
      return problem ? { problem: `GnuPG ${gpg.version} (${gpg.path}) failed a test decryption: ${problem}` } : { gpg };
    });
    checked.set(path, pending);
  }
  return pending;
}

const passphraseChecked = new Map<string, Promise<boolean>>();

/**
 * Whether this gpg decrypts a passphrase message given the passphrase on a descriptor, with no
 * agent (checked once per binary, only when a message needs it).
 */
export function gpgTakesPassphrases(gpg: GpgBinary): Promise<boolean> {
  let pending = passphraseChecked.get(gpg.path);
  if (!pending) {
    pending = selfTest(gpg, 'passphrase').then((problem) => problem === undefined);
    passphraseChecked.set(gpg.path, pending);
  }
  return pending;
}

/** Decrypts a fresh 1 KiB message with a known session key (or passphrase); undefined when gpg returns it intact. */
async function selfTest(gpg: GpgBinary, mode: 'session-key' | 'passphrase' = 'session-key'): Promise<string | undefined> {
  try {
    const plaintext = randomBytes(1024);
    const key = randomBytes(32);
    const passphrase = randomBytes(16).toString('hex');
    const message = await encrypt({
      message: await createMessage({ binary: plaintext }),
      passwords: [passphrase],
      sessionKey: { data: key, algorithm: 'aes256' },
      format: 'binary',
      config: { s2kIterationCountByte: 0, aeadProtect: false },
    });
    const chunks: Buffer[] = [];
    const secret: GpgSecret = mode === 'passphrase' ? { passphrase } : { sessionKey: { algorithm: 9, key } };
    const output = gpgPlaintext({ gpg, input: { stream: Readable.from([Buffer.from(message)]) }, secret, failure: (error) => error });
    for await (const chunk of output) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).equals(plaintext) ? undefined : 'the plaintext differs';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Decrypts with the `gpg` binary given the session key (found beforehand with openpgp.js, so
 * no private key ever reaches gpg) or, for some passphrase-only messages, the passphrase. The
 * secret goes through a pipe on descriptor 3, never argv or a file; gpg runs in a throwaway
 * GNUPGHOME (0700, removed afterwards) with no config file and `--no-autostart`, so no agent
 * ever starts (none is needed for either secret). The stream yields gpg's plaintext and ends
 * only when gpg exited 0 and its status lines reported DECRYPTION_OKAY and GOODMDC; otherwise
 * it errors with `run.failure(…)`. Destroying it kills gpg.
 */
export function gpgPlaintext(run: GpgRun): Readable {
  return new GpgPlaintext(run);
}

/**
 * The same decryption, with gpg writing the plaintext straight into `outPath` (created 0600;
 * must not exist) while the file is hashed as it grows: passing the plaintext through this
 * process cost more than gpg's decryption itself. Resolves with the plaintext's size and
 * SHA-256 once gpg confirmed the message intact; rejects with `run.failure(…)` otherwise,
 * leaving removal of `outPath` to the caller. An abort kills gpg.
 */
export async function gpgDecryptToFile(run: GpgRun, outPath: string, signal?: AbortSignal, copyTo?: Writable): Promise<{ bytes: number; sha256: string }> {
  let gpg: GpgProcess | undefined;
  let output: FileHandle | undefined;
  let reader: FileHandle | undefined;
  const onAbort = () => gpg?.kill();
  try {
    signal?.throwIfAborted();
    signal?.addEventListener('abort', onAbort, { once: true });
    output = await open(outPath, 'w', 0o600);
    try {
      gpg = await GpgProcess.start(run, output.fd);
    } catch (error) {
      throw run.failure(error, false);
    }
    // gpg has its own copy of the descriptor; this process only reads the file.
    await output.close();
    output = undefined;
    reader = await open(outPath, 'r');
    const hashed = await follow(reader, gpg, signal, copyTo);
    signal?.throwIfAborted();
    await gpg.settle(hashed.bytes > 0);
    return hashed;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await output?.close().catch(() => undefined);
    await reader?.close().catch(() => undefined);
    if (gpg) await gpg.cleanup();
    else run.release?.();
  }
}

/** Hashes the file gpg is writing (and copies it to `copyTo`), reading behind it, until gpg is gone and the end is reached. */
async function follow(file: FileHandle, gpg: GpgProcess, signal: AbortSignal | undefined, copyTo: Writable | undefined): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  for (;;) {
    signal?.throwIfAborted();
    // Whether gpg was gone before this read: then an empty read is the true end of the file.
    const finished = gpg.hasExited;
    const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
    if (bytesRead > 0) {
      hash.update(buffer.subarray(0, bytesRead));
      // A copy: the read buffer is reused while the consumer may still hold the chunk.
      if (copyTo) await writeAll(copyTo, Buffer.from(buffer.subarray(0, bytesRead)), signal);
      position += bytesRead;
      continue;
    }
    if (finished) break;
    await Promise.race([gpg.exited, sleep(FOLLOW_POLL_MS)]);
  }
  return { bytes: position, sha256: hash.digest('hex') };
}

/** One gpg process: its private home, its secret and status pipes, and how it ended. */
class GpgProcess {
  private stderr = '';
  private status = '';
  private framing: PacketFraming | undefined;
  private released = false;
  hasExited = false;
  /** Resolves when gpg's process is gone (its pipes may still hold data). */
  readonly exited: Promise<void>;
  /** Resolves with the exit code once the process is gone and its pipes are closed. */
  readonly closed: Promise<number | null>;

  private constructor(
    private readonly run: GpgRun,
    readonly child: ChildProcess,
    private home: string | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      const exit = () => {
        this.hasExited = true;
        this.run.detach?.();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) exit();
      else child.once('exit', exit);
    });
    this.closed = new Promise((resolve) => child.once('close', (code: number | null) => resolve(code)));
  }

  /** Starts gpg with its stdout on `stdout` (a descriptor, or a pipe to read). */
  static async start(run: GpgRun, stdout: number | 'pipe'): Promise<GpgProcess> {
    const home = await mkdtemp(join(tmpdir(), 'lifeboat-gpg-'));
    let child: ChildProcess | undefined;
    try {
      await chmod(home, 0o700);
      const { input } = run;
      child = spawn(
        run.gpg.path,
        [
          '--homedir', home,
          '--no-options',
          '--batch',
          '--no-tty',
          '--no-autostart',
          '--no-auto-key-retrieve',
          // Signatures inside the message are not checked (as with openpgp.js): there is no key to check them with.
          '--skip-verify',
          '--quiet',
          ...('sessionKey' in run.secret ? ['--override-session-key-fd', String(SECRET_FD)] : ['--pinentry-mode', 'loopback', '--passphrase-fd', String(SECRET_FD)]),
          '--status-fd', String(STATUS_FD),
          '--decrypt',
        ],
        {
          stdio: ['fd' in input ? input.fd : 'pipe', stdout, 'pipe', 'pipe', 'pipe'],
          // Only what finds gpg and its libraries: never the runner's secrets.
          env: childEnv({ PATH: process.env.PATH ?? '' }, { LC_ALL: 'C', LANGUAGE: 'C', GNUPGHOME: home }),
          windowsHide: true,
        },
      );
      const started = child;
      await new Promise<void>((resolve, reject) => {
        started.once('spawn', resolve);
        started.once('error', reject);
      });
    } catch (error) {
      await rm(home, { recursive: true, force: true });
      throw error;
    }
    const gpg = new GpgProcess(run, child, home);
    gpg.wire();
    return gpg;
  }

  private wire(): void {
    const { child, run } = this;
    child.on('error', () => undefined); // a failed kill; the close event still comes
    const secretPipe = child.stdio[SECRET_FD] as Writable;
    secretPipe.on('error', () => undefined); // gpg exited before reading it; its status says why
    secretPipe.end(`${this.secretText()}\n`);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      if (this.stderr.length < MAX_STDERR) this.stderr += text;
    });
    const status = child.stdio[STATUS_FD] as Readable;
    status.setEncoding('utf8');
    status.on('data', (text: string) => (this.status += text));
    if ('stream' in run.input) {
      const framing = new PacketFraming();
      this.framing = framing;
      const tap = new Transform({
        readableHighWaterMark: CHUNK,
        writableHighWaterMark: CHUNK,
        transform(chunk: Buffer, _encoding, callback) {
          framing.push(chunk);
          callback(null, chunk);
        },
      });
      // gpg may stop reading early (a bad packet); that is its answer, and the source is then ours to end.
      child.stdin!.on('error', () => run.detach?.());
      // A failing source reaches the caller through run.failure; gpg just sees the end of its input.
      pipeline(run.input.stream, tap, child.stdin!).catch(() => undefined);
    }
  }

  /** The line gpg reads on SECRET_FD: `<cipher id>:<hex key>` or the passphrase. */
  private secretText(): string {
    const { secret } = this.run;
    if ('passphrase' in secret) return secret.passphrase;
    return `${secret.sessionKey.algorithm}:${Buffer.from(secret.sessionKey.key).toString('hex').toUpperCase()}`;
  }

  /** Waits for gpg to end; throws `run.failure(…)` unless it confirmed an intact message. */
  async settle(emitted: boolean): Promise<void> {
    const code = await this.closed;
    const verdict = judgeGpgStatus(this.status.split('\n'), code);
    if (verdict.ok) return;
    const cut = await this.endsInsidePacket().catch(() => false);
    throw this.run.failure(new GpgDecryptionFailure(verdict, gpgReason(this.stderr, this.secretText()), cut), emitted);
  }

  /** Whether the ciphertext ends inside a packet: from the bytes fed to gpg, or by reading the file. */
  private async endsInsidePacket(): Promise<boolean> {
    if (this.framing) return this.framing.endsInsidePacket();
    const { input } = this.run;
    if (!('fd' in input)) return false;
    const framing = new PacketFraming();
    const buffer = Buffer.alloc(CHUNK);
    const readAt = promisify(read);
    for (let position = 0; ; ) {
      const { bytesRead } = await readAt(input.fd, buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      framing.push(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return framing.endsInsidePacket();
  }

  kill(): void {
    if (!this.hasExited && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Kills gpg if it still runs, waits for it to be gone, removes its home; idempotent. */
  async cleanup(): Promise<void> {
    this.kill();
    await this.exited;
    const home = this.home;
    this.home = undefined;
    if (home) await rm(home, { recursive: true, force: true });
    if (!this.released) {
      this.released = true;
      this.run.release?.();
    }
  }
}

/** gpg's plaintext as a stream (for in-memory decryption); ends only once gpg confirmed an intact message. */
class GpgPlaintext extends Readable {
  private gpg: GpgProcess | undefined;
  private emitted = false;

  constructor(private readonly run: GpgRun) {
    super({ highWaterMark: CHUNK });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    GpgProcess.start(this.run, 'pipe').then(
      (gpg) => {
        this.gpg = gpg;
        const stdout = gpg.child.stdout!;
        stdout.on('data', (chunk: Buffer) => {
          this.emitted ||= chunk.length > 0;
          if (!this.push(chunk)) stdout.pause();
        });
        void this.finish(gpg);
        callback();
      },
      (error: unknown) => {
        this.run.release?.();
        callback(this.run.failure(error, false) as Error);
      },
    );
  }

  override _read(): void {
    this.gpg?.child.stdout?.resume();
  }

  private async finish(gpg: GpgProcess): Promise<void> {
    let failure: unknown;
    try {
      await gpg.settle(this.emitted);
    } catch (error) {
      failure = error;
    }
    await gpg.cleanup();
    if (this.destroyed) return;
    if (failure) this.destroy(failure as Error);
    else this.push(null);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.run.detach?.();
    // Unread plaintext is discarded; the pipes close with the process.
    this.gpg?.child.stdout?.destroy();
    const cleanup = this.gpg ? this.gpg.cleanup() : Promise.resolve();
    cleanup.then(
      () => callback(error),
      () => callback(error),
    );
  }
}
