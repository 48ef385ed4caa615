import { engineBackupOptions, engineDrillOptions, engineRestoreOptions } from '../engines/options.js';
import { camelName, type OptionDef, type OptionDefs } from '../options/define.js';
import { OptionError } from '../report/errors.js';
import { expandReferences } from './env-refs.js';
import type { StackAsset, StackFile } from './stack-file.js';

/** Every engine option: what a member's settings may set and what no member inherits from the run. */
const ENGINE_OPTIONS: OptionDefs = { ...engineBackupOptions, ...engineDrillOptions, ...engineRestoreOptions };

/**
 * One member's options for an operation: the run's options (store, keys, signing: shared by
 * the stack) with every engine option reset to its default, then the member's settings whose
 * option the operation has (for a restore, its `restore-settings` over them), references expanded from `env`. Expanded values of secret options,
 * and any value that came from a reference, are handed to `onSecret` before they are parsed.
 */
export function memberOptions<O extends object>(
  base: O,
  operation: { readonly options: OptionDefs },
  stack: StackFile,
  asset: StackAsset,
  env: Readonly<Record<string, string | undefined>>,
  onSecret: (value: string) => void,
  forRestore = false,
): O {
  const result: Record<string, unknown> = { ...base, stack: undefined, name: asset.backupName, checks: undefined };
  for (const [option, def] of Object.entries(ENGINE_OPTIONS)) {
    if (!(option in operation.options)) continue;
    result[camelName(option)] = def.default === undefined ? undefined : def.parse(def.default);
  }
  // A restore writes into real targets: only `restore-settings` name them, never the drill's `settings`.
  const settings = forRestore ? { ...withoutTargets(asset.settings), ...asset.restoreSettings } : asset.settings;
  for (const [option, written] of Object.entries(settings)) {
    const def: OptionDef | undefined = operation.options[option];
    if (!def) continue;
    const where = `${stack.where}: asset \`${asset.name}\` setting \`${option}\``;
    const value = expandReferences(written, env, where);
    if (def.secret || value !== written) onSecret(value);
    const parsed = def.parse(value);
    if (parsed === undefined) throw new OptionError(`${where}${def.secret || value !== written ? '' : ` (got '${value}')`}: expected ${def.form}.`, 'Fix the setting or the environment variable it references.');
    result[camelName(option)] = parsed;
  }
  return result as O;
}

function withoutTargets(settings: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).filter(([option]) => !option.startsWith('target-')));
}
