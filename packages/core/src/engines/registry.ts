import { ManifestError } from '../catalog/manifest.js';
import type { BackupOptions } from '../options/backup.js';
import type { RestoreOptions } from '../options/restore.js';
import { OptionError } from '../report/errors.js';
import { bucketEngine } from './bucket/engine.js';
import { canisterEngine } from './canister/engine.js';
import { commandEngine } from './command/engine.js';
import type { Engine } from './engine.js';
import { filesEngine } from './files/engine.js';
import { postgresEngine } from './postgres/engine.js';
import { redisEngine } from './redis/engine.js';

// The registry is the only place that names every engine: one line each. Engines'
// option groups are merged in engines/options.ts.
// Each engine has its own section, target and check types.
type AnyEngine = Engine<any, any, any>;

/** Every engine, in the order messages list them. */
export const ENGINES: readonly AnyEngine[] = [postgresEngine, redisEngine, commandEngine, filesEngine, bucketEngine, canisterEngine];

/** The engine `lifeboat backup` uses when no engine's source option is set (it reads the `PG*` variables). */
const DEFAULT_BACKUP_ENGINE: AnyEngine = postgresEngine;

/** A manifest section with the engine that reads it. */
export interface EngineSection {
  readonly engine: AnyEngine;
  readonly section: { readonly kind: string };
}

/**
 * The engine of a backup and its manifest section, parsed by the engine's schema; undefined
 * for a kind no engine reads (a newer Lifeboat's). Throws ManifestError naming the field when
 * the section does not fit its kind.
 */
export function engineSection(source: { readonly kind: string }, where: string): EngineSection | undefined {
  const engine = ENGINES.find((e) => e.kinds.includes(source.kind));
  if (!engine) return undefined;
  const parsed = engine.section.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(
      `${where}: the ${engine.title} section is malformed: source.${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
      'The backup is damaged; use another backup id.',
    );
  }
  return { engine, section: parsed.data as { readonly kind: string } };
}

/** The engine whose source option the backup options set; the default one when none is set. */
export function backupEngine(options: BackupOptions): AnyEngine {
  const selected = ENGINES.filter((e) => e.backup?.selected(options));
  if (selected.length > 1) {
    const names = selected.map((e) => `\`${e.backup!.option}\``).join(' and ');
    throw new OptionError(`${names} are both set; one backup run backs up one kind of source.`, 'Run one backup per source (e.g. two steps), each with its own option set.');
  }
  return selected[0] ?? DEFAULT_BACKUP_ENGINE;
}

/** The engine whose restore target option is set; exactly one must be. */
export function restoreEngine(options: RestoreOptions): AnyEngine {
  const restorable = ENGINES.filter((e) => e.restore);
  const selected = restorable.filter((e) => e.restore!.selected(options));
  const choices = restorable.map((e) => `\`${e.restore!.option}\` (${e.title})`).join(' or ');
  if (selected.length === 0) throw new OptionError('No restore target is set.', `Set ${choices} to the empty database or server to restore into.`);
  if (selected.length > 1) throw new OptionError(`Several restore targets are set (${selected.map((e) => `\`${e.restore!.option}\``).join(', ')}).`, `Set only the one for the backup's kind: ${choices}.`);
  return selected[0]!;
}

/** The restore target option for a kind, for messages: `target-redis-url`; undefined when none restores it. */
export function restoreOptionFor(kind: string): string | undefined {
  return ENGINES.find((e) => e.kinds.includes(kind))?.restore?.option;
}
