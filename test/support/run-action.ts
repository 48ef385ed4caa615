import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { repoRoot } from './node24.js';

/** What a bundled action run left behind, as a runner would see it. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Parsed GITHUB_OUTPUT file. */
  outputs: Record<string, string>;
  /** Contents of the GITHUB_STEP_SUMMARY file. */
  summary: string;
}

/**
 * Runs `actions/<folder>/dist/index.js` under Node 24 the way the runner does: inputs as
 * `INPUT_*` env vars, output and summary files, RUNNER_TEMP. Only PATH and HOME leak in
 * from this process, so nothing configured on the machine changes the result. With
 * LIFEBOAT_ACTIONS_FROM_SOURCE=true the action's TypeScript source runs instead of its bundle
 * (to try a change before the bundles are rebuilt); `fromSource` asks for that in one test.
 */
export async function runBundledAction(
  folder: string,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  fromSource = process.env.LIFEBOAT_ACTIONS_FROM_SOURCE === 'true',
): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-action-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  try {
    const entry =
      fromSource
        ? ['--import', join(repoRoot, 'test', 'support', 'register-ts.mjs'), join(repoRoot, 'actions', folder, 'src', 'index.ts')]
        : [join(repoRoot, 'actions', folder, 'dist', 'index.js')];
    const child = spawn(inject('node24'), entry, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, stdout, stderr, outputs: parseOutputFile(readFileSync(outputFile, 'utf8')), summary: readFileSync(summaryFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses the `name<<delimiter ... delimiter` records @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (match) {
      const end = lines.indexOf(match[2]!, i + 1);
      outputs[match[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const [name, ...rest] = lines[i]!.split('=');
      outputs[name!] = rest.join('=');
    }
  }
  return outputs;
}
