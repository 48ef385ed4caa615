import type { RunContext } from '../context.js';
import { backupOperation } from '../options/backup.js';
import { envName, resolveOptions } from '../options/define.js';
import type { GateOptions } from '../options/gate.js';
import type { OperationOutcome } from '../report/outcome.js';
import { backup } from '../pipeline/backup.js';
import { gate } from './gate.js';
import { backupStack } from '../stacks/backup-stack.js';

/** Store settings the gate passes on to a fresh backup, so both look at the same place. */
const SHARED = ['store', 'name', 'stack', 's3-endpoint', 's3-region', 's3-force-path-style'] as const;

/**
 * The gate as the adapters run it: with `backup-if-stale`, a stale or missing backup is
 * replaced by a fresh one first. The backup reads its own settings from `LIFEBOAT_*` env vars
 * (so the gate's inputs stay few) and the store settings from the gate.
 */
export function gateWithFreshBackup(options: GateOptions, context: RunContext): Promise<OperationOutcome> {
  return gate(options, context, {
    runBackup: (name) => {
      const shared: Record<string, string | undefined> = {
        store: options.store,
        // The name the gate read: with `name` empty, the only one in the store, not the database's.
        name: options.stack ? undefined : (options.name ?? name),
        // A stack's fresh backup is a stack backup: every member, then the stack record.
        stack: options.stack,
        's3-endpoint': options.s3Endpoint,
        's3-region': options.s3Region,
        's3-force-path-style': String(options.s3ForcePathStyle),
      };
      const backupOptions = resolveOptions(
        backupOperation,
        {
          surface: 'cli',
          get: (name) => ((SHARED as readonly string[]).includes(name) ? shared[name] : context.env[envName(name)]),
          label: (name) => `env ${envName(name)} (a setting of the fresh backup)`,
        },
        (value) => context.reporter.secret(value),
      );
      return options.stack ? backupStack(backupOptions, context) : backup(backupOptions, context);
    },
  });
}
