import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOperations, envName, loadRecipients, onSurface, signDetached, verifyDetached } from '@lifeboat/core';
import { createProgram } from './program.js';

function harness() {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const program = createProgram(
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    (code) => (exitCode = code),
  );
  return {
    async run(...args: string[]) {
      try {
        await program.parseAsync(['node', 'lifeboat', ...args]);
      } catch (error) {
        exitCode = (error as { exitCode?: number }).exitCode ?? 1;
      }
      return { stdout, stderr, exitCode };
    },
  };
}

describe('lifeboat CLI', () => {
  it('offers every operation as a subcommand with a flag per schema option', async () => {
    for (const operation of allOperations) {
      const { stdout } = await harness().run(operation.command, '--help');
      for (const [name, def] of Object.entries(operation.options)) {
        if (!onSurface(def, 'cli')) continue;
        expect(stdout, `${operation.command} --${name}`).toContain(`--${name}`);
        expect(stdout).toContain(envName(name));
      }
      expect(stdout).toContain('--json');
    }
  });

  it('exits 1 with one line naming a missing required option', async () => {
    const { stderr, exitCode } = await harness().run('gate');
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^error: Missing required --store \(or LIFEBOAT_STORE\)/m);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('prints a JSON document on stdout with --json, even on failure', async () => {
    const { stdout, exitCode } = await harness().run('gate', '--json', '--max-backup-age', 'soon');
    expect(exitCode).toBe(1);
    const doc = JSON.parse(stdout) as { ok: boolean; failure: string };
    expect(doc.ok).toBe(false);
    expect(doc.failure).toContain("Invalid --max-backup-age (or LIFEBOAT_MAX_BACKUP_AGE) (got 'soon')");
  });

  it('warns about a secret given as a flag, naming the env var, without printing it', async () => {
    const run = await harness().run(
      'restore',
      '--store',
      join(tmpdir(), 'lifeboat-no-such-store'),
      '--target-database-url',
      'postgres://nobody@127.0.0.1:1/none',
      '--passphrase',
      'visible-in-proc-cmdline',
      '--json',
    );
    expect(run.stderr).toMatch(/--passphrase puts a secret on the command line.*LIFEBOAT_PASSPHRASE/);
    expect(run.stdout + run.stderr).not.toContain('visible-in-proc-cmdline');
  });

  it('refuses a backup name that is not one safe path segment, everywhere', async () => {
    for (const command of ['drill', 'restore', 'list', 'verify', 'prune', 'gate', 'backup']) {
      const { stderr, exitCode } = await harness().run(command, '--store', join(tmpdir(), 'lifeboat-no-such-store'), '--name', '../../etc/x');
      expect(exitCode, command).toBe(1);
      expect(stderr, command).toMatch(/Invalid --name \(or LIFEBOAT_NAME\) \(got '\.\.\/\.\.\/etc\/x'\): expected a backup name: letters, digits/);
    }
  });

  it('rejects an unknown command with usage help and a non-zero exit', async () => {
    const { stderr, exitCode } = await harness().run('frobnicate');
    expect(exitCode).not.toBe(0);
    expect(stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('lifeboat keygen', () => {
  it('writes the key pair to files and prints only the fingerprint and paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keygen-'));
    const { stdout, stderr, exitCode } = await harness().run('keygen', '--key-name', 'Ops team', '--out-dir', dir, '--json');
    expect(exitCode).toBe(0);
    const doc = JSON.parse(stdout) as { outputs: Record<string, string> };
    const privatePath = doc.outputs['private-key-path']!;
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    const privateKey = readFileSync(privatePath, 'utf8');
    expect(privateKey).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    expect(readFileSync(doc.outputs['public-key-path']!, 'utf8')).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(privatePath).toContain(doc.outputs.fingerprint!);
    const body = privateKey.split('\n').find((line) => line.length > 60)!;
    expect(stdout + stderr).not.toContain(body);
    expect(stderr).toContain('no passphrase');

    // The signing pair: a key that signs manifests, which nothing can be encrypted to.
    const signingPrivate = doc.outputs['signing-private-key-path']!;
    const signingPublic = doc.outputs['signing-public-key-path']!;
    expect(statSync(signingPrivate).mode & 0o777).toBe(0o600);
    expect(signingPrivate).toContain(`${doc.outputs['signing-fingerprint']}.signing.key.asc`);
    expect(doc.outputs['signing-fingerprint']).not.toBe(doc.outputs.fingerprint);
    const data = new TextEncoder().encode('manifest');
    const { signature } = await signDetached(data, { signingKey: signingPrivate });
    expect(await verifyDetached(data, signature, signingPublic)).toEqual({ fingerprint: doc.outputs['signing-fingerprint'] });
    await expect(loadRecipients(signingPublic)).rejects.toThrow(/encrypt/i);
    const second = mkdtempSync(join(tmpdir(), 'keygen-'));
    const { stdout: text } = await harness().run('keygen', '--out-dir', second);
    expect(text).toContain('the `signing-key` secret of the backup job only');
    expect(text).toContain('`signing-public-key` of drills and restores');
    for (const folder of [dir, second]) rmSync(folder, { recursive: true, force: true });
  });
});

describe('artifact stores from the CLI', () => {
  it('are refused with what to use instead', async () => {
    const { stderr, exitCode } = await harness().run('list', '--store', 'artifact://backups');
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^error: .*artifact.*only inside/im);
  });
});

describe('each error printed once', () => {
  const count = (text: string, part: string) => text.split(part).length - 1;

  it('a failing gate names each problem once on stderr, once in the summary', async () => {
    const store = mkdtempSync(join(tmpdir(), 'lifeboat-cli-once-'));
    try {
      const { stdout, stderr, exitCode } = await harness().run('gate', '--store', store, '--name', 'app');
      expect(exitCode).toBe(1);
      const problem = 'There is no complete backup of `app`';
      expect(count(stderr, problem), stderr).toBe(1);
      expect(count(stdout, problem), stdout).toBe(1);
      expect(stderr.trim().split('\n').filter((line) => line.startsWith('error:'))).toHaveLength(1);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });

  it('a failing drill states its failure once in the summary and once on stderr', async () => {
    const store = mkdtempSync(join(tmpdir(), 'lifeboat-cli-once-'));
    const evidence = mkdtempSync(join(tmpdir(), 'lifeboat-cli-evidence-'));
    try {
      const { stdout, stderr, exitCode } = await harness().run(
        'drill', '--store', store, '--name', 'app', '--allow-unsigned', 'true', '--evidence-dir', evidence, '--record-drill', 'false',
      );
      expect(exitCode).toBe(1);
      const failure = 'No complete backup exists.';
      expect(count(stdout, failure), stdout).toBe(1);
      expect(stdout).toContain('| select | ❌ failed (see Failure) |');
      expect(count(stderr, failure), stderr).toBe(1);
    } finally {
      rmSync(store, { recursive: true, force: true });
      rmSync(evidence, { recursive: true, force: true });
    }
  });
});
