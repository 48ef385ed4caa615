/**
 * Every program Lifeboat starts gets an allow-listed environment: the runner's secrets stay in
 * this process. Stand-in programs (shell scripts named pg_dump, pg_restore, psql, tar, zstd,
 * gpg, docker, dfx, put where Lifeboat looks for them) record the environment they were given
 * and otherwise follow the real programs' contract far enough for the code under test; the
 * PostgreSQL server and the cleanup watchdog are the real processes, read in /proc.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareEncryption } from '../../packages/core/src/crypto/index.js';
import { usableGpg } from '../../packages/core/src/crypto/gpg-decrypt.js';
import { runBackup } from '../../packages/core/src/pipeline/run-backup.js';
import { MemoryReporter } from '../../packages/core/src/report/reporter.js';
import { guardCleanup } from '../../packages/core/src/process/cleanup-guard.js';
import { startDockerPostgres } from '../../packages/core/src/engines/postgres/ephemeral/docker-postgres.js';
import { restoreGlobals } from '../../packages/core/src/engines/postgres/restore/restore-globals.js';
import { restorePostgres } from '../../packages/core/src/engines/postgres/restore/restore-postgres.js';
import { spawnFilter } from '../../packages/core/src/engines/canister/compression.js';
import { checkDfx } from '../../packages/core/src/engines/canister/snapshot.js';
import { verifyCanisterArchive } from '../../packages/core/src/engines/canister/verify-archive.js';
import { clientVersion } from '../../packages/core/src/engines/postgres/client-tool.js';
import { resolveConnection } from '../../packages/core/src/engines/postgres/connection.js';
import { createPostgresSource } from '../../packages/core/src/engines/postgres/source.js';
import { machineClientBinDir } from '../postgres/sample.js';
import { testContext } from '../backup/support.js';
import { MemoryStore } from '../support/memory-store.js';
import { startPostgres, type PgServer } from '../services/postgres.js';

const SECRETS = {
  LIFEBOAT_IDENTITY: '-----BEGIN PGP PRIVATE KEY BLOCK----- identity-in-env',
  LIFEBOAT_PASSPHRASE: 'passphrase-in-env',
  GITHUB_TOKEN: 'ghs_token-in-env',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-in-env',
};

const VERSIONS: Record<string, string> = {
  pg_dump: 'pg_dump (PostgreSQL) 15.8',
  pg_restore: 'pg_restore (PostgreSQL) 15.8',
  psql: 'psql (PostgreSQL) 15.8',
  gpg: 'gpg (GnuPG) 2.2.40',
  dfx: 'dfx 0.24.3',
};

let root: string;
let bin: string;
let dumps: string;
let pg: PgServer;
const saved: Record<string, string | undefined> = {};

/** The environments the stand-in `program` was started with so far. */
function environmentsOf(program: string): Record<string, string>[] {
  return readdirSync(dumps)
    .filter((file) => file.startsWith(`${program}.`))
    .map((file) => parseEnv(readFileSync(join(dumps, file), 'utf8'), '\n'));
}

function parseEnv(text: string, separator: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of text.split(separator)) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

