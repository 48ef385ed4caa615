/** Reading the repository's workflow files and action metadata for the workflow tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const workflowsDir = join(repoRoot, '.github', 'workflows');

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  'runs-on'?: string;
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string } | string;
  services?: Record<string, { image: string; options?: string }>;
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
}

export interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

export interface ActionInput {
  description: string;
  required?: boolean;
  default?: string;
}

/** Every workflow file name under .github/workflows. */
export function workflowFiles(): string[] {
  return readdirSync(workflowsDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

/** A workflow file's text and parsed document. */
export function readWorkflow(file: string): { text: string; doc: Workflow } {
  const text = readFileSync(join(workflowsDir, file), 'utf8');
  return { text, doc: parse(text) as Workflow };
}

/** The inputs an action declares in actions/<folder>/action.yml. */
export function actionInputs(folder: string): Record<string, ActionInput> {
  const doc = parse(readFileSync(join(repoRoot, 'actions', folder, 'action.yml'), 'utf8')) as { inputs?: Record<string, ActionInput> };
  return doc.inputs ?? {};
}

/** The `run:` script of a named step, failing loudly when the step is gone. */
export function stepScript(file: string, job: string, stepName: string): string {
  const step = readWorkflow(file).doc.jobs[job]?.steps?.find((s) => s.name === stepName);
  if (!step?.run) throw new Error(`${file}: job ${job} has no step '${stepName}' with a run script`);
  return step.run;
}
