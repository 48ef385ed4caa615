import { describe, expect, it } from 'vitest';
import { outputRows, parseCommandChecks } from './checks.js';

describe('parseCommandChecks', () => {
  it('reads commands as strings or lists, with expectations and fields', () => {
    const checks = parseCommandChecks(
      [
        { name: 'users', command: 'mariadb -N -e "select count(*) from users"', expect: '= 42' },
        { command: ['mongosh', '--eval', 'x'], field: 'shop.orders', expect: 'recorded' },
        { name: 'some', command: 'echo 1', expect: '>= 1' },
      ],
      'checks file drill.yml',
    );
    expect(checks.map((c) => [c.name, c.command.shell, c.field, c.expect.kind])).toEqual([
      ['users', true, undefined, 'compare'],
      ['check 2', false, 'shop.orders', 'recorded'],
      ['some', true, undefined, 'compare'],
    ]);
  });

  it.each([
    [{ name: 'a', expect: '= 1' }, /"a": command/],
    [{ name: 'b', command: 'x', expect: '>= ten' }, /"b" has expect '>= ten'/],
    [{ name: 'c', command: 'x', expect: 'recorded' }, /"c" expects `recorded` but names no `field`/],
    [{ name: 'd', command: '[]', expect: '= 1' }, /non-empty list/],
  ])('refuses %j naming the entry', (entry, message) => {
    expect(() => parseCommandChecks([entry], 'checks file drill.yml')).toThrow(message);
  });
});

describe('outputRows', () => {
  it.each([
    ['42\n', undefined, [['42']]],
    ['a\t1\nb\t2\n', undefined, [['a'], ['b']]],
    ['\n', undefined, []],
    ['{"shop": {"orders": 7}}', 'shop.orders', [[7]]],
    ['{"x": 1}', 'y', []],
  ])('%j field %s', (stdout, field, rows) => expect(outputRows(stdout, field)).toEqual(rows));
});
