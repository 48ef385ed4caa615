import type { RunContext } from '../context.js';
import { backupEngine, ENGINES } from '../engines/registry.js';
import { backupOperation, type BackupOptions } from '../options/backup.js';
import { OptionError } from '../report/errors.js';
import { memberOptions } from './member-options.js';
import type { StackAsset, StackFile } from './stack-file.js';

/**
 * One member's backup options: its settings expanded and matched to its engine, before
 * anything is read. Throws naming the asset and the fix when they do not match.
 */
export function planMember(options: BackupOptions, stack: StackFile, asset: StackAsset, context: RunContext): BackupOptions {
  const opts = memberOptions(options, backupOperation, stack, asset, context.env, (value) => context.reporter.secret(value));
  const engine = backupEngine(opts);
  if (engine.id !== asset.engine) {
    const option = ENGINES.find((e) => e.id === asset.engine)?.backup?.option;
    throw new OptionError(
      `${stack.where}: asset \`${asset.name}\` is a ${asset.engine} asset, but its settings select ${engine.title}.`,
      option ? `Set \`${option}\` in its settings (and no other engine's source).` : `Engine ${asset.engine} takes no backups.`,
    );
  }
  return opts;
}
