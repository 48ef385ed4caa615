/**
 * The shell in the workflows, run with bash exactly as the runner runs a `run:` step
 * (`bash --noprofile --norc -eo pipefail`), with the step's env set by hand. Where a script
 * calls the GitHub API through `gh`, a stand-in `gh` on PATH answers (no GitHub here) and
 * records how it was called.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { drillRecordSchema } from '../../packages/core/src/catalog/drill-record.js';
import { repoRoot, stepScript } from './workflow-files.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  dir: string;
}

/** Runs a step's script in a fresh folder with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP. */
function runStep(script: string, env: Record<string, string>, options: { cwd?: string; prepare?: (dir: string) => void } = {}): StepRun {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-step-'));
  temps.push(dir);
  options.prepare?.(dir);
  const file = join(dir, 'step.sh');
  writeFileSync(file, script);
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], {
    cwd: options.cwd ?? dir,
    encoding: 'utf8',
    env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, RUNNER_TEMP: dir, ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs, summary: readFileSync(summaryFile, 'utf8'), dir };
}

/** A stand-in `gh`: logs its arguments, prints $GH_STANDIN_<SUBCOMMAND> for `api` and `issue list`. */
function installStandInGh(dir: string): void {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const gh = join(dir, 'bin', 'gh');
  writeFileSync(
    gh,
    `#!/bin/bash
printf '%s\\n' "$*" >> "${dir}/gh.log"
case "$1 $2" in
  "api "*) printf '%s\\n' "$GH_STANDIN_API" ;;
  "issue list") printf '%s\\n' "$GH_STANDIN_ISSUE" ;;
  "issue comment"|"issue create") for ((i = 1; i <= $#; i++)); do if [ "\${!i}" = --body-file ]; then j=$((i + 1)); cp "\${!j}" "${dir}/body.md"; fi; done ;;
esac
`,
  );
  chmodSync(gh, 0o755);
}

describe('backup.yml: Read the database list', () => {
  const script = stepScript('backup.yml', 'plan', 'Read the database list');
  const plan = (databases: string, only = '') => runStep(script, { DATABASES: databases, ONLY: only });

  it('normalises names and derives each URL secret', () => {
    const run = plan('[{"name":"app"},"billing-eu",{"name":"hub","secret":"HUB_PG"}]');
    expect(run.status, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.databases!)).toEqual([
      { name: 'app', secret: 'APP_DATABASE_URL' },
      { name: 'billing-eu', secret: 'BILLING_EU_DATABASE_URL' },
      { name: 'hub', secret: 'HUB_PG' },
    ]);
  });

  it('keeps only the database asked for by hand', () => {
    const run = plan('["app","billing"]', 'billing');
    expect(JSON.parse(run.outputs.databases!)).toEqual([{ name: 'billing', secret: 'BILLING_DATABASE_URL' }]);
  });

  it.each([
    ['', 'No databases to back up'],
    ['[]', 'The database list is not valid'],
    ['{"name":"app"}', 'The database list is not valid'],
    ['[{"name":"a b"}]', 'The database list is not valid'],
    ['not json', 'The database list is not valid'],
  ])('refuses %j with a clear error', (databases, message) => {
    const run = plan(databases);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain(`::error::${message}`);
    expect(run.outputs.databases).toBeUndefined();
  });

  it('refuses a name that is not in the list', () => {
    const run = plan('["app"]', 'nope');
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain("::error::No database named 'nope' in the list.");
  });
});

describe('restore-drill.yml: Read the database list', () => {
  const script = stepScript('restore-drill.yml', 'plan', 'Read the database list');

  it('gives every entry a target major, its own or the default', () => {
    const run = runStep(script, { DATABASES: '[{"name":"app","postgres-major":16},"hub"]', ONLY: '', DEFAULT_MAJOR: '17' });
    expect(run.status, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.databases!)).toEqual([
      { name: 'app', 'postgres-major': '16' },
      { name: 'hub', 'postgres-major': '17' },
    ]);
  });

  it('refuses a major that is not a number', () => {
    const run = runStep(script, { DATABASES: '[{"name":"app","postgres-major":"latest"}]', ONLY: '', DEFAULT_MAJOR: '17' });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('postgres-major is a number like 16');
  });
});

describe('pre-deploy-gate.yml: Match the label and the changed paths', () => {
  const script = stepScript('pre-deploy-gate.yml', 'scope', 'Match the label and the changed paths');
  const base = { GH_TOKEN: 'unused', GH_REPO: 'owner/repo', PR: '42', LABEL: 'risky-deploy', NAMES: '[{"name":"app"},"hub"]', PATTERNS: '' };

  it('applies when the PR has the label, without asking for the file list', () => {
    const run = runStep(script, { ...base, LABELS: '["docs","risky-deploy"]' }, { prepare: installStandInGh });
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs).toEqual({ names: '["app","hub"]', gated: 'true' });
    expect(() => readFileSync(join(run.dir, 'gh.log'), 'utf8')).toThrow();
  });

  it('applies when a changed file matches a watched path', () => {
    const run = runStep(
      script,
      { ...base, LABELS: '[]', PATTERNS: '  docs/*.md\n db/migrations/* \n', GH_STANDIN_API: 'README.md\ndb/migrations/0042_add_index.sql' },
      { prepare: installStandInGh },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs.gated).toBe('true');
    expect(run.stdout).toContain('db/migrations/0042_add_index.sql matches db/migrations/*');
    expect(readFileSync(join(run.dir, 'gh.log'), 'utf8')).toContain('api --paginate repos/owner/repo/pulls/42/files');
  });

  it('does not apply without the label or a matching path', () => {
    const run = runStep(script, { ...base, LABELS: '["docs"]', PATTERNS: 'db/migrations/*', GH_STANDIN_API: 'src/app.ts' }, { prepare: installStandInGh });
    expect(run.status, run.stderr).toBe(0);
    expect(run.outputs.gated).toBe('false');
    expect(run.stdout).toContain('the gate does not apply');
  });

  it('refuses a missing name list', () => {
    const run = runStep(script, { ...base, NAMES: '', LABELS: '[]' }, { prepare: installStandInGh });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain('::error::Set the names input');
  });
});

