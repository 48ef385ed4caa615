import { opt, type ResolvedOptions } from '../../options/define.js';
import { PRESET_NAMES } from './presets.js';

const presetOption = opt.enum(PRESET_NAMES, {
  description:
    'Fills in the command engine\'s commands for a common tool (see docs/command.md for what each runs and the versions it expects): `mongodb` (mongodump archive), `mysql` / `mariadb` (mysqldump / mariadb-dump `--single-transaction`), `sqlite` (sqlite3 `.dump`), `keycloak` (kc.sh export of every realm with its users, as a tar). An explicit command option replaces the preset\'s.',
});

const commandEnvOption = opt.list({
  description:
    'Names of environment variables passed through to the commands (e.g. `MONGO_URL,PGPASSWORD`), besides the allow-listed ones (PATH, HOME, locale, proxies). Their values are treated as secrets: hidden in every log, message and record.',
});

/** How the command engine backs up; the backup operation spreads these in. */
export const commandBackupOptions = {
  command: opt.text({
    description:
      'Back up whatever this command writes to stdout (streamed, encrypted, never on disk in clear): one line run by `/bin/sh -c`, or a YAML/JSON list (`["mongodump", "--archive"]`) run without a shell. It fails the backup, and no manifest is written, when it exits non-zero, is killed or writes nothing.',
  }),
  preset: presetOption,
  'source-url': opt.string({
    secret: true,
    description:
      'With `preset` or `command`: what the commands back up, given to them as `SOURCE_URL` and its parts `SOURCE_HOST`, `SOURCE_PORT`, `SOURCE_USER`, `SOURCE_PASSWORD`, `SOURCE_DATABASE` (or `SOURCE_PATH` for a file path or `file:` URL).',
  }),
  'command-env': commandEnvOption,
  'count-command': opt.text({
    description:
      'A command run after `command` that prints a JSON object of counts (e.g. rows per table, documents per collection); stored encrypted in the backup\'s stats for the drill to compare. Same forms as `command`.',
  }),
  'mongodb-oplog': opt.boolean({
    default: 'false',
    description: '`preset: mongodb` on a replica set: `mongodump --oplog` for a point-in-time archive (replayed with `--oplogReplay` on restore).',
  }),
};

/** How a command backup is restored in a drill; the drill operation spreads these in. */
export const commandDrillOptions = {
  'target-url': opt.string({
    secret: true,
    description:
      'Command backups: the empty server or database a drill restores into (typically a `services:` container), given to the restore and check commands as `TARGET_URL` and its parts (`TARGET_HOST`, `TARGET_PORT`, `TARGET_USER`, `TARGET_PASSWORD`, `TARGET_DATABASE`, or `TARGET_PATH`). Empty with `preset: sqlite`: a file in the drill\'s private folder.',
  }),
  'restore-command': opt.text({
    description:
      'Command backups: the command that restores the decrypted payload, given on its stdin, or as a file path where the command says `{payload}`. Empty: the preset\'s.',
  }),
  preset: presetOption,
  'command-env': commandEnvOption,
  'count-command': opt.text({
    description:
      'Command backups: prints the restored target\'s counts as JSON (reading `TARGET_*`); each count the backup recorded must match. Empty: the preset\'s.',
  }),
};

/** Where `lifeboat restore` writes a command backup; the restore operation spreads these in. */
export const commandRestoreOptions = {
  ...commandDrillOptions,
  'target-url': opt.string({
    secret: true,
    description:
      'The empty server, database or file to restore a command backup into, for a real recovery; given to the restore and count commands as `TARGET_URL` and its parts (`TARGET_HOST`, `TARGET_PORT`, `TARGET_USER`, `TARGET_PASSWORD`, `TARGET_DATABASE`, or `TARGET_PATH`).',
  }),
};

/** Parsed values of `commandBackupOptions`. */
export type CommandBackupOptions = ResolvedOptions<typeof commandBackupOptions>;
/** Parsed values of `commandDrillOptions`. */
export type CommandDrillOptions = ResolvedOptions<typeof commandDrillOptions>;
