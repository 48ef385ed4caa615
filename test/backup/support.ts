import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  backupOperation,
  createContext,
  MemoryReporter,
  objectSource,
  resolveOptions,
  type Manifest,
  type RunContext,
} from '@lifeboat/core';
import { tempFolder } from '../support/temp-folders.js';

const run = promisify(execFile);

/** A CLI-surface context with a memory reporter and the given env over this process's. */
export function testContext(env: Record<string, string | undefined> = {}): RunContext & { reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { ...createContext(reporter, 'cli', { ...process.env, ...env }), reporter };
}

/** Backup options as an operator would give them (kebab-case names, text values). */
export function backupOptions(values: Record<string, string | undefined>) {
  return resolveOptions(backupOperation, objectSource(values));
}

/** A fresh empty folder for a local store. */
export function freshFolder(prefix = 'lifeboat-store-'): string {
  return tempFolder(prefix);
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, base));
    else out.push(path.slice(base.length + 1));
  }
  return out.sort();
}

/** Reads the manifest of the only backup of `name` in a local store. */
export function onlyManifest(folder: string, name: string): { manifest: Manifest; dir: string } {
  const ids = readdirSync(join(folder, name)).filter((e) => e !== 'drills');
  if (ids.length !== 1) throw new Error(`expected one backup of ${name}, found ${ids.join(', ')}`);
  const dir = join(folder, name, ids[0]!);
  return { manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest, dir };
}

/** Runs pg_restore from the machine's client into `url`, like an operator would by hand. */
export async function pgRestore(file: string, url: string, binDir: string): Promise<void> {
  await run(join(binDir, 'pg_restore'), ['--no-owner', '--exit-on-error', '-d', url, file]);
}