describe('restore-drill.yml: Open or update the issue', () => {
  const script = stepScript('restore-drill.yml', 'report', 'Open or update the issue');
  const env = { GH_TOKEN: 'unused', GH_REPO: 'owner/repo', RUN_URL: 'https://example.invalid/run/7', TITLE: 'Lifeboat restore drill failing' };
  const withSummaries = (dir: string) => {
    installStandInGh(dir);
    mkdirSync(join(dir, 'evidence'));
    // The Markdown evidence the drill action uploads, one artifact per database.
    writeFileSync(join(dir, 'evidence', 'drill-app-20261125T101500Z-drilla.md'), '#### app (target PostgreSQL 16): failure\n- verdict: **fail**\n');
    writeFileSync(join(dir, 'evidence', 'drill-hub-20261125T101500Z-drillb.md'), '#### hub (target PostgreSQL 17): success\n');
  };

  it('opens an issue with every summary when none is open', () => {
    const run = runStep(script, { ...env, GH_STANDIN_ISSUE: '' }, { prepare: withSummaries });
    expect(run.status, run.stderr).toBe(0);
    const calls = readFileSync(join(run.dir, 'gh.log'), 'utf8');
    expect(calls).toContain('issue list --state open --search in:title "Lifeboat restore drill failing"');
    expect(calls).toMatch(/issue create --title Lifeboat restore drill failing --body-file /);
    const body = readFileSync(join(run.dir, 'body.md'), 'utf8');
    expect(body).toContain('The restore drill failed in https://example.invalid/run/7.');
    expect(body).toContain('#### app (target PostgreSQL 16): failure');
    expect(body).toContain('#### hub (target PostgreSQL 17): success');
  });

  it('comments on the open issue instead of opening another', () => {
    const run = runStep(script, { ...env, GH_STANDIN_ISSUE: '12' }, { prepare: withSummaries });
    expect(run.status, run.stderr).toBe(0);
    const calls = readFileSync(join(run.dir, 'gh.log'), 'utf8');
    expect(calls).toMatch(/issue comment 12 --body-file /);
    expect(calls).not.toContain('issue create');
  });
});

describe('release.yml: Work out the version', () => {
  const script = stepScript('release.yml', 'release', 'Work out the version');
  const declared = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

  it('releases the tag pushed when it equals package.json, and names the major tag to move', () => {
    const run = runStep(script, { EVENT: 'push', REF_NAME: `v${declared}`, INPUT_VERSION: '' }, { cwd: repoRoot });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toEqual({ tag: `v${declared}`, major: `v${declared.split('.')[0]}`, prerelease: String(declared.includes('-')) });
  });

  it('refuses a version that package.json does not declare', () => {
    const run = runStep(script, { EVENT: 'push', REF_NAME: 'v99.0.0', INPUT_VERSION: '' }, { cwd: repoRoot });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain(`::error::package.json says ${declared}, the release is 99.0.0`);
  });

  it('refuses a malformed version', () => {
    const run = runStep(script, { EVENT: 'workflow_dispatch', REF_NAME: 'main', INPUT_VERSION: '1.2' }, { cwd: repoRoot });
    expect(run.status).not.toBe(0);
    expect(run.stdout).toContain("::error::'1.2' is not a version");
  });
});

describe('pre-deploy-gate.yml: the Backup gate verdict (the one required check)', () => {
  const script = stepScript('pre-deploy-gate.yml', 'verdict', 'Every gated name passed, or the gate does not apply');
  const cases: [string, Record<string, string>, number, string][] = [
    ['not configured', { SCOPE: 'skipped', GATED: '', SNAPSHOT: 'skipped', GATE: 'skipped' }, 0, 'not configured'],
    ['not gated', { SCOPE: 'success', GATED: 'false', SNAPSHOT: 'skipped', GATE: 'skipped' }, 0, 'does not apply'],
    ['gated and passed', { SCOPE: 'success', GATED: 'true', SNAPSHOT: 'skipped', GATE: 'success' }, 0, 'fresh, recently drilled'],
    ['gated and one name failed', { SCOPE: 'success', GATED: 'true', SNAPSHOT: 'skipped', GATE: 'failure' }, 1, "backup gate ended 'failure'"],
    ['the snapshot failed (the gate then skips)', { SCOPE: 'success', GATED: 'true', SNAPSHOT: 'failure', GATE: 'skipped' }, 1, "snapshot before the deploy ended 'failure'"],
    ['deciding the scope failed', { SCOPE: 'failure', GATED: '', SNAPSHOT: 'skipped', GATE: 'skipped' }, 1, "ended 'failure'"],
    ['the gate was cancelled', { SCOPE: 'success', GATED: 'true', SNAPSHOT: 'success', GATE: 'cancelled' }, 1, "ended 'cancelled'"],
  ];
  it.each(cases)('%s', (_, env, status, message) => {
    const run = runStep(script, env);
    expect(run.status, run.stdout + run.stderr).toBe(status);
    expect(run.stdout).toContain(message);
  });
});
