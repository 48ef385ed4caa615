import { describe, expect, it } from 'vitest';
import { countChecks, countLeaves, jsonField, parseCounts } from './counts.js';

describe('parseCounts', () => {
  it.each([
    ['{"a":1}\n', { a: 1 }],
    ['Connecting...\n{"a":1}', { a: 1 }],
    ['42', 42],
    ['', undefined],
    ['not json', undefined],
  ])('%j', (text, expected) => expect(parseCounts(text)).toEqual(expected));
});

describe('countLeaves / jsonField', () => {
  it('flattens nested counts by dotted path', () => {
    expect([...countLeaves({ app: { users: 3, items: 5 }, 'shop.orders': 2, note: 'x' })]).toEqual([
      ['app.users', 3],
      ['app.items', 5],
      ['shop.orders', 2],
    ]);
    expect([...countLeaves(7)]).toEqual([['count', 7]]);
  });
  it('reads a field by exact key first, then by path', () => {
    expect(jsonField({ 'shop.orders': 2, shop: { orders: 9 } }, 'shop.orders')).toBe(2);
    expect(jsonField({ shop: { orders: 9 } }, 'shop.orders')).toBe(9);
    expect(jsonField({ shop: 1 }, 'shop.orders')).toBeUndefined();
  });
});

describe('countChecks', () => {
  it('passes equal counts and fails changed, missing and unrecorded ones', () => {
    const checks = countChecks({ users: 3, items: 5, gone: 1 }, { users: 3, items: 4, extra: 2 });
    expect(checks.map((c) => [c.name, c.ok, c.expected, c.actual])).toEqual([
      ['count of users', true, 3, 3],
      ['count of items', false, 5, 4],
      ['count of gone', false, 1, 'missing'],
      ['count of extra', false, 'not recorded', 2],
    ]);
  });

  it('takes a count that changed while the dump ran as a range, and one that appeared or went as optional', () => {
    const checks = countChecks({ orders: 110, users: 3, fresh: 4 }, { orders: 104, users: 3, gone: 2 }, { orders: 100, users: 3, gone: 2 });
    expect(checks.map((c) => [c.name, c.ok, c.expected, c.actual])).toEqual([
      ['count of orders', true, '100 to 110', 104],
      ['count of users', true, 3, 3],
      ['count of fresh', true, '0 to 4', 'missing'],
      ['count of gone', true, '0 to 2', 2],
    ]);
    expect(countChecks({ orders: 110 }, { orders: 99 }, { orders: 100 })[0]).toMatchObject({ ok: false, message: 'It changed from 100 to 110 while the dump ran.' });
  });
});
