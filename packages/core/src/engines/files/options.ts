import { opt, type ResolvedOptions } from '../../options/define.js';

/** How files are backed up; the backup operation spreads these in. */
export const filesBackupOptions = {
  paths: opt.list({
    description:
      'Files and folders to back up as one tar archive, relative to `files-root`, e.g. `etc/app.yaml,data/seed.json,deploy/`. Folders are taken whole; symbolic links are stored as links and never followed. Every file is scanned for secrets first (see `allow-secrets`).',
  }),
  'files-root': opt.string({
    description: 'Folder the `paths` are read from and named relative to in the archive. Empty: the working directory.',
  }),
  'allow-secrets': opt.boolean({
    default: 'false',
    description:
      'Back up files even where the secret scan finds private keys, JWTs, secret assignments or cloud credentials files. For a dedicated secrets backup (typically to other recipients); the manifest records it. Without it such a file fails the backup before anything is stored, naming the file and line.',
  }),
};

/** Where `lifeboat restore` writes a files backup; the restore operation spreads these in. */
export const filesRestoreOptions = {
  'target-dir': opt.string({
    description: 'Empty (or not yet existing) folder to restore a files backup into, for a real recovery: every file with its mode, checked against the archive\'s SHA256SUMS.',
  }),
};

/** Parsed values of `filesBackupOptions`. */
export type FilesBackupOptions = ResolvedOptions<typeof filesBackupOptions>;
/** Parsed values of `filesRestoreOptions`. */
export type FilesRestoreOptions = ResolvedOptions<typeof filesRestoreOptions>;
