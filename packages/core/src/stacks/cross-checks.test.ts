import { describe, expect, it } from 'vitest';
import { judgeKeysCheck, sampleKeys } from './cross-checks.js';

const check = { type: 'keys' as const, name: 'proofs stored', from: 'app', query: 'select key from proofs', existIn: 'proofs' };

describe('judgeKeysCheck', () => {
  it.each([
    [3, 3, [], { ok: true, actual: '3 present' }],
    [100, 10, [], { ok: true, actual: '10 sampled of 100 present' }],
    [4, 4, ['p/4'], { ok: false, actual: '1 of 4 missing', message: '1 key of app missing in proofs: `p/4`' }],
    [9, 9, ['a', 'b', 'c', 'd', 'e', 'f'], { ok: false, actual: '6 of 9 missing', message: '6 keys of app missing in proofs: `a`, `b`, `c`, `d`, `e`, ...' }],
    [100, 10, ['x'], { ok: false, actual: '1 of 10 sampled of 100 missing' }],
  ])('%i keys, %i looked up, missing %j', (total, looked, missing, expected) => {
    expect(judgeKeysCheck(check, total, looked, missing)).toMatchObject({ name: 'proofs stored', kind: 'keys-exist', ...expected });
  });
});

describe('sampleKeys', () => {
  const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
  it('takes every key without a sample or when there are no more', () => {
    expect(sampleKeys(keys, undefined)).toEqual(keys);
    expect(sampleKeys(keys, 50)).toEqual(keys);
  });
  it('takes that many distinct keys of the set', () => {
    const sampled = sampleKeys(keys, 5);
    expect(new Set(sampled).size).toBe(5);
    for (const key of sampled) expect(keys).toContain(key);
  });
  it('swaps in the key the pick names (here: always the last remaining)', () => {
    expect(sampleKeys(['a', 'b', 'c'], 2, (max) => max - 1)).toEqual(['c', 'a']);
  });
});
