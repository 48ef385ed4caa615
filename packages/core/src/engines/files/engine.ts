import type { Engine } from '../engine.js';
import { breakGlass } from './break-glass.js';
import { automaticChecks, parseChecks, runChecks, sumsCheck, type FilesCheck } from './checks.js';
import { assertEmptyTarget, describeExtracted, restoreForDrill, restoreInto, type FilesRestoredTarget } from './drill.js';
import { filesManifestSchema, readFilesStats, type FilesManifestSection } from './manifest.js';
import { checkFilesReadable } from './preflight.js';
import { createFilesSource } from './source.js';

/**
 * Files and folders (configuration, seed data): a tar archive with its SHA256SUMS, secrets
 * kept out by a scan unless `allow-secrets`; a drill extracts it into a throwaway folder,
 * checks every SHA-256, that every file is there and JSON and YAML files parse, and runs the
 * operator's `{name, path, expect}` checks.
 */
export const filesEngine: Engine<FilesManifestSection, FilesRestoredTarget, FilesCheck> = {
  id: 'files',
  title: 'files',
  kinds: ['files'],
  section: filesManifestSchema,

  backup: {
    option: 'paths',
    selected: (options) => (options.paths?.length ?? 0) > 0,
    async plan(options, context) {
      const settings = { paths: options.paths ?? [], root: options.filesRoot, allowSecrets: options.allowSecrets, reporter: context.reporter };
      return [{ name: options.name ?? 'files', create: () => createFilesSource(settings) }];
    },
    async preflight(options, _context, checks) {
      await checkFilesReadable(options.paths ?? [], options.filesRoot, checks);
    },
  },

  drill: {
    restore: (backup, _options, _drillId, context) => restoreForDrill(backup.payloadPath, context),
    automaticChecks: async (backup, target) => (target ? automaticChecks(target.dir, target.extracted, readFilesStats(backup.stats)) : []),
    checks: {
      form: '`{name, path, expect}`',
      parse: (entries) => parseChecks(entries),
      run: (target, checks) => runChecks(target.dir, checks),
    },
  },

  restore: {
    option: 'target-dir',
    selected: (options) => options.targetDir !== undefined && options.targetDir !== '',
    async prepare(options) {
      const targetDir = options.targetDir!;
      const description = await assertEmptyTarget(targetDir);
      let restored: Awaited<ReturnType<typeof restoreInto>> | undefined;
      let stats: Record<string, unknown> | undefined;
      return {
        description,
        async restore(backup) {
          restored = await restoreInto(backup.payloadPath, targetDir);
          stats = backup.stats;
          return { checks: [sumsCheck(restored)], notes: [`Restored ${describeExtracted(restored)} into ${description}; every file's SHA-256 matches SHA256SUMS.`] };
        },
        checks: async () => (restored ? automaticChecks(description, restored, readFilesStats(stats)) : []),
      };
    },
  },

  breakGlass,
};
