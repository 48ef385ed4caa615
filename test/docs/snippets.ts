/**
 * The YAML snippets of README.md and docs/*.md, and the checks a consumer's paste must pass:
 * every Lifeboat action or workflow they name exists with the inputs given, at the major tag
 * the release makes; a step that reads a repository file has a checkout before it; an `s3://`
 * store has a credentials step and the `id-token: write` permission it needs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface Snippet {
  /** `README.md:41`: the file and the line of the opening fence. */
  readonly where: string;
  readonly text: string;
}

/** Every ```yaml block of the given Markdown text, dedented (blocks inside list items are indented). */
export function yamlBlocks(file: string, markdown: string): Snippet[] {
  const out: Snippet[] = [];
  for (const match of markdown.matchAll(/^( *)```ya?ml\n([\s\S]*?)^\1```$/gm)) {
    const indent = match[1]!.length;
    const text = match[2]!
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    const line = markdown.slice(0, match.index).split('\n').length;
    out.push({ where: `${file}:${line}`, text });
  }
  return out;
}

/** The snippets of README.md and every docs/*.md under `root`. */
export function documentationSnippets(root: string): Snippet[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  return files.flatMap((file) => yamlBlocks(file, readFileSync(join(root, file), 'utf8')));
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
  'runs-on'?: unknown;
}

/** What a snippet is: a workflow (or its `jobs:`), a list of steps, a drill checks file, or other YAML. */
export type SnippetKind = 'workflow' | 'steps' | 'checks' | 'other';

export function snippetKind(doc: unknown): SnippetKind {
  if (Array.isArray(doc)) {
    if (doc.length > 0 && doc.every((e) => e && typeof e === 'object' && ('uses' in e || 'run' in e))) return 'steps';
    if (doc.length > 0 && doc.every((e) => e && typeof e === 'object' && 'expect' in e)) return 'checks';
    return 'other';
  }
  if (doc && typeof doc === 'object' && 'jobs' in doc) return 'workflow';
  return 'other';
}

const LIFEBOAT_ACTION = /^[^/\s]+\/lifeboat\/actions\/([a-z-]+)@(\S+)$/;
const LIFEBOAT_WORKFLOW = /^[^/\s]+\/lifeboat\/\.github\/workflows\/([\w.-]+\.ya?ml)@(\S+)$/;
/** A relative path inside the repository, such as `.github/lifeboat-checks.yml` or `hub/icp`. */
const REPOSITORY_PATH = /^(\.{1,2}\/)?[\w.-]+(\/[\w.-]+)+$|^[\w.-]+\.(ya?ml|json|asc)$/;

function writes(permissions: Job['permissions'], scope: string): boolean {
  if (permissions === undefined) return false;
  if (typeof permissions === 'string') return permissions === 'write-all';
  return permissions[scope] === 'write';
}

function inputsOf(root: string, file: string): Record<string, { required?: boolean; default?: unknown }> | undefined {
  if (!existsSync(join(root, file))) return undefined;
  const doc = parse(readFileSync(join(root, file), 'utf8')) as {
    inputs?: Record<string, { required?: boolean; default?: unknown }>;
    on?: { workflow_call?: { inputs?: Record<string, { required?: boolean; default?: unknown }> } };
  };
  return file.endsWith('action.yml') ? (doc.inputs ?? {}) : (doc.on?.workflow_call?.inputs ?? {});
}

function checkInputs(where: string, given: Record<string, unknown>, declared: Record<string, { required?: boolean; default?: unknown }>, what: string): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(given)) if (!(key in declared)) problems.push(`${where}: input '${key}' is not declared by ${what}`);
  for (const [name, input] of Object.entries(declared)) {
    if (input.required && input.default === undefined && !(name in given)) problems.push(`${where}: required input '${name}' of ${what} is not given`);
  }
  return problems;
}

/**
 * The problems of one job (or a list of steps, `job` undefined permissions then coming from
 * the workflow only): unknown inputs, the wrong major, files read without a checkout, an S3
 * store without credentials or without `id-token: write`.
 */
