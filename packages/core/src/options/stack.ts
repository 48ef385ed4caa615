import { opt } from './define.js';

/** A stack file instead of one source: backup and drill then work on every asset it names. */
export const stackOptions = {
  stack: opt.string({
    description:
      'Path of a stack file (`lifeboat.yml`): back up, drill or restore every asset it names together, in its restore order (a drill with its cross-asset checks; see docs/stacks.md). Each asset\'s engine settings come from the file, not from these options; its `store` is used when `store` is empty.',
  }),
};
