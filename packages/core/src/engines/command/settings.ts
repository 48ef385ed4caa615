import type { RunContext } from '../../context.js';
import { childEnv } from '../../process/child-env.js';
import { OptionError } from '../../report/errors.js';
import { registerSecret } from '../../report/secrets.js';
import { parseCommandLine, type CommandLine } from './command-line.js';
import { PRESETS, type Preset, type PresetName } from './presets.js';
import { urlEnv } from './url-env.js';

/** The backup's commands, filled in from the options and the preset. */
export interface CommandBackupSettings {
  readonly preset?: Preset;
  readonly backup: CommandLine;
  readonly count?: CommandLine;
  readonly payloadFile: string;
  readonly oplog: boolean;
  /** The commands' environment: the allow-list, the named variables, `SOURCE_*`. */
  readonly env: Record<string, string>;
}

/**
 * The variables `command-env` names, taken from this process's environment and registered as
 * secrets; a name that is not set is refused (the command would otherwise run without it).
 */
export function namedVariables(names: readonly string[] | undefined, env: RunContext['env']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new OptionError(`\`command-env\` names '${name}', which is not a variable name.`, 'List variable names only (letters, digits, `_`), comma-separated; their values stay in the environment.');
    const value = env[name];
    if (value === undefined) throw new OptionError(`\`command-env\` names ${name}, which is not set.`, `Set ${name} in the environment of the step (e.g. from a secret), or remove it from \`command-env\`.`);
    registerSecret(value);
    out[name] = value;
  }
  return out;
}

function presetOf(name: PresetName | undefined): Preset | undefined {
  return name ? PRESETS[name] : undefined;
}

/** Fills in the backup's commands; refuses options that give no command or a preset without its URL. */
export function commandBackupSettings(
  options: { command?: string; preset?: PresetName; sourceUrl?: string; commandEnv?: string[]; countCommand?: string; mongodbOplog?: boolean },
  env: RunContext['env'],
): CommandBackupSettings {
  const preset = presetOf(options.preset);
  if (!preset && !options.command) {
    throw new OptionError('`source-url`, `count-command` or `command-env` is set, but neither `command` nor `preset`: nothing says what to run.', 'Set `command` to the dump command (or `preset` to a common tool\'s), or remove the command engine\'s options.');
  }
  if (preset && !options.command && !options.sourceUrl) {
    throw new OptionError(`\`preset: ${preset.name}\` needs \`source-url\`.`, preset.name === 'sqlite' ? 'Set `source-url` to the database file (`/srv/app.db`).' : `Set \`source-url\` to the ${preset.name} server and database (from a secret).`);
  }
  const oplog = options.mongodbOplog === true;
  if (oplog && preset?.name !== 'mongodb') throw new OptionError('`mongodb-oplog` applies to `preset: mongodb` only.', 'Remove `mongodb-oplog`, or set `preset: mongodb`.');
  const backup = options.command ? parseCommandLine(options.command, 'command') : preset!.backup({ oplog });
  const count = options.countCommand ? parseCommandLine(options.countCommand, 'count-command') : preset?.count('SOURCE');
  const extra = { ...namedVariables(options.commandEnv, env), ...(options.sourceUrl ? urlEnv('SOURCE', options.sourceUrl, 'source-url') : {}) };
  return { preset, backup, count, payloadFile: preset?.payloadFile ?? 'output.bin', oplog, env: childEnv(env, extra) };
}

/** The drill's or restore's commands, filled in from the options and the backup's preset. */
export interface CommandRestoreSettings {
  readonly restore: CommandLine;
  readonly count?: CommandLine;
  readonly env: Record<string, string>;
  /** Set when the target is a file the drill made itself (`preset: sqlite` without `target-url`). */
  readonly ownTarget?: string;
}

/** Fills in the restore's commands from the options, or else the backup's preset. */
export function commandRestoreSettings(
  options: { restoreCommand?: string; preset?: PresetName; targetUrl?: string; commandEnv?: string[]; countCommand?: string },
  section: { readonly preset?: string; readonly oplog?: boolean },
  env: RunContext['env'],
  scratchFile?: string,
): CommandRestoreSettings {
  const preset = presetOf(options.preset) ?? (section.preset && section.preset in PRESETS ? PRESETS[section.preset as PresetName] : undefined);
  if (!options.restoreCommand && !preset) {
    throw new OptionError('This command backup has no preset, and `restore-command` is not set.', 'Set `restore-command` to the command that restores the payload (given on stdin, or as the path `{payload}`), and `target-url` to where.');
  }
  let targetUrl = options.targetUrl;
  let ownTarget: string | undefined;
  if (!targetUrl && preset?.name === 'sqlite' && !options.restoreCommand && scratchFile) {
    targetUrl = ownTarget = scratchFile;
  }
  if (!targetUrl && preset) {
    throw new OptionError(`A ${preset.name} backup restores into \`target-url\`, which is not set.`, `Set \`target-url\` to an empty ${preset.name} server and database (in a workflow, a \`services:\` container).`);
  }
  const restore = options.restoreCommand ? parseCommandLine(options.restoreCommand, 'restore-command') : preset!.restore({ oplog: section.oplog === true });
  const count = options.countCommand ? parseCommandLine(options.countCommand, 'count-command') : preset?.count('TARGET');
  const extra = { ...namedVariables(options.commandEnv, env), ...(targetUrl ? urlEnv('TARGET', targetUrl, 'target-url') : {}) };
  return { restore, count, env: childEnv(env, extra), ownTarget };
}
