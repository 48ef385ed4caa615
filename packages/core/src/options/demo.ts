import { defineOperation, opt } from './define.js';
import type { ResolvedOptions } from './define.js';

/** `lifeboat demo` (`npm start`): the main job end to end on an embedded default. */
export const demoOperation = defineOperation({
  command: 'demo',
  summary: 'Run the main job on a throwaway local PostgreSQL with sample data: back up with a generated key to a folder, drill it into a second throwaway server, print the evidence.',
  options: {
    'demo-dir': opt.string({
      description: 'Keep the demo\'s store, key pair and evidence in this folder instead of a temporary one that is removed afterwards.',
    }),
    'sample-rows': opt.integer({
      default: '20000',
      min: 1,
      max: 10_000_000,
      description: 'Rows of sample orders to load.',
    }),
  },
  outputs: {
    verdict: 'The drill\'s verdict, `pass` or `fail`.',
    'backup-id': 'Id of the demo backup.',
    'evidence-path': 'Path of the drill\'s JSON evidence (only useful with `demo-dir`).',
  },
});

/** Parsed options of `demo`. */
export type DemoOptions = ResolvedOptions<typeof demoOperation.options>;
