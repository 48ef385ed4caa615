/**
 * Throwaway Redis servers for tests: the machine's `redis-server` (Debian's redis-server
 * package) on a free loopback port, with its own temp folder, removed by `stop()` (and, if
 * the test process dies, by the library's cleanup watchdog). Options give a server with
 * `requirepass`, ACL users, or TLS with a CA this harness makes with openssl.
 *
 * Passwords contain URL-reserved characters, so URLs built from them need escaping, and they
 * are not registered as secrets: redaction tests then see whether the code under test
 * registers the passwords it handles.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import { createClient, RESP_TYPES } from '@redis/client';
import { guardCleanup } from '../../packages/core/src/process/cleanup-guard.js';
import { freeLoopbackPort } from '../../packages/core/src/engines/postgres/ephemeral/server-connection.js';

const run = promisify(execFile);

/** An ACL user to create: `rules` as ACL SETUSER takes them after `on` and the password. */
export interface RedisUser {
  readonly name: string;
  readonly password: string;
  readonly rules: string;
}

export interface StartRedisOptions {
  /** `requirepass` for the default user. */
  readonly password?: string;
  readonly users?: readonly RedisUser[];
  /** Serve TLS only (no plain port), with a certificate signed by this CA. */
  readonly tls?: TestCa;
  /** More redis.conf lines, e.g. `{ databases: '32' }`. */
  readonly config?: Readonly<Record<string, string>>;
  /** Start from this RDB file (copied into the server's folder). */
  readonly rdbFile?: string;
  /** false: hand the server back as soon as it answers, even while it still loads its dataset. */
  readonly waitForLoad?: boolean;
}

/** A running test server. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly password?: string;
  readonly tls: boolean;
  readonly pid: number;
  /** The server's folder (config, log, dump). */
  readonly dir: string;
  /** `redis://[user:password@]127.0.0.1:port` (`rediss://` for TLS), the password escaped. */
  url(login?: { user?: string; password?: string }): string;
  /** A connected client as the default user (TLS trusted through the test CA); close it after use. */
  client(): Promise<TestClient>;
  /** Runs redis-cli against this server (password through REDISCLI_AUTH, not the command line). */
  cli(args: readonly string[], options?: { input?: string; user?: string; password?: string }): Promise<string>;
  /** The server's log so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export type TestClient = ReturnType<typeof createClient> & { buffers: ReturnType<ReturnType<typeof createClient>['withTypeMapping']> };

/** A certificate authority made for a test, with a server certificate for localhost/127.0.0.1. */
export interface TestCa {
  readonly dir: string;
  readonly caCertPath: string;
  readonly caCert: string;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  /** A client certificate and key signed by the CA (for `tls-auth-clients yes`). */
  readonly clientCert: string;
  readonly clientKey: string;
  cleanup(): Promise<void>;
}

/** Fails loudly when the Redis programs are missing: these tests never skip silently. */
export function requireRedisTools(): void {
  for (const program of ['redis-server', 'redis-cli', 'redis-check-rdb']) {
    const found = (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, program)));
    if (!found) throw new Error(`${program} is not installed: install the Debian packages redis-server and redis-tools (.ci/run does).`);
  }
}

