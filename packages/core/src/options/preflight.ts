import { defineOperation } from './define.js';
import type { ResolvedOptions } from './define.js';
import { backupOperation } from './backup.js';

// Everything a backup is given, since the preflight checks exactly what that backup would use
// (with `stack`, every member's source, and what the members share once).
const { preflight: _checkOnly, ...backupSettings } = backupOperation.options;

/** `lifeboat preflight` (and `preflight: true` on `actions/backup`). */
export const preflightOperation = defineOperation({
  command: 'preflight',
  summary:
    'Check what a backup needs without reading data: pg_dump for the server, the settings given, keys, the store (a probe object written, read back and removed), the source and its privileges; prints a PASS/FAIL table. With `stack`: the stack file, every variable it references and the shared settings once, then one table per member.',
  options: backupSettings,
  outputs: {
    passed: '`true` when every check passed (warnings allowed), else `false`.',
    failed: 'Names of the checks that failed, comma-separated.',
  },
});

/** Parsed options of `preflight`. */
export type PreflightOptions = ResolvedOptions<typeof preflightOperation.options>;
