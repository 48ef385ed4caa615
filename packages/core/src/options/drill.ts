import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { decryptionOptions, storeOptions } from './common.js';
import { engineDrillOptions } from '../engines/options.js';
import { notifyOptions } from './notify.js';
import { stackOptions } from './stack.js';
import { recordSigningOptions } from './record-signing.js';
import { signatureVerificationOptions } from './signing.js';
import { artifactOptions } from './storage.js';
import { reportTargetOptions } from './report.js';

/** Which backup to fetch; shared by drill and restore. */
export const backupSelectionOptions = {
  'backup-id': opt.string({
    description: 'A specific backup. Default: the newest complete backup.',
  }),
  before: opt.string({
    description: 'Take the newest complete backup started before this time (ISO 8601, e.g. `2026-11-20T00:00:00Z`), for point-in-time recovery.',
  }),
};

/** `lifeboat drill` and `actions/restore-drill`. */
export const drillOperation = defineOperation({
  command: 'drill',
  summary: 'Restore the newest complete backup into an ephemeral database, run checks and publish evidence.',
  options: {
    ...stackOptions,
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to drill. Empty: the only name in the store (an error when it holds several).',
    }),
    ...backupSelectionOptions,
    ...decryptionOptions,
    ...signatureVerificationOptions,
    checks: opt.text({
      description:
        'Operator checks: a YAML file path or inline YAML, a list of `{name, sql, expect}` for a PostgreSQL backup or `{name, command, expect}` (optionally `db`) for a Redis backup, `{name, command, expect}` (optionally `field`, and expect `recorded`) for a command backup (docs/command.md), where expect is `no rows`, `some rows`, `>= 1`, `= 42`, ... Run read-only on the restored copy after the automatic checks; each PostgreSQL `sql` is one statement, run by a role that can only read.',
    }),
    'max-rpo': opt.duration({
      description: 'Fail when the backup is older than this at drill time (RPO), e.g. `26h`.',
    }),
    'max-rto': opt.duration({
      description: 'Fail when the whole drill takes longer than this (RTO), e.g. `1h`.',
    }),
    ...engineDrillOptions,
    'evidence-dir': opt.string({
      description: 'Folder for the evidence files (JSON and Markdown). Default: `lifeboat-evidence` under the runner\'s temp folder in Actions, `$XDG_STATE_HOME/lifeboat/evidence` (`~/.local/state/lifeboat/evidence`) otherwise.',
    }),
    'record-drill': opt.boolean({
      default: 'true',
      description: 'Store the evidence record under the backup name\'s `drills/` prefix, where the gate and later drills read it.',
    }),
    ...recordSigningOptions,
    report: opt.boolean({
      default: 'false',
      description:
        'After the drill, write the history report of the drilled name (docs/reports.md) with this drill in it: the Markdown to the job summary, the HTML (`report-<name>.html`) into the evidence folder and artifact. Its targets are `max-rpo`, `max-rto` and `drill-every`; with `signing-key`, only drill records that key signed count. Not for stacks (run `lifeboat report --stack`). A report that cannot be written is a warning; the verdict stands.',
    }),
    'report-since': opt.instant({
      default: '365d',
      description: 'With `report`: the start of the history reported, a date, a time, or a duration back from now.',
    }),
    ...reportTargetOptions,
    'keep-database': opt.boolean({
      default: 'false',
      description: 'Keep the scratch database (or the restored keys on `target-redis-url`) after the drill, for inspection, instead of dropping it. A throwaway server is stopped either way.',
    }),
    ...artifactOptions,
    ...notifyOptions,
  },
  outputs: {
    'backup-id': 'Id of the backup drilled.',
    'drill-id': 'Id of the drill (its evidence record is `drills/<drill-id>.json`).',
    verdict: '`pass`, `fail` (the backup does not restore, or a check failed) or `inconclusive` (the setup stopped the drill: a wrong key, an unreachable store or target).',
    'rpo-seconds': 'Backup age at drill time, in seconds (fractional, to the millisecond).',
    'rto-seconds': 'Total drill time, in seconds (fractional: a 439 ms drill reports 0.439).',
    'evidence-path': 'Path of the JSON evidence record on the runner.',
    'evidence-markdown-path': 'Path of the Markdown evidence report on the runner.',
    'checks-failed': 'Number of failed checks.',
  },
  action: {
    folder: 'restore-drill',
    name: 'Lifeboat restore drill',
    description: 'Prove the newest backup restores: verify, decrypt, restore into an ephemeral PostgreSQL or Redis (or through a restore command), check, and publish evidence.',
    icon: 'life-buoy',
    color: 'green',
  },
});

/** Parsed options of `drill`. */
export type DrillOptions = ResolvedOptions<typeof drillOperation.options>;