/** Makes a CA and certificates with openssl in a temp folder. */
export async function createTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-test-ca-'));
  const ssl = (args: string[]) => run('openssl', args, { cwd: dir });
  try {
    await ssl(['req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Lifeboat Test CA']);
    await writeFile(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    await ssl(['req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
    await ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
    await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    await ssl(['req', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=lifeboat-client']);
    await ssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2', '-extfile', 'client.ext']);
    return {
      dir,
      caCertPath: join(dir, 'ca.crt'),
      caCert: await readFile(join(dir, 'ca.crt'), 'utf8'),
      serverCertPath: join(dir, 'server.crt'),
      serverKeyPath: join(dir, 'server.key'),
      clientCert: await readFile(join(dir, 'client.crt'), 'utf8'),
      clientKey: await readFile(join(dir, 'client.key'), 'utf8'),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Starts a server; call `stop()` in `afterAll`. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  requireRedisTools();
  const dir = await mkdtemp(join(tmpdir(), 'lifeboat-test-redis-'));
  const guard = guardCleanup({ dirs: [dir] });
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const started = await launch(dir, port, options).catch((error: Error) => error);
      if (!(started instanceof Error)) {
        guard.release();
        return started;
      }
      if (attempt >= 3 || !/address already in use/i.test(started.message)) throw started;
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    guard.release();
    throw error;
  }
}

async function launch(dir: string, port: number, options: StartRedisOptions): Promise<RedisServer> {
  const lines: string[] = [
    'bind 127.0.0.1',
    'protected-mode yes',
    `dir ${dir}`,
    'dbfilename dump.rdb',
    `logfile ${join(dir, 'redis.log')}`,
    'save ""',
    'appendonly no',
    'daemonize no',
    // Diskless replication waits 5 s by default before it starts a snapshot; tests need not.
    'repl-diskless-sync-delay 0',
  ];
  if (options.tls) {
    lines.push('port 0', `tls-port ${port}`, `tls-cert-file ${options.tls.serverCertPath}`, `tls-key-file ${options.tls.serverKeyPath}`, `tls-ca-cert-file ${options.tls.caCertPath}`, 'tls-auth-clients optional', 'tls-replication yes');
  } else lines.push(`port ${port}`);
  if (options.password !== undefined) lines.push(`requirepass ${quote(options.password)}`);
  for (const user of options.users ?? []) lines.push(`user ${user.name} on >${user.password} ${user.rules}`);
  for (const [key, value] of Object.entries(options.config ?? {})) lines.push(`${key} ${value}`);
  if (options.rdbFile) await writeFile(join(dir, 'dump.rdb'), await readFile(options.rdbFile));
  const configPath = join(dir, `redis-${port}.conf`);
  await writeFile(configPath, `${lines.join('\n')}\n`, { mode: 0o600 });

  const child: ChildProcess = spawn('redis-server', [configPath], { cwd: dir, stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const guard = guardCleanup({ pid: child.pid, dirs: [dir] });
  const logPath = join(dir, 'redis.log');
  const readLog = () => readFile(logPath, 'utf8').catch(() => '');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      guard.release();
      throw new Error(`redis-server exited (${child.exitCode}): ${(await readLog()).trim().split('\n').slice(-5).join(' / ')}`);
    }
    if ((await ping(port, options.tls)) && (options.waitForLoad === false || /Ready to accept connections/.test(await readLog()))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      guard.release();
      throw new Error(`redis-server did not start within 30 s: ${(await readLog()).trim().split('\n').slice(-5).join(' / ')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  const host = '127.0.0.1';
  const scheme = options.tls ? 'rediss' : 'redis';
  let stopped: Promise<void> | undefined;
  const server: RedisServer = {
    host,
    port,
    password: options.password,
    tls: Boolean(options.tls),
    pid: child.pid!,
    dir,
    url(login = {}) {
      const password = login.password ?? (login.user ? undefined : options.password);
      const auth = password !== undefined ? `${encodeURIComponent(login.user ?? '')}:${encodeURIComponent(password)}@` : login.user ? `${encodeURIComponent(login.user)}@` : '';
      return `${scheme}://${auth}${host}:${port}`;
    },
    async client() {
      const client = createClient({
        socket: options.tls
          ? { host, port, tls: true, ca: options.tls.caCert, cert: options.tls.clientCert, key: options.tls.clientKey, reconnectStrategy: false, connectTimeout: 10_000 }
          : { host, port, reconnectStrategy: false, connectTimeout: 10_000 },
        password: options.password,
      });
      client.on('error', () => {});
      await client.connect();
      return Object.assign(client, { buffers: client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) }) as TestClient;
    },
    async cli(args, cliOptions = {}) {
      const password = cliOptions.password ?? (cliOptions.user ? undefined : options.password);
      const tlsArgs = options.tls ? ['--tls', '--cacert', options.tls.caCertPath, '--cert', join(options.tls.dir, 'client.crt'), '--key', join(options.tls.dir, 'client.key')] : [];
      const userArgs = cliOptions.user ? ['--user', cliOptions.user] : [];
      return new Promise((done, fail) => {
        const cli = spawn('redis-cli', ['-h', host, '-p', String(port), ...tlsArgs, ...userArgs, ...args], {
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(password !== undefined ? { REDISCLI_AUTH: password } : {}) },
          // stdin only when there is input: redis-cli given its command as arguments may exit
          // before reading it, and a write into its closed stdin is an EPIPE nobody awaits.
          stdio: [cliOptions.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        cli.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        cli.stderr!.on('data', (c: Buffer) => (err += c.toString()));
        cli.on('error', fail);
        cli.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`redis-cli ${args.join(' ')} exited ${code}: ${err.trim()}`))));
        if (cli.stdin) {
          // The exit code judges the run; an EPIPE here only means redis-cli stopped reading.
          cli.stdin.on('error', () => {});
          cli.stdin.end(cliOptions.input);
        }
      });
    },
    log: readLog,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        await rm(dir, { recursive: true, force: true });
        guard.release();
      })();
      return stopped;
    },
  };
  return server;
}

/** True once something answers PING with a RESP reply (+PONG, or -NOAUTH on a protected server). */
function ping(port: number, tls: TestCa | undefined): Promise<boolean> {
  return new Promise((done) => {
    const socket = tls
      ? tlsConnect({ host: '127.0.0.1', port, ca: tls.caCert, cert: tls.clientCert, key: tls.clientKey, servername: 'localhost' })
      : netConnect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (data: Buffer) => finish(data[0] === 0x2b || data[0] === 0x2d));
  });
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A random password with URL-reserved characters. */
export function testPassword(): string {
  return `${randomBytes(9).toString('hex')}@:/%?`;
}
