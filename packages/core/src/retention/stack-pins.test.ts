import { describe, expect, it } from 'vitest';
import { applyRetention } from './policy.js';
import { stackPins, stacksNaming, withPins, type StackRecordCandidate } from './stack-pins.js';

const NOW = new Date('2026-12-04T12:00:00Z');

function record(id: string, members: [string, string][], extra: Partial<StackRecordCandidate> = {}): StackRecordCandidate {
  const time = new Date(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`);
  return { stack: 'shop', id, time, lastWrite: time, state: 'complete', passedDrill: false, members: members.map(([name, backupId]) => ({ name, backupId })), ...extra };
}

function backup(id: string) {
  const time = new Date(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}Z`);
  return { id, time, lastWrite: time, state: 'complete' as const, passedDrill: false };
}

describe('stacksNaming', () => {
  it.each([
    ['shop-app', ['shop']],
    ['my-shop-app', ['my', 'my-shop']],
    ['db', []],
    ['-odd', []],
  ])('%s can belong to %j', (name, stacks) => {
    expect(stacksNaming(name)).toEqual(stacks);
  });
});

describe('stackPins', () => {
  const a = '20261201T000000Z-aaaaaa';
  const b = '20261202T000000Z-aaaaaa';
  const c = '20261203T000000Z-aaaaaa';
  const records = [record(a, [['shop-app', 'app-1'], ['shop-cache', 'cache-1']]), record(b, [['shop-app', 'app-2'], ['shop-cache', 'cache-1']]), record(c, [['shop-app', 'app-3'], ['shop-cache', 'cache-3']])];

  it.each([
    ['keep-last 1: the newest record only', { keepLast: 1 }, { 'shop-app': { 'app-3': [`shop/${c}`] }, 'shop-cache': { 'cache-3': [`shop/${c}`] } }],
    [
      'keep-last 2: a member two records share names both',
      { keepLast: 2 },
      { 'shop-app': { 'app-3': [`shop/${c}`], 'app-2': [`shop/${b}`] }, 'shop-cache': { 'cache-3': [`shop/${c}`], 'cache-1': [`shop/${b}`] } },
    ],
  ])('%s', (_label, policy, expected) => {
    const pins = stackPins(applyRetention(records, { incompleteGrace: 86_400_000, ...policy }, NOW));
    expect(Object.fromEntries([...pins].map(([name, ids]) => [name, Object.fromEntries(ids)]))).toEqual(expected);
  });

  it('pins the members of an unreadable record and of the newest drilled one, whatever the rules', () => {
    const kept = [record(a, [['shop-app', 'app-1']], { passedDrill: true }), record(b, [['shop-app', 'app-2']], { state: 'unreadable' }), record(c, [['shop-app', 'app-3']])];
    const pins = stackPins(applyRetention(kept, { keepLast: 1, incompleteGrace: 86_400_000 }, NOW));
    expect([...pins.get('shop-app')!.keys()].sort()).toEqual(['app-1', 'app-2', 'app-3']);
  });
});

describe('withPins and the policy', () => {
  const old = backup('20261101T000000Z-aaaaaa');
  const newer = backup('20261201T000000Z-aaaaaa');
  const newest = backup('20261203T000000Z-aaaaaa');
  const pins = new Map([['shop-app', new Map([[old.id, ['shop/20261101T000100Z-bbbbbb']]])]]);

  it('keeps a member a kept stack record names, saying which record, and deletes what no rule nor record keeps', () => {
    const decisions = applyRetention(withPins('shop-app', [old, newer, newest], pins), { keepLast: 1, incompleteGrace: 86_400_000 }, NOW);
    expect(decisions.map((d) => [d.backup.id, d.action])).toEqual([
      [newest.id, 'keep'],
      [newer.id, 'delete'],
      [old.id, 'keep'],
    ]);
    expect(decisions[2]!.reasons).toEqual([{ rule: 'stack', detail: 'a member of kept stack backup shop/20261101T000100Z-bbbbbb' }]);
  });

  it('leaves the backups of another name as they are', () => {
    expect(withPins('shop-cache', [old], pins)[0]).toBe(old);
  });
});
