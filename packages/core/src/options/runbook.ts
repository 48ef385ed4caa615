import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';
import { storeOptions } from './common.js';

const { name: _name, ...storeSettings } = storeOptions;

/** `lifeboat runbook`. */
export const runbookOperation = defineOperation({
  command: 'runbook',
  summary: 'Write the Markdown recovery runbook of a stack: the restore order, the by-hand restore of each member\'s newest stack backup, and the checks.',
  options: {
    stack: opt.string({
      required: true,
      description: 'Path of the stack file (`lifeboat.yml`) whose runbook to write.',
    }),
    ...storeSettings,
    'signing-public-key': opt.text({
      description: 'OpenPGP public keys (inline or paths) that sign the stack records: when given, the runbook is written only from a stack record whose signature verifies.',
    }),
    output: opt.string({
      description: 'File to write the runbook to. Empty: it is printed.',
    }),
  },
  outputs: {
    'backup-id': 'Id of the stack record the runbook was written from.',
    path: 'The file written, when `output` is set.',
  },
});

/** Parsed options of `runbook`. */
export type RunbookOptions = ResolvedOptions<typeof runbookOperation.options>;
