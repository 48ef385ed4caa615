import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one `gpg` call returned. */
export interface GpgResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** A throwaway GnuPG home holding one generated key pair. */
export interface GpgHome {
  /** The GNUPGHOME directory. */
  home: string;
  /** Fingerprint of the generated primary key, lowercase hex. */
  fingerprint: string;
  publicKeyArmored: string;
  secretKeyArmored: string;
  /** Passphrase protecting the secret key ('' when unprotected). */
  passphrase: string;
  /** Runs `gpg --homedir <home> --batch <args>`; never throws on a non-zero exit. */
  gpg(args: string[], input?: string | Uint8Array): Promise<GpgResult>;
  /** Imports an armored key (public or secret) into this home; throws when gpg refuses it. */
  importKey(armored: string): Promise<GpgResult>;
  /** Stops this home's gpg-agent and deletes the directory. */
  cleanup(): Promise<void>;
}

export interface GpgHomeOptions {
  name?: string;
  email?: string;
  /** Protects the secret key; '' makes an unprotected key. Default: a random passphrase. */
  passphrase?: string;
  /** `ed25519` (ed25519 primary + cv25519 encryption subkey, the GnuPG 2.2 default) or `rsa3072`. */
  algorithm?: 'ed25519' | 'rsa3072';
  /** `sign`: no encryption subkey at all. Default `encrypt`. */
  usage?: 'encrypt' | 'sign';
  /** Key expiry as gpg takes it (`never`, `1d`, `2y`, an ISO date). Default `never`. */
  expire?: string;
  /** false: an empty home with no key (fingerprint and armored keys are ''). */
  generateKey?: boolean;
}

/** Homes not cleaned up yet; a test that dies before its afterAll must not leave agents behind. */
const liveHomes = new Set<string>();
let exitHook = false;

function track(home: string): void {
  liveHomes.add(home);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const dir of liveHomes) {
      try {
        execFileSync('gpgconf', ['--homedir', dir, '--kill', 'all'], { stdio: 'ignore' });
      } catch {
        // no agent running
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Creates a GNUPGHOME under a short temp path (gpg-agent's socket paths have a length
 * limit), configured for loopback pinentry so passphrases can be given on the command line.
 */
export async function createGpgHome(options: GpgHomeOptions = {}): Promise<GpgHome> {
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  const home = await mkdtemp(join(base, 'lbg-'));
  track(home);
  await writeFile(join(home, 'gpg.conf'), 'pinentry-mode loopback\nno-auto-key-locate\nno-auto-key-retrieve\n', { mode: 0o600 });
  // No passphrase cache: a test giving a wrong passphrase must not be rescued by an earlier right one.
  await writeFile(join(home, 'gpg-agent.conf'), 'allow-loopback-pinentry\ndefault-cache-ttl 0\nmax-cache-ttl 0\n', { mode: 0o600 });

  const gpg = (args: string[], input?: string | Uint8Array) => runGpg(home, args, input);
  const cleanup = async () => {
    await runTool('gpgconf', ['--homedir', home, '--kill', 'all']).catch(() => undefined);
    await runTool('gpgconf', ['--homedir', home, '--remove-socketdir']).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
    liveHomes.delete(home);
  };

  const importKey = async (armored: string) => {
    const result = await gpg(['--import'], armored);
    if (result.code !== 0) throw new Error(`gpg --import failed (${result.code}): ${result.stderr}`);
    return result;
  };

  const passphrase = options.passphrase ?? `pw-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const handle: GpgHome = { home, fingerprint: '', publicKeyArmored: '', secretKeyArmored: '', passphrase, gpg, importKey, cleanup };
  if (options.generateKey === false) return handle;

  try {
    const uid = `${options.name ?? 'Lifeboat Test'} <${options.email ?? 'test@example.org'}>`;
    const expire = options.expire ?? 'never';
    const [primaryAlgo, subAlgo] = options.algorithm === 'rsa3072' ? ['rsa3072', 'rsa3072'] : ['ed25519', 'cv25519'];
    const withPass = ['--passphrase', passphrase];
    await must(gpg([...withPass, '--quick-generate-key', uid, primaryAlgo, 'sign', expire]));
    const fingerprint = await primaryFingerprint(gpg);
    if (options.usage !== 'sign') {
      await must(gpg([...withPass, '--quick-add-key', fingerprint, subAlgo, 'encr', expire]));
    }
    handle.fingerprint = fingerprint.toLowerCase();
    handle.publicKeyArmored = (await must(gpg(['--armor', '--export', fingerprint]))).stdout.toString('utf8');
    handle.secretKeyArmored = (await must(gpg([...withPass, '--armor', '--export-secret-keys', fingerprint]))).stdout.toString('utf8');
    return handle;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function primaryFingerprint(gpg: GpgHome['gpg']): Promise<string> {
  const listing = (await must(gpg(['--with-colons', '--list-secret-keys']))).stdout.toString('utf8');
  const lines = listing.split('\n');
  const sec = lines.findIndex((l) => l.startsWith('sec:'));
  const fpr = lines.slice(sec).find((l) => l.startsWith('fpr:'));
  const value = fpr?.split(':')[9];
  if (sec < 0 || !value) throw new Error(`no generated key in gpg listing:\n${listing}`);
  return value;
}

async function must(promise: Promise<GpgResult>): Promise<GpgResult> {
  const result = await promise;
  if (result.code !== 0) throw new Error(`gpg failed (${result.code}): ${result.stderr}`);
  return result;
}

function runGpg(home: string, args: string[], input?: string | Uint8Array): Promise<GpgResult> {
  return runTool('gpg', ['--homedir', home, '--batch', '--no-tty', '--yes', ...args], input);
}

function runTool(command: string, args: string[], input?: string | Uint8Array): Promise<GpgResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    // gpg may exit before reading all of stdin (e.g. on a bad packet); that is its answer, not ours.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(input === undefined ? undefined : input);
  });
}
