import { describe, expect, it } from 'vitest';
import { keyCountChecks, parseChecks, replyRows, splitCommand } from './checks.js';
import type { RedisStats } from './stats.js';

describe('Redis operator checks', () => {
  it.each([
    ['EXISTS feature:flags', ['EXISTS', 'feature:flags']],
    ['GET "a key with spaces"', ['GET', 'a key with spaces']],
    ["HGET 'user:1' name", ['HGET', 'user:1', 'name']],
    ['GET "say \\"hi\\""', ['GET', 'say "hi"']],
    ['GET ""', ['GET', '']],
    ['  SCARD   s  ', ['SCARD', 's']],
  ])('splits %s', (text, words) => {
    expect(splitCommand(text)).toEqual(words);
  });

  it('parses entries with the drill expectation grammar, naming a bad one', () => {
    expect(parseChecks([{ name: 'flags', command: 'EXISTS feature:flags', expect: '= 1' }, { command: 'SCARD s', db: 3, expect: '>= 1' }])).toMatchObject([
      { name: 'flags', args: ['EXISTS', 'feature:flags'], db: 0, expect: { kind: 'compare', op: '=', value: '1' } },
      { name: 'check 2', db: 3, expect: { kind: 'compare', op: '>=', value: '1' } },
    ]);
    expect(() => parseChecks([{ name: 'x', command: 'GET a', expect: '>= many' }])).toThrow(/"x" has expect '>= many'/);
    expect(() => parseChecks([{ name: 'y', sql: 'select 1', expect: 1 }])).toThrow(/Redis check "y": command/);
    expect(() => parseChecks([{ command: 'GET "open', expect: 1 }])).toThrow(/unclosed quote/);
  });

  it('turns replies into rows: nil and empty arrays are no rows', () => {
    expect(replyRows(null)).toEqual([]);
    expect(replyRows([])).toEqual([]);
    expect(replyRows(3)).toEqual([[3]]);
    expect(replyRows('v')).toEqual([['v']]);
    expect(replyRows(['a', 'b'])).toEqual([['a'], ['b']]);
    expect(replyRows([['name', 'g']])).toEqual([['["name","g"]']]);
  });
});

describe('automatic key-count checks', () => {
  const stats: RedisStats = {
    mode: 'rdb',
    rdbVersion: 10,
    serverVersion: '7.0.15',
    functions: 0,
    databases: [
      { db: 0, keys: 100, expires: 10, types: {} },
      { db: 3, keys: 5, expires: 0, types: {} },
    ],
  };

  it('passes with exact persistent counts and fewer keys with expiry, saying how many expired', () => {
    const checks = keyCountChecks(stats, [
      { db: 0, keys: 97, expires: 7 },
      { db: 3, keys: 5, expires: 0 },
    ]);
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checks[1]).toMatchObject({ name: 'keys with expiry in db 0', expected: '<= 10', actual: 7, message: '3 of the 10 keys with an expiry expired since the backup.' });
  });

  it.each([
    ['a persistent key missing', [{ db: 0, keys: 99, expires: 10 }, { db: 3, keys: 5, expires: 0 }], 'keys without expiry in db 0'],
    ['a persistent key too many', [{ db: 0, keys: 101, expires: 10 }, { db: 3, keys: 5, expires: 0 }], 'keys without expiry in db 0'],
    ['more keys with expiry than recorded', [{ db: 0, keys: 101, expires: 11 }, { db: 3, keys: 5, expires: 0 }], 'keys with expiry in db 0'],
    ['a whole database missing', [{ db: 0, keys: 100, expires: 10 }], 'keys without expiry in db 3'],
    ['a database that was empty', [{ db: 0, keys: 100, expires: 10 }, { db: 3, keys: 5, expires: 0 }, { db: 5, keys: 1, expires: 0 }], 'db 5 holds no keys'],
  ])('fails for %s', (_label, keyspace, failing) => {
    expect(keyCountChecks(stats, keyspace).filter((c) => !c.ok).map((c) => c.name)).toEqual([failing]);
  });

  it('counts keys a keys-mode SCAN returned twice only once', () => {
    const restored = { functions: 0, databases: { 0: { restored: 98, withExpiry: 9, expiredBefore: 0, duplicates: 2, duplicatesWithExpiry: 1 } } };
    const checks = keyCountChecks({ ...stats, databases: [stats.databases[0]!] }, [{ db: 0, keys: 98, expires: 9 }], restored);
    expect(checks.every((c) => c.ok)).toBe(true);
  });
});
