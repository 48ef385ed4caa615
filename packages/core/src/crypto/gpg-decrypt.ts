import { spawn, type ChildProcess } from 'node:child_process';
import { read } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { GpgBinary } from './gpg-binary.js';
import { gpgReason, judgeGpgStatus, type GpgVerdict } from './gpg-status.js';
import { PacketFraming } from './packet-framing.js';

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
    /** gpg's stderr lines, without debug output or the session key. */
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

/**
 * Decrypts with the `gpg` binary given the session key (found beforehand with openpgp.js, so
 * no private key ever reaches gpg) or, for some passphrase-only messages, the passphrase. The
 * secret goes through a pipe on descriptor 3, never argv or a file; gpg runs in a throwaway
 * GNUPGHOME (0700, removed afterwards) with no config file and `--no-autostart`, so no agent
 * ever starts (none is needed for either secret). The stream
 * yields gpg's plaintext and ends only when gpg exited 0 and its status lines reported
 * DECRYPTION_OKAY and GOODMDC; otherwise it errors with `run.failure(…)`. Destroying it
 * kills gpg.
 */
export function gpgPlaintext(run: GpgRun): Readable {
  return new GpgPlaintext(run);
}

class GpgPlaintext extends Readable {
  private child: ChildProcess | undefined;
  /** Resolves when gpg's process is gone (its pipes may still hold data). */
  private exited: Promise<void> | undefined;
  private home: string | undefined;
  private stderr = '';
  private status = '';
  private emitted = false;
  private framing: PacketFraming | undefined;
  private released = false;

  constructor(private readonly run: GpgRun) {
    super({ highWaterMark: 1 << 20 });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => {
        this.cleanup().finally(() => callback(this.run.failure(error, false) as Error));
      },
    );
  }

  private async start(): Promise<void> {
    const home = await mkdtemp(join(tmpdir(), 'lifeboat-gpg-'));
    this.home = home;
    await chmod(home, 0o700);
    const { input } = this.run;
    const child = spawn(
      this.run.gpg.path,
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
        ...('sessionKey' in this.run.secret ? ['--override-session-key-fd', String(SECRET_FD)] : ['--pinentry-mode', 'loopback', '--passphrase-fd', String(SECRET_FD)]),
        '--status-fd', String(STATUS_FD),
        '--decrypt',
      ],
      {
        stdio: ['fd' in input ? input.fd : 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', LC_ALL: 'C', LANGUAGE: 'C', GNUPGHOME: home },
        windowsHide: true,
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    this.exited = new Promise((resolve) => {
      const exit = () => {
        this.run.detach?.();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) exit();
      else child.once('exit', exit);
    });
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

    child.stdout!.on('data', (chunk: Buffer) => {
      this.emitted ||= chunk.length > 0;
      if (!this.push(chunk)) child.stdout!.pause();
    });
    child.once('close', (code: number | null) => void this.finish(code));

    if ('stream' in input) {
      const framing = new PacketFraming();
      this.framing = framing;
      const tap = new Transform({
        readableHighWaterMark: 1 << 20,
        writableHighWaterMark: 1 << 20,
        transform(chunk: Buffer, _encoding, callback) {
          framing.push(chunk);
          callback(null, chunk);
        },
      });
      // gpg may stop reading early (a bad packet); that is its answer, and the source is then ours to end.
      child.stdin!.on('error', () => this.run.detach?.());
      // A failing source reaches the caller through run.failure; gpg just sees the end of its input.
      pipeline(input.stream, tap, child.stdin!).catch(() => undefined);
    }
  }

  /** The line gpg reads on SECRET_FD: `<cipher id>:<hex key>` or the passphrase. */
  private secretText(): string {
    const { secret } = this.run;
    if ('passphrase' in secret) return secret.passphrase;
    return `${secret.sessionKey.algorithm}:${Buffer.from(secret.sessionKey.key).toString('hex').toUpperCase()}`;
  }

  override _read(): void {
    this.child?.stdout?.resume();
  }

  private async finish(code: number | null): Promise<void> {
    if (this.destroyed) return;
    const verdict = judgeGpgStatus(this.status.split('\n'), code);
    let failure: GpgDecryptionFailure | undefined;
    if (!verdict.ok) {
      failure = new GpgDecryptionFailure(verdict, gpgReason(this.stderr, this.secretText()), await this.endsInsidePacket().catch(() => false));
    }
    await this.cleanup();
    if (this.destroyed) return;
    if (failure) this.destroy(this.run.failure(failure, this.emitted) as Error);
    else this.push(null);
  }

  /** Whether the ciphertext ends inside a packet: from the bytes fed to gpg, or by reading the file. */
  private async endsInsidePacket(): Promise<boolean> {
    if (this.framing) return this.framing.endsInsidePacket();
    const { input } = this.run;
    if (!('fd' in input)) return false;
    const framing = new PacketFraming();
    const buffer = Buffer.alloc(1 << 20);
    const readAt = promisify(read);
    for (let position = 0; ; ) {
      const { bytesRead } = await readAt(input.fd, buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      framing.push(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return framing.endsInsidePacket();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.run.detach?.();
    // Unread plaintext is discarded; the pipes close with the process.
    this.child?.stdout?.destroy();
    this.cleanup().then(
      () => callback(error),
      () => callback(error),
    );
  }

  /** Waits for gpg to be gone, then removes its home; idempotent. */
  private async cleanup(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
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
