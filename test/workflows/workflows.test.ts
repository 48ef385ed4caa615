import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { actionInputs, readWorkflow, repoRoot, workflowFiles, workflowsDir, type Job, type Workflow } from './workflow-files.js';

const files = workflowFiles();
const validator = join(repoRoot, 'node_modules', '.bin', 'action-validator');

/** Workflows operators run on a schedule or call; the repo's own CI and release are not among them. */
const operatorWorkflows = ['backup.yml', 'restore-drill.yml', 'pre-deploy-gate.yml', 'canister-export.yml', 'stack.yml'];

function localActionSteps(job: Job) {
  return (job.steps ?? []).flatMap((step, index) => (step.uses?.startsWith('./actions/') ? [{ step, index, folder: step.uses.slice('./actions/'.length).replace(/\/$/, '') }] : []));
}

/** Each `uses: ./actions/X` step whose `with:` names an undeclared input or misses a required one. */
function actionInputProblems(doc: Workflow): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries(doc.jobs)) {
    for (const { step, folder } of localActionSteps(job)) {
      const where = `${jobId} → ${step.name ?? step.uses}`;
      if (!existsSync(join(repoRoot, 'actions', folder, 'action.yml'))) {
        problems.push(`${where}: actions/${folder}/action.yml does not exist`);
        continue;
      }
      const inputs = actionInputs(folder);
      const given = step.with ?? {};
      for (const key of Object.keys(given)) {
        if (!(key in inputs)) problems.push(`${where}: input '${key}' is not declared by actions/${folder}`);
      }
      for (const [name, input] of Object.entries(inputs)) {
        if (!input.required || input.default !== undefined) continue;
        const value = given[name];
        if (typeof value !== 'string' || value.trim() === '') problems.push(`${where}: required input '${name}' of actions/${folder} is not given`);
      }
    }
  }
  return problems;
}

function writeScopes(permissions: Job['permissions']): string[] {
  if (permissions === undefined) return [];
  if (typeof permissions === 'string') return [permissions];
  return Object.entries(permissions)
    .filter(([, level]) => level === 'write')
    .map(([scope]) => scope);
}