function expectNoSecrets(env: Record<string, string>, what: string): void {
  expect(Object.keys(env).length, `${what} recorded an environment`).toBeGreaterThan(0);
  for (const name of Object.keys(SECRETS)) expect(env[name], `${what} sees ${name}`).toBeUndefined();
  const text = JSON.stringify(env);
  for (const value of Object.values(SECRETS)) expect(text, what).not.toContain(value);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lifeboat-child-env-'));
  bin = join(root, 'bin');
  dumps = join(root, 'dumps');
  mkdirSync(bin);
  mkdirSync(dumps);
  for (const program of ['pg_dump', 'pg_restore', 'psql', 'tar', 'zstd', 'gpg', 'docker', 'dfx']) {
    const version = VERSIONS[program];
    writeFileSync(
      join(bin, program),
      [
        '#!/bin/sh',
        `env > "${dumps}/${program}.$$"`,
        version ? `if [ "$1" = "--version" ]; then echo "${version}"; exit 0; fi` : '',
        program === 'docker' ? 'echo "Cannot connect to the Docker daemon" >&2; exit 1' : '',
        // Filters read their input to the end, as the real ones do.
        program === 'tar' || program === 'zstd' || program === 'gpg' ? 'cat > /dev/null' : '',
        'exit 0',
      ].join('\n'),
    );
    chmodSync(join(bin, program), 0o755);
  }
  // The secrets are in this process's environment, as in a workflow step, before anything starts.
  for (const [name, value] of Object.entries({ ...SECRETS, PATH: `${bin}:${process.env.PATH}` })) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  pg = await startPostgres();
});

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('child processes never see the runner\'s secrets', () => {
  it('pg_dump (version probe and the dump itself)', async () => {
    const connection = resolveConnection(pg.url('postgres'), process.env);
    const source = await createPostgresSource({ connection, binDir: bin, env: process.env, counts: 'off' });
    const plan = await prepareEncryption({ encryption: 'none' }, new MemoryReporter());
    await runBackup(source, { store: new MemoryStore(), name: 'envcheck', encryption: plan }, testContext()).catch(() => undefined);
    const seen = environmentsOf('pg_dump');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const env of seen) expectNoSecrets(env, 'pg_dump');
    // What it needs does reach it.
    expect(seen.at(-1)).toMatchObject({ PGHOST: '127.0.0.1', PGPORT: String(pg.port), PGPASSWORD: pg.password });
  });

  it('pg_restore and tar (a directory-format payload is unpacked first)', async () => {
    const archive = join(root, 'db.pgdump');
    execFileSync(join(machineClientBinDir(), 'pg_dump'), ['-Fc', '-f', archive, pg.url('postgres')], { env: { PATH: '/usr/bin:/bin' } });
    await restorePostgres({ file: archive, target: pg.url('postgres'), binDir: bin, env: process.env });
    await expect(clientVersion(join(bin, 'pg_restore'), process.env)).resolves.toMatchObject({ major: 15 });
    const seen = environmentsOf('pg_restore');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const env of seen) expectNoSecrets(env, 'pg_restore');

    const tarball = join(root, 'db.pgdump.tar');
    execFileSync('/bin/tar', ['-cf', tarball, '-C', root, 'bin'], { env: { PATH: '/usr/bin:/bin' } });
    await restorePostgres({ file: tarball, target: pg.url('postgres'), binDir: bin, env: process.env, tempDir: root }).catch(() => undefined);
    expect(environmentsOf('tar').length).toBeGreaterThanOrEqual(1);
    for (const env of environmentsOf('tar')) expectNoSecrets(env, 'tar');
  });

  it('psql replaying a globals script', async () => {
    const script = join(root, 'globals.sql');
    writeFileSync(script, 'SELECT 1;\n');
    await restoreGlobals(script, resolveConnection(pg.url('postgres'), process.env), { binDir: bin, env: process.env });
    const seen = environmentsOf('psql');
    expect(seen).toHaveLength(1);
    expectNoSecrets(seen[0]!, 'psql');
    expect(seen[0]).toMatchObject({ PGPASSWORD: pg.password, PGDATABASE: 'postgres' });
  });

  it('zstd and tar checking a canister snapshot archive', async () => {
    const filter = spawnFilter('zstd', ['-q', '-d', '-c'], 'zstd decompression');
    filter.stream.end(Buffer.from('not really zstd'));
    filter.stream.resume();
    await filter.done;
    const archive = join(root, 'snapshots.tar.gz');
    writeFileSync(archive, gzipSync(Buffer.alloc(1024)));
    await verifyCanisterArchive(archive, { kind: 'canister-snapshot', files: 0 });
    for (const program of ['zstd', 'tar']) {
      expect(environmentsOf(program).length, program).toBeGreaterThanOrEqual(1);
      for (const env of environmentsOf(program)) expectNoSecrets(env, program);
    }
  });

  it('gpg (version probe and the test decryption)', async () => {
    await usableGpg({ PATH: `${bin}:/usr/bin:/bin` });
    const seen = environmentsOf('gpg');
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const env of seen) expectNoSecrets(env, 'gpg');
  });

  it('docker and dfx, which get their own settings but nothing else', async () => {
    await expect(
      startDockerPostgres({ major: 15, env: { ...process.env, DOCKER_HOST: 'unix:///run/docker-test.sock' }, dockerProgram: join(bin, 'docker') }),
    ).rejects.toThrow(/docker engine does not answer/);
    const docker = environmentsOf('docker');
    expect(docker).toHaveLength(1);
    expectNoSecrets(docker[0]!, 'docker');
    expect(docker[0]).toMatchObject({ DOCKER_HOST: 'unix:///run/docker-test.sock' });

    await checkDfx('dfx', undefined, { ...process.env, DFX_NETWORK: 'ic' });
    const dfx = environmentsOf('dfx');
    expect(dfx).toHaveLength(1);
    expectNoSecrets(dfx[0]!, 'dfx');
    expect(dfx[0]).toMatchObject({ DFX_NETWORK: 'ic' });
  });

  it('the real PostgreSQL server and the real cleanup watchdog', async () => {
    expectNoSecrets(parseEnv(readFileSync(`/proc/${pg.pid}/environ`, 'utf8'), '\0'), 'postgres');

    const dir = mkdtempSync(join(root, 'guarded-'));
    const guard = guardCleanup({ dirs: [dir] });
    try {
      let watchdog: number | undefined;
      for (let attempt = 0; attempt < 50 && watchdog === undefined; attempt++) {
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          const cmdline = safeRead(`/proc/${pid}/cmdline`);
          if (cmdline.includes('const parent = Number(process.argv[1])') && cmdline.includes(dir)) watchdog = Number(pid);
        }
        if (watchdog === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(watchdog, 'the watchdog process').toBeDefined();
      expectNoSecrets(parseEnv(readFileSync(`/proc/${watchdog}/environ`, 'utf8'), '\0'), 'watchdog');
    } finally {
      guard.release();
    }
    expect(existsSync(dir)).toBe(true);
  });
});

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe('where programs are started', () => {
  /** Modules that start programs themselves, each for a reason spawnTool cannot serve; each builds the environment with childEnv. */
  const OWN_SPAWN: Record<string, string> = {
    'process/spawn-tool.ts': 'spawnTool itself',
    'crypto/gpg-decrypt.ts': 'gpg gets extra descriptors for the session key and status lines',
    'engines/postgres/ephemeral/local-cluster.ts': 'the server is detached, its output goes to a log file descriptor',
    'process/cleanup-guard.ts': 'the detached watchdog, and synchronous commands at exit',
    'engines/canister/compression.ts': 'a synchronous zstd probe',
  };

  it('is spawnTool everywhere else, and childEnv wherever a module starts one itself', () => {
    const src = join(import.meta.dirname, '..', '..', 'packages', 'core', 'src');
    const files = execFileSync('find', [src, '-name', '*.ts', '!', '-name', '*.test.ts'], { encoding: 'utf8' }).trim().split('\n');
    const starting = files
      .map((file) => ({ file: file.slice(src.length + 1), text: readFileSync(file, 'utf8') }))
      .filter(({ text }) => /from 'node:child_process'|@actions\/exec/.test(text));
    for (const { file, text } of starting) {
      if (file === 'toolchain/install.ts') {
        expect(text, file).toMatch(/getExecOutput\([^)]*env: childEnv\(/);
        continue;
      }
      expect(Object.keys(OWN_SPAWN), `${file} starts programs without spawnTool`).toContain(file);
      // spawnTool takes the environment from its caller, who builds it with childEnv.
      if (file !== 'process/spawn-tool.ts') expect(text, file).toContain('childEnv(');
    }
  });
});
