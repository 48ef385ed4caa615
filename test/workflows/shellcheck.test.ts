/**
 * Every `run:` script of every workflow passes shellcheck, with `${{ … }}` expressions
 * replaced by a word (the runner substitutes them before bash sees the script). shellcheck is
 * a Debian/Ubuntu package (`apt-get install shellcheck`); without it these tests are skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkflow, workflowFiles } from './workflow-files.js';

const available = spawnSync('shellcheck', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'lifeboat-shellcheck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scripts = workflowFiles().flatMap((file) =>
  Object.entries(readWorkflow(file).doc.jobs).flatMap(([job, def]) =>
    (def.steps ?? []).flatMap((step, index) => (step.run ? [{ label: `${file} ${job} ${step.name ?? `step ${index + 1}`}`, run: step.run }] : [])),
  ),
);

describe.runIf(available)('workflow scripts', () => {
  it('are found', () => {
    expect(scripts.length).toBeGreaterThan(10);
  });

  it.each(scripts)('$label passes shellcheck', ({ label, run }) => {
    const file = join(dir, `${label.replace(/[^A-Za-z0-9]+/g, '-')}.sh`);
    writeFileSync(file, `#!/bin/bash\n${run.replace(/\$\{\{.*?\}\}/g, 'EXPR')}`);
    const result = spawnSync('shellcheck', ['--shell=bash', file], { encoding: 'utf8' });
    expect(result.status, result.stdout).toBe(0);
  });

  it('catches a real mistake (so a pass means something)', () => {
    const file = join(dir, 'bad.sh');
    writeFileSync(file, '#!/bin/bash\nrm -rf $DIR/*\n');
    expect(spawnSync('shellcheck', ['--shell=bash', file]).status).not.toBe(0);
  });
});
