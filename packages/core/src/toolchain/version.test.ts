import { describe, expect, it } from 'vitest';
import { majorFromVersionNum, parseClientVersion } from './version.js';

describe('PostgreSQL versions', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', '15.18', 15],
    ['pg_restore (PostgreSQL) 17.2 (Ubuntu 17.2-1.pgdg24.04+1)', '17.2', 17],
    ['pg_dump (PostgreSQL) 18beta1', '18beta1', 18],
    ['pg_dump (PostgreSQL) 9.6.24', '9.6.24', 9.6],
    ['psql (PostgreSQL) 16.4 (Homebrew)\n', '16.4', 16],
  ])('parses %j', (text, version, major) => {
    expect(parseClientVersion(text)).toEqual({ version, major });
  });

  it('rejects text that is not a PostgreSQL version line', () => {
    expect(parseClientVersion('pg_dump: command not found')).toBeUndefined();
    expect(parseClientVersion('')).toBeUndefined();
  });

  it('reads the major from server_version_num', () => {
    expect(majorFromVersionNum(170002)).toBe(17);
    expect(majorFromVersionNum(100023)).toBe(10);
    expect(majorFromVersionNum(90624)).toBe(9.6);
    expect(() => majorFromVersionNum(0)).toThrow(RangeError);
  });
});