describe('workflow files', () => {
  it('exist: backup, restore drill, pre-deploy gate, canister export, stack, CI and release', () => {
    expect(files).toEqual(['backup.yml', 'canister-export.yml', 'ci.yml', 'pre-deploy-gate.yml', 'release.yml', 'restore-drill.yml', 'stack.yml']);
  });

  it.each(files)('%s validates with action-validator', (file) => {
    const result = spawnSync(validator, [join(workflowsDir, file)], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    // The validator's own report is the failure message.
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it('the validator rejects a broken workflow (so a pass means something)', () => {
    const broken = join(repoRoot, 'test', 'workflows', 'fixtures', 'broken.yml');
    const result = spawnSync(validator, [broken], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain("Additional property 'step' is not allowed");
  });
});

describe('the action input check', () => {
  it('reports an unknown input, a missing required one and a missing action', () => {
    const doc = parse(readFileSync(join(repoRoot, 'test', 'workflows', 'fixtures', 'wrong-inputs.yml'), 'utf8')) as Workflow;
    expect(actionInputProblems(doc)).toEqual([
      "backup → Back up: input 'database' is not declared by actions/backup",
      "backup → Back up: required input 'store' of actions/backup is not given",
      'backup → ./actions/no-such-action: actions/no-such-action/action.yml does not exist',
    ]);
  });
});

describe.each(files)('%s', (file) => {
  const { text, doc } = readWorkflow(file);
  const jobs = Object.entries(doc.jobs);
  const call = doc.on.workflow_call as { inputs?: Record<string, unknown>; secrets?: Record<string, unknown> } | undefined;
  const dispatch = doc.on.workflow_dispatch as { inputs?: Record<string, unknown> } | undefined;

  it('gives every ./actions step only inputs its action.yml declares, and every required one', () => {
    expect(actionInputProblems(doc)).toEqual([]);
  });

  it('checks out the repository before running a ./actions step', () => {
    for (const [jobId, job] of jobs) {
      for (const { index } of localActionSteps(job)) {
        const checkout = (job.steps ?? []).findIndex((s) => s.uses?.startsWith('actions/checkout@'));
        expect(checkout, `${jobId}: no checkout before step ${index}`).toBeGreaterThanOrEqual(0);
        expect(checkout).toBeLessThan(index);
      }
    }
  });

  it('declares every inputs.* it reads', () => {
    const declared = new Set([...Object.keys(call?.inputs ?? {}), ...Object.keys(dispatch?.inputs ?? {})]);
    for (const match of text.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)) {
      expect([...declared], `inputs.${match[1]} is read but not declared`).toContain(match[1]);
    }
  });

  it('declares every lower-case secret it reads (upper-case ones are repository secrets)', () => {
    for (const match of text.matchAll(/\bsecrets\.([A-Za-z0-9_-]+)/g)) {
      const name = match[1]!;
      if (/^[A-Z0-9_]+$/.test(name)) continue;
      expect(Object.keys(call?.secrets ?? {}), `secrets.${name} is read but not declared under workflow_call.secrets`).toContain(name);
    }
  });

  it('grants nothing by default and only the write scopes a job needs', () => {
    expect(doc.permissions, 'workflow-level permissions must be explicit').toBeDefined();
    expect(writeScopes(doc.permissions)).toEqual([]);
    for (const [jobId, job] of jobs) {
      const writes = writeScopes(job.permissions);
      expect(writes, `${jobId}: write-all`).not.toContain('write-all');
      const awsLogin = (job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      // id-token: write exists only for the OIDC login to AWS, and every OIDC login has it.
      expect(writes.includes('id-token'), `${jobId}: id-token: write iff an AWS OIDC login`).toBe(awsLogin);
      const allowed = ['id-token', ...(jobId === 'report' ? ['issues'] : []), ...(file === 'release.yml' ? ['contents'] : [])];
      for (const scope of writes) expect(allowed, `${jobId}: ${scope}: write`).toContain(scope);
    }
  });

  it.runIf(operatorWorkflows.includes(file))('runs on a schedule or a pull request, by hand where it makes sense, and as a reusable workflow', () => {
    expect(call, 'workflow_call').toBeDefined();
    expect(doc.on.schedule ?? doc.on.pull_request, 'schedule or pull_request').toBeDefined();
    if (doc.on.schedule) expect(dispatch, 'workflow_dispatch').toBeDefined();
  });

  it.runIf(operatorWorkflows.includes(file))('never runs two backups of one name at once', () => {
    for (const [jobId, job] of jobs) {
      const writesBackup = localActionSteps(job).some(({ folder }) => folder === 'backup' || folder === 'canister-export');
      if (!writesBackup) continue;
      expect(typeof job.concurrency, `${jobId}: concurrency`).toBe('object');
      const concurrency = job.concurrency as { group: string; 'cancel-in-progress'?: boolean };
      expect(concurrency.group).toMatch(/^lifeboat-backup-\$\{\{ .*(matrix\.database\.name|name|stack-file).* \}\}$/);
      expect(concurrency['cancel-in-progress']).toBe(false);
    }
  });

  it.runIf(operatorWorkflows.includes(file))('checks out the Lifeboat actions and explains a missing checkout', () => {
    for (const [jobId, job] of jobs) {
      const steps = job.steps ?? [];
      const local = localActionSteps(job);
      if (local.length === 0) continue;
      const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
      expect(checkout.with?.repository, jobId).toBe('${{ inputs.lifeboat-repository || github.repository }}');
      expect(checkout.with?.['persist-credentials'], jobId).toBe(false);
      const guard = steps.find((s) => s.name === 'Check that the Lifeboat actions are here');
      expect(guard?.run, jobId).toContain(`actions/${local[0]!.folder}/action.yml`);
    }
  });
});

describe('third-party actions in the workflows', () => {
  it.each(files)('%s pins each one by commit SHA, with its version in a comment', (file) => {
    const { text } = readWorkflow(file);
    const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)].filter((m) => !m[1]!.startsWith('./'));
    for (const [line, ref, rest] of uses) {
      expect(ref, line).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(rest, line).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
  });

  it('pin one version of each action everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const file of files) {
      for (const m of readWorkflow(file).text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40})/g)) {
        pins.set(m[1]!, (pins.get(m[1]!) ?? new Set()).add(m[2]!));
      }
    }
    for (const [action, shas] of pins) expect([...shas], action).toHaveLength(1);
  });
});

