/**
 * Command backups that must not count: a command that exits non-zero after half its output,
 * one killed by a signal, one that writes nothing. Each fails naming the command and the end
 * of its stderr, and leaves no manifest. A secret given through `command-env` never shows in
 * the output, the manifest or the evidence; a tampered backup fails its drill naming why.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { objectSource, preflight, preflightOperation, resolveOptions } from '@lifeboat/core';
import { runCli } from '../support/cli.js';
import { backupsIn, backupWith, drillWith, folder, makeKeys, onlyBackup, testContext, type Keys } from './support.js';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

describe('a command that fails leaves no manifest', () => {
  it.each([
    ['exits non-zero after half its output', `head -c 300000 /dev/zero; echo 'mydump: lost connection at table orders' >&2; exit 3`, /exited with status 3\. Its stderr ended with: mydump: lost connection at table orders/],
    ['is killed by a signal', `head -c 100000 /dev/zero; echo 'about to die' >&2; kill -9 $$`, /was killed by SIGKILL\. Its stderr ended with: about to die/],
    ['writes nothing', `echo 'nothing to dump' >&2; exit 0`, /wrote nothing to stdout\. Its stderr ended with: nothing to dump/],
  ])('a command that %s', async (_what, command, message) => {
    const store = folder();
    const outcome = await backupWith({ store, name: 'app', command }, keys);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(message);
    // The error names the command as written.
    expect(outcome.failure).toContain(command.split(';')[0]);
    expect(backupsIn(store, 'app')).toEqual({ complete: [], partial: [] });
  });

  it('refuses a program that is not installed before anything runs (preflight), and one a script names when it runs', async () => {
    const store = folder();
    await expect(backupWith({ store, name: 'app', command: '["no-such-dump-tool-x", "--all"]' }, keys)).rejects.toThrow('no-such-dump-tool-x is not installed (not on PATH).');
    const outcome = await backupWith({ store, name: 'app', command: 'no-such-dump-tool-x --all' }, keys);
    expect(outcome.failure).toMatch(/The backup command `no-such-dump-tool-x --all` exited with status 127\. Its stderr ended with: .*not found/);
    expect(backupsIn(store, 'app')).toEqual({ complete: [], partial: [] });
  });

  it('refuses source-url without a command or preset, rather than backing up PostgreSQL', async () => {
    await expect(backupWith({ store: folder(), 'source-url': 'mysql://u:p@db/x' }, keys)).rejects.toThrow(/neither `command` nor `preset`: nothing says what to run/);
  });

  it('refuses a count command that prints no JSON, writing no manifest', async () => {
    const store = folder();
    const outcome = await backupWith({ store, name: 'app', command: 'echo data', 'count-command': 'echo not json' }, keys);
    expect(outcome.failure).toMatch(/The count command `echo not json` did not print JSON/);
    expect(backupsIn(store, 'app').complete).toEqual([]);
  });

  it('refuses command-env naming a variable that is not set', async () => {
    const store = folder();
    await expect(backupWith({ store, command: 'echo x', 'command-env': 'LIFEBOAT_TEST_NOT_SET_X' }, keys, testContext({ LIFEBOAT_TEST_NOT_SET_X: undefined }))).rejects.toThrow(
      /`command-env` names LIFEBOAT_TEST_NOT_SET_X, which is not set/,
    );
    expect(backupsIn(store, 'command')).toEqual({ complete: [], partial: [] });
  });
});

describe('preflight and missing drill settings', () => {
  it('lists the source and tools rows of a command backup, failing a program that is not installed', async () => {
    const run = (values: Record<string, string>) =>
      preflight(resolveOptions(preflightOperation, objectSource({ store: folder(), recipients: keys.encryption.publicKey, 'signing-key': keys.signing.privateKey, ...values })), testContext());
    const failing = await run({ command: '["no-such-dump-tool-x", "--all"]' });
    expect(failing.ok).toBe(false);
    expect(failing.outputs.failed).toBe('tools');
    const passing = await run({ preset: 'sqlite', 'source-url': '/srv/app.db' });
    expect(passing.ok, passing.failure).toBe(true);
  });

  it('fails a drill that has no restore command for an operator\'s own command, naming the option', async () => {
    const store = folder();
    expect((await backupWith({ store, name: 'app', command: 'seq 1 10' }, keys)).ok).toBe(true);
    const { outcome, record } = await drillWith({ store, name: 'app' }, keys);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toContain('This command backup has no preset, and `restore-command` is not set.');
    expect(record.verdict).not.toBe('pass');
  });
});

describe('a drill whose commands fail', () => {
  it('fails the restore phase naming the restore command and its stderr, and fails a check whose command exits non-zero', async () => {
    const store = folder();
    expect((await backupWith({ store, name: 'app', command: 'seq 1 100', 'count-command': 'echo \'{"lines": 100}\'' }, keys)).ok).toBe(true);
    const broken = await drillWith({ store, name: 'app', 'restore-command': 'cat > /dev/null; echo "ERROR 1045: access denied" >&2; exit 4' }, keys);
    expect(broken.outcome.ok).toBe(false);
    expect(broken.outcome.failure).toContain('restore failed: The restore command `cat > /dev/null; echo "ERROR 1045: access denied" >&2; exit 4` exited with status 4. Its stderr ended with: ERROR 1045: access denied');
    expect(broken.record.phases.find((p) => p.name === 'restore')).toMatchObject({ ok: false });

    const checks = '- name: table exists\n  command: echo "no such table" >&2; exit 2\n  expect: "= 1"\n- name: lines\n  command: echo 100\n  expect: ">= 100"\n';
    const { outcome, record } = await drillWith({ store, name: 'app', 'restore-command': 'wc -l', 'count-command': 'echo \'{"lines": 100}\'', checks }, keys);
    expect(outcome.ok).toBe(false);
    expect(record.checks.find((c) => c.name === 'table exists')).toMatchObject({ ok: false, actual: 'error', exitCode: 2, message: expect.stringContaining('exited with status 2. no such table') });
    expect(record.checks.find((c) => c.name === 'lines')).toMatchObject({ ok: true, actual: '100', exitCode: 0 });
    expect(record.checks.find((c) => c.name === 'count of lines')).toMatchObject({ ok: true, expected: 100, actual: 100 });
    expect(record.checks.find((c) => c.name === 'count command')).toMatchObject({ ok: true, exitCode: 0, durationMs: expect.any(Number) });
  });
});

describe('secrets given through command-env', () => {
  const TOKEN = 'tok-Zq81-secret-dump-password';

  it('never appear in the CLI output, the manifest or the evidence, even when the commands print them', async () => {
    const store = folder();
    const evidenceDir = folder('lifeboat-evidence-');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      DUMP_TOKEN: TOKEN,
      LIFEBOAT_RECIPIENTS: keys.encryption.publicKey,
      LIFEBOAT_SIGNING_KEY: keys.signing.privateKey,
    };
    const backupRun = await runCli(
      ['backup', '--store', store, '--name', 'app', '--command', 'echo "connecting with $DUMP_TOKEN" >&2; printf "rows\\n"', '--count-command', 'printf \'{"rows": 1, "token": "%s"}\' "$DUMP_TOKEN"', '--command-env', 'DUMP_TOKEN'],
      env,
    );
    expect(backupRun.code, backupRun.output).toBe(0);
    expect(backupRun.output).not.toContain(TOKEN);
    const { manifestText } = onlyBackup(store, 'app');
    expect(manifestText).not.toContain(TOKEN);

    const checks = join(evidenceDir, 'checks.yml');
    writeFileSync(checks, '- name: prints the token\n  command: echo "$DUMP_TOKEN"\n  expect: some rows\n');
    const drillRun = await runCli(
      ['drill', '--store', store, '--name', 'app', '--restore-command', 'cat > /dev/null; echo "restoring as $DUMP_TOKEN" >&2', '--count-command', 'printf \'{"rows": 1, "token": "%s"}\' "$DUMP_TOKEN"', '--command-env', 'DUMP_TOKEN', '--checks', checks, '--evidence-dir', evidenceDir, '--record-drill', 'false'],
      { ...env, LIFEBOAT_IDENTITY: keys.encryption.privateKey, LIFEBOAT_SIGNING_PUBLIC_KEY: keys.signing.publicKey },
    );
    expect(drillRun.code, drillRun.output).toBe(0);
    expect(drillRun.output).not.toContain(TOKEN);
    const files = readdirSync(evidenceDir).filter((f) => f.endsWith('.json') || f.endsWith('.md'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) expect(readFileSync(join(evidenceDir, file), 'utf8')).not.toContain(TOKEN);
  });

  it('are hidden in the error of a failing command that printed them', async () => {
    const outcome = await backupWith({ store: folder(), command: 'echo "auth failed for $DUMP_TOKEN" >&2; exit 1', 'command-env': 'DUMP_TOKEN' }, keys, testContext({ DUMP_TOKEN: TOKEN }));
    expect(outcome.failure).toContain('auth failed for ***');
    expect(outcome.failure).not.toContain(TOKEN);
  });
});

describe('a tampered command backup', () => {
  it('fails its drill naming the payload whose checksum does not match', async () => {
    const store = folder();
    expect((await backupWith({ store, name: 'app', command: 'seq 1 5000' }, keys)).ok).toBe(true);
    const { dir } = onlyBackup(store, 'app');
    const payload = join(dir, 'output.bin.pgp');
    const bytes = readFileSync(payload);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(payload, bytes);
    const { outcome, record } = await drillWith({ store, name: 'app', 'restore-command': 'cat > /dev/null' }, keys);
    expect(outcome.ok).toBe(false);
    expect(record.verdict).toBe('fail');
    expect(outcome.failure).toMatch(/verify failed: .*output\.bin\.pgp.*(sha256|SHA-256|checksum)/i);
    expect(record.phases.map((p) => p.name)).not.toContain('restore');
  });
});
