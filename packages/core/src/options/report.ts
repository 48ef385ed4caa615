import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { storeOptions } from './common.js';
import { recordVerificationOptions } from './record-signing.js';

/** The recovery targets a report checks; `drill` takes `max-rpo` and `max-rto` from its own options. */
export const reportTargetOptions = {
  'drill-every': opt.duration({
    description: 'Report target: at most this long between passing drills (drill cadence), e.g. `31d` for monthly or `92d` for quarterly drills. Empty: the cadence is not checked.',
  }),
};

/** `lifeboat report`. */
export const reportOperation = defineOperation({
  command: 'report',
  summary: 'Write the history of backups and drills as an HTML, Markdown or JSON report: charts, the declared targets met or missed per month and quarter, and what is overdue.',
  options: {
    ...storeOptions,
    name: opt.backupName({
      description: 'Backup name to report on. Empty: every name in the store.',
    }),
    stack: opt.string({
      surfaces: ['cli'],
      description: 'Path of a stack file (`lifeboat.yml`): report on every asset it names, instead of `name`.',
    }),
    since: opt.instant({
      default: '365d',
      description: 'Start of the history reported: a date, a time, or a duration back from now.',
    }),
    format: opt.enum(['html', 'md', 'json'] as const, {
      default: 'html',
      description: '`html`: one self-contained page with inline SVG charts, readable printed; `md`: Markdown tables with sparklines, fit for a job summary; `json`: the report model.',
    }),
    out: opt.string({
      description: 'File to write the report to. Empty: it is printed.',
    }),
    'max-rpo': opt.duration({
      description: 'Report target: backup age at drill time (RPO), and the newest backup\'s age now, at most this, e.g. `26h`. Empty: not checked.',
    }),
    'max-rto': opt.duration({
      description: 'Report target: a whole drill (RTO) takes at most this, e.g. `1h`. Empty: not checked.',
    }),
    ...reportTargetOptions,
    ...recordVerificationOptions,
  },
  outputs: {
    names: 'Backup names reported, comma-separated.',
    backups: 'Number of complete backups in the period.',
    drills: 'Number of drills in the period whose records were trusted.',
    'rejected-drills': 'Number of drill records left out: unsigned or wrongly signed (with `signing-public-key`), or unreadable.',
    'controls-missed': 'Number of control lines (per month and per quarter) missed.',
    overdue: 'Number of overdue items: a name without a passing drill within `drill-every`, or whose newest backup is older than `max-rpo`.',
    path: 'The file written, when `out` is set.',
  },
});

/** Parsed options of `report`. */
export type ReportOptions = ResolvedOptions<typeof reportOperation.options>;
