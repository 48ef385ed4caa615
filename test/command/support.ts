/** Helpers shared by the command engine tests: operations on a folder store, keys, evidence. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  backup,
  backupOperation,
  createContext,
  drill,
  drillOperation,
  drillRecordSchema,
  generateKeyPair,
  MemoryReporter,
  objectSource,
  resolveOptions,
  restore,
  restoreOperation,
  type DrillRecord,
  type Manifest,
  type RunContext,
} from '@lifeboat/core';
import { tempFolder } from '../support/temp-folders.js';

export type Keys = { encryption: Awaited<ReturnType<typeof generateKeyPair>>; signing: Awaited<ReturnType<typeof generateKeyPair>> };

/** An encryption and a signing key pair. */
export async function makeKeys(): Promise<Keys> {
  const [encryption, signing] = await Promise.all([generateKeyPair({ name: 'Command engine test' }), generateKeyPair({ name: 'Command engine test signing', purpose: 'sign' })]);
  return { encryption, signing };
}

/** A CLI-surface context with a memory reporter and extra environment. */
export function testContext(env: Record<string, string | undefined> = {}): RunContext & { reporter: MemoryReporter } {
  const reporter = new MemoryReporter();
  return { ...createContext(reporter, 'cli', { ...process.env, ...env }), reporter };
}

/** Everything the reporter got, for redaction checks. */
export function reported(context: { reporter: MemoryReporter }): string {
  return JSON.stringify(context.reporter);
}

export function folder(prefix = 'lifeboat-command-'): string {
  return tempFolder(prefix);
}

/** `lifeboat backup` with these options (and keys) to a folder store. */
export function backupWith(values: Record<string, string | undefined>, keys: Keys, context = testContext()) {
  return backup(resolveOptions(backupOperation, objectSource({ recipients: keys.encryption.publicKey, 'signing-key': keys.signing.privateKey, ...values })), context);
}

/** `lifeboat drill` with these options; evidence in a fresh folder, not recorded in the store. */
export async function drillWith(values: Record<string, string | undefined>, keys: Keys, context = testContext()) {
  const outcome = await drill(
    resolveOptions(drillOperation, objectSource({ identity: keys.encryption.privateKey, 'signing-public-key': keys.signing.publicKey, 'record-drill': 'false', 'evidence-dir': folder('lifeboat-evidence-'), ...values })),
    context,
  );
  return { outcome, record: drillRecordSchema.parse(outcome.data) as DrillRecord };
}

/** `lifeboat restore` with these options. */
export function restoreWith(values: Record<string, string | undefined>, keys: Keys, context = testContext()) {
  return restore(resolveOptions(restoreOperation, objectSource({ identity: keys.encryption.privateKey, 'signing-public-key': keys.signing.publicKey, ...values })), context);
}

/** Backup folders of `name` with a manifest, and those holding anything without one. */
export function backupsIn(store: string, name: string): { complete: string[]; partial: string[] } {
  let ids: string[] = [];
  try {
    ids = readdirSync(join(store, name)).filter((e) => e !== 'drills');
  } catch {
    return { complete: [], partial: [] };
  }
  const complete = ids.filter((id) => readdirSync(join(store, name, id)).includes('manifest.json'));
  return { complete, partial: ids.filter((id) => !complete.includes(id) && readdirSync(join(store, name, id)).length > 0) };
}

/** The only complete backup's manifest and folder. */
export function onlyBackup(store: string, name: string): { manifest: Manifest; dir: string; manifestText: string } {
  const { complete } = backupsIn(store, name);
  if (complete.length !== 1) throw new Error(`expected one backup of ${name}, found ${complete.length}`);
  const dir = join(store, name, complete[0]!);
  const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
  return { manifest: JSON.parse(manifestText) as Manifest, dir, manifestText };
}