function jobProblems(root: string, where: string, job: Job, workflowPermissions: Job['permissions'], major: string): string[] {
  const problems: string[] = [];
  const idToken = writes(job.permissions ?? workflowPermissions, 'id-token');

  if (job.uses) {
    const reusable = LIFEBOAT_WORKFLOW.exec(job.uses);
    if (reusable) {
      const [, file, ref] = reusable;
      if (ref !== major) problems.push(`${where}: ${job.uses} names ${ref}; the release makes ${major}`);
      const lifeboatRef = job.with?.['lifeboat-ref'];
      if (lifeboatRef !== undefined && lifeboatRef !== ref) problems.push(`${where}: lifeboat-ref ${String(lifeboatRef)} differs from the ref of the uses: line (${ref})`);
      const declared = inputsOf(root, `.github/workflows/${file}`);
      if (!declared) problems.push(`${where}: .github/workflows/${file} does not exist`);
      else problems.push(...checkInputs(where, job.with ?? {}, declared, `.github/workflows/${file}`));
      if (String(job.with?.store ?? '').startsWith('s3://')) {
        if (!job.with?.['aws-role-arn']) problems.push(`${where}: an s3:// store but no aws-role-arn for the workflow's AWS login`);
        if (!idToken) problems.push(`${where}: an s3:// store but no id-token: write permission for the OIDC login`);
      }
    }
    return problems;
  }

  const steps = job.steps ?? [];
  steps.forEach((step, index) => {
    const action = step.uses ? LIFEBOAT_ACTION.exec(step.uses) : null;
    if (!action) return;
    const [, name, ref] = action;
    const at = `${where} step ${index + 1} (${name})`;
    if (ref !== major) problems.push(`${at}: @${ref}; the release makes ${major}`);
    const declared = inputsOf(root, `actions/${name}/action.yml`);
    if (!declared) {
      problems.push(`${at}: actions/${name}/action.yml does not exist`);
      return;
    }
    const given = step.with ?? {};
    problems.push(...checkInputs(at, given, declared, `actions/${name}`));

    const before = steps.slice(0, index);
    const checkedOut = before.some((s) => s.uses?.startsWith('actions/checkout@'));
    for (const [key, value] of Object.entries(given)) {
      if (typeof value === 'string' && REPOSITORY_PATH.test(value) && !value.includes('://') && !checkedOut) {
        problems.push(`${at}: ${key}: ${value} is read from the repository, but no actions/checkout step comes before it`);
      }
    }
    if (typeof given.store === 'string' && given.store.startsWith('s3://')) {
      const login = before.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      const keys = [job, ...before].some((s) => 'env' in s && s.env && 'AWS_ACCESS_KEY_ID' in s.env) || (step.env && 'AWS_ACCESS_KEY_ID' in step.env);
      if (!login && !keys) problems.push(`${at}: store ${given.store} but no credentials step (aws-actions/configure-aws-credentials) before it`);
      if (login?.with?.['role-to-assume'] && !idToken) problems.push(`${at}: the OIDC login needs permissions id-token: write`);
    }
  });
  return problems;
}

/** Every problem of one snippet; `root` is the repository, `major` the tag the release makes (`v1`). */
export function snippetProblems(root: string, snippet: Snippet, major: string): string[] {
  let doc: unknown;
  try {
    doc = parse(snippet.text);
  } catch (error) {
    return [`${snippet.where}: not valid YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  const kind = snippetKind(doc);
  if (kind === 'steps') return jobProblems(root, snippet.where, { steps: doc as Step[] }, undefined, major);
  if (kind !== 'workflow') return [];
  const workflow = doc as { permissions?: Job['permissions']; jobs: Record<string, Job> };
  const problems: string[] = [];
  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    const where = `${snippet.where} job ${id}`;
    if (!job || typeof job !== 'object') {
      problems.push(`${where}: not a job`);
      continue;
    }
    if (!job.uses && !job['runs-on']) problems.push(`${where}: no runs-on`);
    if (!job.uses && !Array.isArray(job.steps)) problems.push(`${where}: no steps`);
    for (const [index, step] of (job.steps ?? []).entries()) {
      if (!step || (!step.uses && !step.run)) problems.push(`${where} step ${index + 1}: neither uses nor run`);
    }
    problems.push(...jobProblems(root, where, job, workflow.permissions, major));
  }
  return problems;
}
