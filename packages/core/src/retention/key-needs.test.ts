import { describe, expect, test } from 'vitest';
import type { RetentionDecision } from './policy.js';
import { keyNeeds, missingKeys, normalizeKey, shortKey, type KeyedBackup } from './key-needs.js';

const A = 'AAAA1111AAAA1111AAAA1111AAAA1111AAAA1111';
const B = 'BBBB2222BBBB2222BBBB2222BBBB2222BBBB2222';
const AGE = 'age1qqqqexamplerecipientqqqq';

function decision(id: string, action: 'keep' | 'delete', backup: Omit<KeyedBackup, 'id'>): RetentionDecision<KeyedBackup> {
  return { backup: { id, ...backup }, action, reasons: action === 'keep' ? [{ rule: 'last', detail: '1 of 1' }] : [] };
}

describe('keyNeeds', () => {
  test.each([
    {
      name: 'rotation A → A+B → B, the A-only and A+B backups pruned: A retires, B does not',
      decisions: [decision('3', 'keep', { recipients: [B] }), decision('2', 'delete', { recipients: [A, B] }), decision('1', 'delete', { recipients: [A] })],
      want: [
        { key: B, keptBy: ['3'], prunedBy: ['2'], retire: false },
        { key: A, keptBy: [], prunedBy: ['2', '1'], retire: true },
      ],
    },
    {
      name: 'the A+B backup still kept: A cannot retire',
      decisions: [decision('3', 'keep', { recipients: [B] }), decision('2', 'keep', { recipients: [A, B] }), decision('1', 'delete', { recipients: [A] })],
      want: [
        { key: A, keptBy: ['2'], prunedBy: ['1'], retire: false },
        { key: B, keptBy: ['3', '2'], prunedBy: [], retire: false },
      ],
    },
    {
      name: 'a kept backup with no readable manifest blocks every retirement',
      decisions: [decision('2', 'keep', {}), decision('1', 'delete', { recipients: [A] })],
      want: [{ key: A, keptBy: [], prunedBy: ['1'], retire: false }],
    },
    {
      name: 'a kept passphrase-only backup needs no key and blocks nothing',
      decisions: [decision('2', 'keep', { keyless: true }), decision('1', 'delete', { recipients: [A] })],
      want: [{ key: A, keptBy: [], prunedBy: ['1'], retire: true }],
    },
    {
      name: 'fingerprint case and age recipients: one entry per key',
      decisions: [decision('2', 'keep', { recipients: [AGE.toUpperCase(), A.toLowerCase()] }), decision('1', 'keep', { recipients: [A, AGE] })],
      want: [
        { key: A, keptBy: ['2', '1'], prunedBy: [], retire: false },
        { key: AGE, keptBy: ['2', '1'], prunedBy: [], retire: false },
      ],
    },
    { name: 'no backups: no keys', decisions: [], want: [] },
  ])('$name', ({ decisions, want }) => {
    const got = keyNeeds(decisions).map(({ key, keptBy, prunedBy, retire }) => ({ key, keptBy, prunedBy, retire }));
    expect(got).toEqual(want);
  });

  test('the reason names what blocks or allows retirement', () => {
    const [blocked] = keyNeeds([decision('2', 'keep', {}), decision('1', 'delete', { recipients: [A] })]);
    expect(blocked!.why).toBe('kept backup 2 has no readable manifest and may need it');
    const needs = keyNeeds([decision('2', 'keep', { recipients: [B] }), decision('1', 'delete', { recipients: [A] })]);
    expect(needs.map((n) => n.why)).toEqual(['1 kept backup needs it', 'no kept backup needs it']);
  });

  test('normalizeKey', () => {
    expect(normalizeKey(' abcd ')).toBe('ABCD');
    expect(normalizeKey('AGE1XYZ')).toBe('age1xyz');
  });
});

describe('missingKeys', () => {
  const backups: KeyedBackup[] = [
    { id: 'db/4', recipients: [B.toLowerCase()] },
    { id: 'db/3', recipients: [A, B] },
    { id: 'db/2', recipients: [A] },
    { id: 'db/1', recipients: [A.toLowerCase()] },
    { id: 'db/0', recipients: [AGE] },
    { id: 'db/p', keyless: true },
    { id: 'db/u' },
  ];
  test.each([
    { name: 'only B held: the A-only backups, then the age one', held: [B], want: [{ keys: [A], backups: ['db/2', 'db/1'] }, { keys: [AGE], backups: ['db/0'] }] },
    { name: 'A and B held, in any case: only the age backup', held: [A.toLowerCase(), B], want: [{ keys: [AGE], backups: ['db/0'] }] },
    { name: 'every key held: nothing', held: [A, B, AGE.toUpperCase()], want: [] },
    { name: 'nothing held: every keyed backup, passphrase and unreadable ones left out', held: [], want: [{ keys: [B], backups: ['db/4'] }, { keys: [A, B], backups: ['db/3'] }, { keys: [A], backups: ['db/2', 'db/1'] }, { keys: [AGE], backups: ['db/0'] }] },
  ])('$name', ({ held, want }) => {
    expect(missingKeys(backups, held)).toEqual(want);
  });

  test('shortKey: the last 8 fingerprint characters, an age recipient whole', () => {
    expect(shortKey(A)).toBe('…AAAA1111');
    expect(shortKey(AGE)).toBe(AGE);
  });
});