describe('backup.yml', () => {
  const { doc } = readWorkflow('backup.yml');

  it('prunes with keep rules, so the store does not grow forever', () => {
    const step = doc.jobs.backup!.steps!.find((s) => s.uses === './actions/backup')!;
    expect(step.with?.['keep-daily']).toBe("${{ inputs.keep-daily || vars.LIFEBOAT_KEEP_DAILY || '7' }}");
    expect(step.with?.['keep-weekly']).toBe("${{ inputs.keep-weekly || vars.LIFEBOAT_KEEP_WEEKLY || '4' }}");
    expect(step.with?.['keep-monthly']).toBe("${{ inputs.keep-monthly || vars.LIFEBOAT_KEEP_MONTHLY || '12' }}");
  });
});

describe('restore-drill.yml', () => {
  const { doc } = readWorkflow('restore-drill.yml');

  it('drills often enough that the gate default max-drill-age never lapses between drills', () => {
    const cron = (doc.on.schedule as { cron: string }[])[0]!.cron;
    // Monthly on a fixed day: at most 31 days apart.
    expect(cron).toMatch(/^\d+ \d+ \d+ \* \*$/);
    const gate = readWorkflow('pre-deploy-gate.yml').doc;
    expect(gate.on.workflow_call.inputs['max-drill-age'].default).toBe('90d');
    expect(readFileSync(join(repoRoot, 'packages', 'core', 'src', 'options', 'gate.ts'), 'utf8')).toMatch(/'max-drill-age': opt\.duration\(\{\s*default: '90d'/);
  });

  it('checks out the calling repository for the checks file, before the drill reads it', () => {
    const steps = doc.jobs.drill!.steps!;
    const checkout = steps.findIndex((s) => s.name === 'Check out the checks file');
    const drill = steps.findIndex((s) => s.uses === './actions/restore-drill');
    expect(checkout).toBeGreaterThanOrEqual(0);
    expect(checkout).toBeLessThan(drill);
    expect(steps[checkout]!.with?.path).toBe('.lifeboat-checks');
    expect(steps[checkout]!.with?.repository).toBeUndefined();
    expect(steps[drill]!.with?.checks).toContain("format('.lifeboat-checks/{0}'");
  });

  it('restores into a health-checked postgres service of the major asked for', () => {
    const service = doc.jobs.drill!.services!.postgres!;
    expect(service.image).toBe('postgres:${{ matrix.database.postgres-major }}');
    expect(service.options).toContain('--health-cmd');
    const drill = doc.jobs.drill!.steps!.find((s) => s.uses === './actions/restore-drill')!;
    expect(drill.with?.['target-database-url']).toBe('postgres://postgres@localhost:5432/lifeboat_drill');
  });

  it('leaves the evidence to the drill action (no re-rendering, no second upload), and opens issues only when asked', () => {
    const steps = doc.jobs.drill!.steps!;
    const drill = steps.find((s) => s.uses?.includes('restore-drill'))!;
    // The action uploads its own evidence artifact, whatever the verdict; the workflow sets only how long it stays.
    expect(drill.with?.['artifact-retention-days']).toBe('${{ inputs.evidence-retention-days || 90 }}');
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(false);
    expect(steps.some((s) => /\bjq\b/.test(s.run ?? ''))).toBe(false);
    expect(doc.on.workflow_call.inputs['open-issue-on-failure'].default).toBe(false);
    expect(doc.jobs.report!.if).toBe("${{ failure() && (inputs.open-issue-on-failure || vars.LIFEBOAT_DRILL_OPEN_ISSUE == 'true') }}");
    expect(doc.jobs.report!.permissions).toEqual({ issues: 'write' });
  });
});

describe('stack.yml', () => {
  const { doc } = readWorkflow('stack.yml');

  it('backs the stack up nightly, then drills it, both through the actions\' `stack` input', () => {
    expect(doc.on.schedule).toEqual([{ cron: '23 2 * * *' }]);
    const backup = doc.jobs.backup!.steps!.find((s) => s.uses === './actions/backup')!;
    const drill = doc.jobs.drill!.steps!.find((s) => s.uses === './actions/restore-drill')!;
    expect(doc.jobs.drill!.needs).toBe('backup');
    for (const step of [backup, drill]) {
      expect(step.with?.stack).toBe('.lifeboat-stack/${{ inputs.stack-file || vars.LIFEBOAT_STACK_FILE }}');
      // Only stack and shared settings: each member's engine settings come from the stack file.
      expect(Object.keys(step.with ?? {}).filter((k) => /database-url|redis-url|^name$/.test(k))).toEqual([]);
    }
    expect(backup.with?.['keep-daily']).toBeDefined();
  });

  it('checks out the stack file from the calling repository before each step reads it', () => {
    for (const job of [doc.jobs.backup!, doc.jobs.drill!]) {
      const steps = job.steps!;
      const file = steps.findIndex((s) => s.name === 'Check out the stack file');
      const uses = steps.findIndex((s) => s.uses === './actions/backup' || s.uses === './actions/restore-drill');
      expect(file).toBeGreaterThanOrEqual(0);
      expect(file).toBeLessThan(uses);
      expect(steps[file]!.with).toMatchObject({ path: '.lifeboat-stack', 'persist-credentials': false, 'sparse-checkout-cone-mode': false });
      expect(steps[file]!.with?.repository).toBeUndefined();
    }
  });

  it('passes the referenced secrets as env of the backup and drill steps only, never as inputs', () => {
    const { text } = readWorkflow('stack.yml');
    for (const job of [doc.jobs.backup!, doc.jobs.drill!]) {
      const step = job.steps!.find((s) => s.uses?.startsWith('./actions/'))!;
      expect(step.env).toMatchObject({ APP_DATABASE_URL: '${{ secrets.APP_DATABASE_URL }}', CACHE_REDIS_URL: '${{ secrets.CACHE_REDIS_URL }}' });
    }
    // The header tells what to replace them with.
    expect(text).toMatch(/replace the placeholders below/);
    expect(doc.jobs.drill!.steps!.find((s) => s.uses === './actions/restore-drill')!.env?.LIFEBOAT_DRILL_DATABASE_URL).toBe('postgres://postgres@localhost:5432/lifeboat_drill');
  });
});

describe('pre-deploy-gate.yml', () => {
  const { doc } = readWorkflow('pre-deploy-gate.yml');

  it('reports one fixed-name "Backup gate" job that always runs, whatever the matrix did', () => {
    const verdict = doc.jobs.verdict!;
    expect(verdict.name).toBe('Backup gate');
    expect(verdict.if).toBe('${{ always() }}');
    expect(verdict.needs).toEqual(['scope', 'snapshot', 'gate']);
    expect(verdict.name).not.toContain('${{');
  });
});

describe('ci.yml', () => {
  const { doc } = readWorkflow('ci.yml');

  it('runs every action from the checkout against a postgres service and a local S3', () => {
    const job = doc.jobs.actions!;
    expect(job.services?.postgres?.image).toBe('postgres:${{ matrix.postgres }}');
    const folders = new Set(localActionSteps(job).map(({ folder }) => folder));
    const actionFolders = ['backup', 'backup-gate', 'canister-export', 'restore-drill'].filter((f) => existsSync(join(repoRoot, 'actions', f)));
    expect([...folders].sort()).toEqual(actionFolders);
    expect(job.steps!.some((s) => s.run?.includes('s3rver'))).toBe(true);
  });

  it('tests, and fails when the committed bundles differ from a fresh build', () => {
    const steps = doc.jobs.test!.steps!;
    expect(steps.some((s) => s.run === '.ci/run')).toBe(true);
    const dist = steps.find((s) => s.name === 'Check that dist/ is current')!;
    expect(dist.run).toContain('npm run build');
    expect(dist.run).toContain('git status --porcelain -- actions');
  });
});
