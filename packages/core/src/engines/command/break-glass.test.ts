import { describe, expect, it } from 'vitest';
import { breakGlass } from './break-glass.js';

const section = { kind: 'command', command: 'x', shell: true, exitCode: 0, durationMs: 1, counted: false };

describe('breakGlass', () => {
  it('decrypts into the preset\'s restore command, the payload as a file where it takes {payload}', () => {
    const mongo = breakGlass({ ...section, preset: 'mongodb', payloadFile: 'dump.archive.gz', oplog: true });
    expect(mongo).toContain('gpg --decrypt --output "dump.archive.gz" dump.archive.gz.pgp');
    expect(mongo).toContain('mongorestore --config=/dev/stdin --archive=dump.archive.gz --gzip --drop --oplogReplay');
    const maria = breakGlass({ ...section, preset: 'mariadb', payloadFile: 'dump.sql' }, 'age');
    expect(maria).toContain('age -d -i "$IDENTITY" -o "dump.sql" dump.sql.age');
    expect(maria).toMatch(/exec mariadb .* < "dump\.sql"/);
  });

  it('names the command an operator\'s own backup ran', () => {
    expect(breakGlass({ ...section, command: 'mytool --dump', payloadFile: 'output.bin' })).toContain('the backup ran: mytool --dump');
  });
});
