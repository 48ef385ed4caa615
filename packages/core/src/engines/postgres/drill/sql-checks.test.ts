import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OptionError } from '../../../report/errors.js';
import { judgeSqlCheck, loadSqlChecks, parseExpectation } from './sql-checks.js';

describe('parseExpectation', () => {
  it.each([
    ['no rows', { kind: 'no-rows' }],
    ['some rows', { kind: 'some-rows' }],
    ['>= 1', { kind: 'compare', op: '>=', value: '1' }],
    ['<10', { kind: 'compare', op: '<', value: '10' }],
    ['= active', { kind: 'compare', op: '=', value: 'active' }],
    ["!= 'x y'", { kind: 'compare', op: '!=', value: 'x y' }],
    ['42', { kind: 'compare', op: '=', value: '42' }],
  ])('reads %j', (text, expectation) => expect(parseExpectation(text)).toEqual(expectation));

  it.each(['>= many', '=', ''])('rejects %j', (text) => expect(parseExpectation(text)).toBeUndefined());
});

describe('judgeSqlCheck', () => {
  const check = (expectText: string) => ({ name: 'c', sql: 'select 1', expect: parseExpectation(expectText)!, expectText });

  it('compares numbers numerically and records the actual value', () => {
    expect(judgeSqlCheck(check('>= 1'), [['3']])).toMatchObject({ ok: true, actual: '3', expected: '>= 1', kind: 'sql' });
    expect(judgeSqlCheck(check('>= 10'), [['9']])).toMatchObject({ ok: false, actual: '9' });
    expect(judgeSqlCheck(check('= 42'), [[42]])).toMatchObject({ ok: true });
    expect(judgeSqlCheck(check('< 2'), [['10']])).toMatchObject({ ok: false });
  });

  it('compares text exactly', () => {
    expect(judgeSqlCheck(check('= active'), [['active']])).toMatchObject({ ok: true });
    expect(judgeSqlCheck(check('= active'), [['Active']])).toMatchObject({ ok: false, actual: 'Active' });
  });

  it('judges row presence', () => {
    expect(judgeSqlCheck(check('no rows'), [])).toMatchObject({ ok: true, actual: '0 rows' });
    expect(judgeSqlCheck(check('no rows'), [['1']])).toMatchObject({ ok: false, actual: '1 row' });
    expect(judgeSqlCheck(check('some rows'), [])).toMatchObject({ ok: false });
    expect(judgeSqlCheck(check('= 1'), [])).toMatchObject({ ok: false, actual: 'no rows' });
  });

  it('treats NULL as a value that matches nothing numeric', () => {
    expect(judgeSqlCheck(check('>= 0'), [[null]])).toMatchObject({ ok: false, actual: 'null' });
  });
});

describe('loadSqlChecks', () => {
  it('reads inline YAML, as a list or under `checks`', () => {
    const inline = '- name: credentials exist\n  sql: SELECT count(*) FROM credentials\n  expect: ">= 1"\n- sql: SELECT 1 WHERE false\n  expect: no rows\n';
    const checks = loadSqlChecks(inline);
    expect(checks.map((c) => c.name)).toEqual(['credentials exist', 'check 2']);
    expect(checks[0]!.expect).toEqual({ kind: 'compare', op: '>=', value: '1' });
    expect(loadSqlChecks(`checks:\n${inline.replace(/^/gm, '  ')}`)).toHaveLength(2);
  });

  it('reads a checks file relative to the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'checks-'));
    try {
      writeFileSync(join(dir, 'drill-checks.yml'), 'checks:\n  - sql: SELECT 42\n    expect: 42\n');
      expect(loadSqlChecks('drill-checks.yml', dir)).toEqual([
        { name: 'check 1', sql: 'SELECT 42', expect: { kind: 'compare', op: '=', value: '42' }, expectText: '42' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the problem and the accepted form', () => {
    expect(() => loadSqlChecks('missing.yml', tmpdir())).toThrow(/Checks file missing.yml does not exist/);
    expect(() => loadSqlChecks('- sql: SELECT 1\n')).toThrow(OptionError);
    expect(() => loadSqlChecks('- sql: SELECT 1\n  expect: ">= lots"\n')).toThrow(/expect '>= lots', which is not an expectation/);
    expect(() => loadSqlChecks('- [unclosed\n')).toThrow(/not valid YAML/);
  });

  it('is empty when no checks are configured', () => {
    expect(loadSqlChecks(undefined)).toEqual([]);
    expect(loadSqlChecks('  ')).toEqual([]);
  });
});
