import type { Engine } from '../engine.js';
import { breakGlass } from './break-glass.js';
import { COMMAND_CHECK_FORM, parseCommandChecks, runCommandChecks, type CommandCheck } from './checks.js';
import { commandAutomaticChecks, restoreWithCommand, type CommandRestoredTarget } from './drill.js';
import { commandManifestSchema, type CommandManifestSection } from './manifest.js';
import { commandBackupSettings } from './settings.js';
import { checkCommandSource } from './preflight.js';
import { createCommandSource } from './source.js';
import { describeUrl } from './url-env.js';

/**
 * Any dump tool: a command's stdout is the backup (streamed, encrypted, its exit checked), a
 * restore command reads it back into the operator's target, and count and check commands
 * compare. Presets fill the commands in for MongoDB, MySQL, MariaDB and SQLite.
 */
export const commandEngine: Engine<CommandManifestSection, CommandRestoredTarget, CommandCheck> = {
  id: 'command',
  title: 'command',
  kinds: ['command'],
  section: commandManifestSchema,

  backup: {
    option: 'command` or `preset',
    // Its other options alone select it too, so they are refused rather than ignored by a PostgreSQL backup.
    selected: (options) => [options.command, options.preset, options.sourceUrl, options.countCommand, options.commandEnv].some((v) => v !== undefined),
    async plan(options, context) {
      const settings = commandBackupSettings(options, context.env);
      const name = options.name ?? settings.preset?.name ?? 'command';
      return [{ name, create: () => createCommandSource(settings, name, context) }];
    },
    preflight: (options, context, checks) => checkCommandSource(options, context, checks),
  },

  drill: {
    restore: (backup, options, _drillId, context) => restoreWithCommand(backup, options, context, 'drill'),
    automaticChecks: (backup, target, context) => commandAutomaticChecks(target, backup.stats, context),
    checks: {
      form: '`{name, command, expect}` (optionally `field`)',
      parse: (entries, where) => parseCommandChecks(entries, where),
      run: (target, checks, context) => runCommandChecks(checks, target.settings.env, target.recorded, context.signal),
    },
  },

  restore: {
    option: 'target-url',
    selected: (options) => options.targetUrl !== undefined,
    async prepare(options, context) {
      let target: CommandRestoredTarget | undefined;
      return {
        description: describeUrl(options.targetUrl!),
        async restore(backup) {
          target = await restoreWithCommand(backup, options, context, 'restore');
          return { checks: [...target.checks], notes: [...target.notes] };
        },
        checks: async (backup) => commandAutomaticChecks(target, backup.stats, context),
      };
    },
  },

  breakGlass,
};
