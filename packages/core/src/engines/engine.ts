import type { z } from 'zod';
import type { CheckResult } from '../catalog/drill-record.js';
import type { RunContext } from '../context.js';
import type { BackupOptions } from '../options/backup.js';
import type { Checks } from '../preflight/checks.js';
import type { ZstdSettings } from '../process/zstd.js';
import type { DrillOptions } from '../options/drill.js';
import type { RestoreOptions } from '../options/restore.js';
import type { RestoredTarget } from './restored-target.js';
import type { BackupSource } from './source.js';

/** One backup the backup operation is to take: its name and how to prepare its source. */
export interface PlannedBackup {
  readonly name: string;
  /** Prepares the source (connects, checks versions); a failure fails only this backup. */
  create(): Promise<BackupSource>;
}

/** What the drill hands an engine once the backup is decrypted on disk. */
export interface DecryptedBackup<Section> {
  /** The manifest's `source` section, parsed by the engine's schema. */
  readonly section: Section;
  /** Backup name (the folder under the store). */
  readonly name: string;
  /** Plaintext payload file, decompressed when the engine's `payloadZstd` said so. */
  readonly payloadPath: string;
  /** Decrypted stats, when the backup has them. */
  readonly stats?: Record<string, unknown>;
}

/** A restore target checked before anything is downloaded (it exists, it is empty). */
export interface PreparedRestore<Section> {
  /** For the summary: `app on db.internal:5432`, `redis://db.internal:6379`. */
  readonly description: string;
  /** The `restore` phase: writes the decrypted backup into the target; checks the restore itself produced. */
  restore(backup: DecryptedBackup<Section>): Promise<{ readonly checks: readonly CheckResult[]; readonly notes: readonly string[] }>;
  /** The `checks` phase: what the backup recorded is what the target now holds. */
  checks(backup: DecryptedBackup<Section>): Promise<CheckResult[]>;
}

/**
 * Everything kind-specific about one kind of thing Lifeboat backs up. The pipeline, stores,
 * crypto, catalog, retention, gate and the drill's evidence only ever talk to this.
 */
export interface Engine<Section extends { readonly kind: string } = { readonly kind: string }, Target extends RestoredTarget = RestoredTarget, Check = unknown> {
  /** `postgres`, `redis`, ...: the registry key. */
  readonly id: string;
  /** For messages: `PostgreSQL`, `Redis`. */
  readonly title: string;
  /** The manifest `source.kind` values this engine reads (`canister`, `canister-snapshot`). */
  readonly kinds: readonly string[];
  /** The typed manifest section; parsed once when a drill or restore reads the manifest. */
  readonly section: z.ZodType<Section>;
  /**
   * When the payload's plaintext is a zstd frame around what the engine restores (pg_dump's
   * stream, a Redis snapshot): the errors to name. It is decompressed while it is decrypted,
   * and `DecryptedBackup.payloadPath` is the decompressed file. Throws, before anything is
   * downloaded, for a compression this Lifeboat cannot undo.
   */
  payloadZstd?(section: Section): ZstdSettings | undefined;

  /** `lifeboat backup`: whether the options ask for this engine, and the backups to take. */
  readonly backup?: {
    /** The option that selects this engine, for messages (`redis-url`). */
    readonly option: string;
    selected(options: BackupOptions): boolean;
    /** Checks the connection and versions, then lists the backups (one per database, ...). */
    plan(options: BackupOptions, context: RunContext): Promise<PlannedBackup[]>;
    /**
     * The source's preflight rows, reading no data (each through `checks.run`, named
     * `source`, then tool and permission checks). Absent: preflight reports the source unchecked.
     */
    preflight?(options: BackupOptions, context: RunContext, checks: Checks): Promise<void>;
  };

  /** `lifeboat drill`. */
  readonly drill: {
    /**
     * The `restore` phase: a throwaway target of the backup's version (or the operator's
     * target), with the backup restored into it. Absent for kinds with nothing to restore
     * into; their automatic checks then inspect the payload itself. Cleans up after itself
     * when it throws.
     */
    restore?(backup: DecryptedBackup<Section>, options: DrillOptions, drillId: string, context: RunContext): Promise<Target>;
    /** Checks every drill runs: what the backup recorded is what came back. */
    automaticChecks(backup: DecryptedBackup<Section>, target: Target | undefined, context: RunContext): Promise<CheckResult[]>;
    /** The operator-check language: entries of the `checks` file, and how they run on the target. */
    readonly checks?: {
      /** What an entry looks like, for messages: `{name, sql, expect}`. */
      readonly form: string;
      /** Validates the entries before anything is downloaded; throws naming the entry. */
      parse(entries: readonly unknown[], where: string): Check[];
      run(target: Target, checks: readonly Check[], context: RunContext): Promise<CheckResult[]>;
    };
  };

  /**
   * Stack drills: what cross-asset checks ask of this engine's restored member. Absent: the
   * member can be restored in a stack but no cross-asset check reads it.
   */
  readonly stack?: {
    /** Reading keys from the member (`keys-from`): the entry's field holding the query and how it runs. */
    readonly keyQuery?: {
      /** `sql`, `command`. */
      readonly field: string;
      /** Runs the query read-only; the first column of each row, as text. */
      run(target: Target, query: string, context: RunContext): Promise<string[]>;
    };
    /** `exist-in`: which of the keys the restored member lacks (Redis keys, bucket objects, files). */
    missing?(target: Target, keys: readonly string[], context: RunContext): Promise<string[]>;
  };

  /** `lifeboat restore`, a real recovery into the operator's (empty) target. */
  readonly restore?: {
    /** The option naming the target (`target-database-url`). */
    readonly option: string;
    selected(options: RestoreOptions): boolean;
    /** Checks the target before anything is downloaded. */
    prepare(options: RestoreOptions, context: RunContext): Promise<PreparedRestore<Section>>;
  };

  /** The by-hand restore of one backup with only standard tools, as Markdown (OpenPGP unless `scheme` says age). */
  breakGlass?(section: Section, scheme?: 'openpgp' | 'age'): string;
}
