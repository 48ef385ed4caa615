import { describe, expect, it } from 'vitest';
import { compressionArgs, formatCompression, parseCompression } from './compression.js';
import { checkExtraDumpArgs, splitArgs } from './dump-args.js';
import { DumpOptionError } from './errors.js';
import { checkTableFilters, dumpedTablesQuery, patternPartToRegex, splitPattern } from './tables.js';

describe('compression', () => {
  it('parses methods with optional levels in range', () => {
    expect(parseCompression('auto')).toEqual({ method: 'auto' });
    expect(parseCompression(' ZSTD:3 ')).toEqual({ method: 'zstd', level: 3 });
    expect(parseCompression('gzip')).toEqual({ method: 'gzip' });
    expect(parseCompression('lz4:12')).toEqual({ method: 'lz4', level: 12 });
    for (const bad of ['gzip:0', 'gzip:10', 'zstd:23', 'none:1', 'auto:3', 'brotli', 'zstd:', '']) {
      expect(parseCompression(bad), bad).toBeUndefined();
    }
    expect(formatCompression({ method: 'zstd', level: 1 })).toBe('zstd:1');
  });

  it('parses stream-zstd (Lifeboat compresses the stream) with levels 1-19', () => {
    expect(parseCompression('stream-zstd')).toEqual({ method: 'stream-zstd' });
    expect(parseCompression('Stream-Zstd:3')).toEqual({ method: 'stream-zstd', level: 3 });
    for (const bad of ['stream-zstd:0', 'stream-zstd:20', 'stream-gzip']) expect(parseCompression(bad), bad).toBeUndefined();
    // pg_dump then writes no compression of its own, in either syntax.
    expect(compressionArgs({ method: 'stream-zstd', level: 1 }, 15)).toEqual(['--compress=0']);
    expect(compressionArgs({ method: 'stream-zstd', level: 1 }, 17)).toEqual(['--compress=0']);
  });

  it('speaks each pg_dump generation\'s syntax', () => {
    expect(compressionArgs({ method: 'zstd', level: 1 }, 16)).toEqual(['--compress=zstd:1']);
    expect(compressionArgs({ method: 'none' }, 17)).toEqual(['--compress=none']);
    expect(compressionArgs({ method: 'gzip', level: 1 }, 15)).toEqual(['--compress=1']);
    expect(compressionArgs({ method: 'none' }, 15)).toEqual(['--compress=0']);
    expect(() => compressionArgs({ method: 'lz4' }, 15)).toThrow(DumpOptionError);
  });
});

describe('pg-dump-args', () => {
  it('splits like a shell, with quotes', () => {
    expect(splitArgs(`--no-comments  --lock-wait-timeout='5 min' --extension="my ext"`)).toEqual([
      '--no-comments',
      '--lock-wait-timeout=5 min',
      '--extension=my ext',
    ]);
    expect(() => splitArgs(`--x='open`)).toThrow(DumpOptionError);
  });

  it('accepts harmless options and reports those that change which rows are dumped', () => {
    expect(checkExtraDumpArgs(['--no-comments', '--lock-wait-timeout', '5s', '-v', '--no-unlogged-table-data'], { snapshot: true })).toEqual({
      noUnloggedData: true,
      enableRowSecurity: false,
    });
    expect(checkExtraDumpArgs(['--enable-row-security'], { snapshot: true }).enableRowSecurity).toBe(true);
    expect(checkExtraDumpArgs(['--serializable-deferrable'], { snapshot: false })).toBeTruthy();
  });

  it.each([
    [['-f', 'out.dump'], /-f/],
    [['--file=out.dump'], /stream/],
    [['--fi=out.dump'], /stream/], // getopt abbreviation
    [['-Fd'], /format/],
    [['--format', 'plain'], /format/],
    [['-j4'], /jobs/],
    [['-Z9'], /compression/],
    [['--compress=zstd'], /compression/],
    [['-Oxs'], /rows/], // -s hidden in a cluster
    [['--schema-only'], /rows/],
    [['--snapshot=abc'], /snapshot/],
    [['-t', 'orders'], /tables/],
    [['--exclude-table-data=logs'], /exclude-table-data/],
    [['--host=elsewhere'], /database-url/],
    [['--version'], /empty backup/],
    [['otherdb'], /positional|database name/],
    [['--serializable-deferrable'], /snapshot/],
  ])('refuses %j with the option to use instead', (args, pattern) => {
    expect(() => checkExtraDumpArgs(args, { snapshot: true })).toThrow(pattern);
    expect(() => checkExtraDumpArgs(args, { snapshot: true })).toThrow(DumpOptionError);
  });
});

describe('table patterns', () => {
  it('translates psql patterns the way pg_dump does', () => {
    expect(patternPartToRegex('Orders')).toBe('^(orders)$');
    expect(patternPartToRegex('"Orders"')).toBe('^(Orders)$');
    expect(patternPartToRegex('app_*')).toBe('^(app_.*)$');
    expect(patternPartToRegex('t?')).toBe('^(t.)$');
    expect(patternPartToRegex('"a.b*"')).toBe('^(a\\.b\\*)$');
    expect(patternPartToRegex('"say ""hi"""')).toBe('^(say "hi")$');
    expect(patternPartToRegex('price$')).toBe('^(price\\$)$');
    expect(splitPattern('"my.schema".t')).toEqual(['"my.schema"', 't']);
  });

  it('refuses patterns with too many dots', () => {
    expect(() => checkTableFilters({ tables: ['a.b.c.d'] })).toThrow(DumpOptionError);
    expect(() => checkTableFilters({ schemas: ['a.b.c'] })).toThrow(DumpOptionError);
  });

  it('passes patterns as parameters, never inside the SQL text', () => {
    const query = dumpedTablesQuery({ tables: ["x'; DROP TABLE t; --"], excludeTableData: ['logs'] });
    expect(query.text).not.toContain('DROP');
    expect(query.values).toContain("^(x'; drop table t; --)$");
  });
});
