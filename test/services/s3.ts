/**
 * A throwaway loopback S3 for tests: s3rver in a child process of its own (see
 * ./s3rver-process.mjs for why, and for the two multipart operations added to it), a fresh
 * data directory and a free loopback port, stopped and removed even when a test fails.
 *
 * s3rver knows one access key id (S3RVER; an unknown id gets InvalidAccessKeyId) but does
 * not verify SigV4 signatures, and ignores Object Lock and encryption headers. Clients must set `requestChecksumCalculation` and
 * `responseChecksumValidation` to `WHEN_REQUIRED`: with the SDK default it stores
 * aws-chunked framing bytes for some uploads. Its multipart ETags lack S3's `-N` suffix.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** A running loopback S3. */
export interface S3Service {
  /** `http://127.0.0.1:<port>`; clients must use path-style addressing. */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /**
   * AWS_* variables for child processes (the `aws` CLI) and for a RunContext's `env`: the
   * credentials, region, endpoint and checksum settings, with the machine's own AWS config
   * files and instance metadata shut out. Merge it over `process.env` for PATH and the like.
   */
  readonly env: Readonly<Record<string, string>>;
  /** s3rver's data directory (removed by `stop`). */
  readonly dataDir: string;
  /** Creates a bucket (a fresh random name unless given) and returns its name. */
  createBucket(name?: string): Promise<string>;
  /** A client configured for this service; it is destroyed by `stop`. */
  client(): S3Client;
  /** Kills the server and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';
const REGION = 'us-east-1';
const script = join(import.meta.dirname, 's3rver-process.mjs');
/** Live servers and their data directories, for the exit hook. */
const running = new Map<ChildProcess, string>();

/** Starts s3rver; call `stop()` in `afterAll` (the server also exits if this process dies). */
export async function startS3(): Promise<S3Service> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeboat-s3-'));
  const child = fork(script, [dataDir], {
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running.set(child, dataDir);
  installExitHook();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  let port: number;
  try {
    port = await new Promise<number>((done, fail) => {
      child.once('message', (message: { port?: number }) =>
        typeof message?.port === 'number' ? done(message.port) : fail(new Error('s3rver sent no port')),
      );
      child.once('exit', (code, signal) => fail(new Error(`s3rver exited (${signal ?? code}) before listening: ${stderr}`)));
      child.once('error', fail);
    });
  } catch (error) {
    child.kill('SIGKILL');
    running.delete(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  let stopped = false;

  const service: S3Service = {
    endpoint,
    region: REGION,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    dataDir,
    env: {
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'when_required',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_required',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: devNull,
      AWS_SHARED_CREDENTIALS_FILE: devNull,
    },
    client() {
      const client = new S3Client({
        endpoint,
        region: REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      clients.push(client);
      return client;
    },
    async createBucket(name = `bucket-${randomBytes(6).toString('hex')}`) {
      const client = service.client();
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const client of clients) client.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      running.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return service;
}

let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The IPC channel closing already stops the child; this covers an orderly exit too.
  process.once('exit', () => {
    for (const [child, dir] of running) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
