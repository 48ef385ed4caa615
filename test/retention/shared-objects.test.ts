/**
 * Shared objects (`<name>/objects/`, referenced by bucket backups): the pure decision of which
 * ones a prune may delete, table-tested and property-tested beside the retention invariants.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharedObjectsToDelete, type SharedUse } from '../../packages/core/src/retention/shared-objects.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const GRACE = 24 * HOUR;
const old = new Date(NOW.getTime() - 3 * GRACE);
const fresh = new Date(NOW.getTime() - HOUR);

const object = (key: string, lastModified: Date | undefined = old) => ({ key, size: 1, lastModified });
const use = (id: string, needs: string[] | undefined, deleted = false): SharedUse => ({ id, deleted, needs: needs && new Set(needs) });

describe('sharedObjectsToDelete', () => {
  it.each([
    ['deletes what only a deleted backup needed', [use('a', ['x', 'y'], true), use('b', ['y'])], ['x']],
    ['keeps what any kept backup needs', [use('a', ['x'], true), use('b', ['x', 'y'])], []],
    ['deletes nothing while a kept backup\'s needs are unknown (running or unreadable)', [use('a', ['x'], true), use('b', undefined)], []],
    ['needs of a deleted backup that are unknown do not matter', [use('a', undefined, true), use('b', ['y'])], ['x']],
    ['deletes orphans no backup needs at all', [use('b', ['y'])], ['x']],
  ])('%s', (_title, uses, expected) => {
    expect(sharedObjectsToDelete([object('x'), object('y')], uses, NOW, GRACE)).toEqual(expected);
  });

  it('keeps objects written within the grace period, and those whose time is unknown (a backup may still be writing them)', () => {
    expect(sharedObjectsToDelete([object('x', fresh), { key: 'y', size: 1 }, object('z')], [use('a', [], true)], NOW, GRACE)).toEqual(['z']);
  });
});

describe('shared objects (fast-check)', () => {
  const keyArb = fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8');
  const useArb = fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    deleted: fc.boolean(),
    needs: fc.option(fc.uniqueArray(keyArb, { maxLength: 6 }).map((a) => new Set(a)), { nil: undefined, freq: 6 }),
  });
  const objectsArb = fc.uniqueArray(
    fc.record({ key: keyArb, size: fc.nat(), lastModified: fc.option(fc.integer({ min: -5 * GRACE, max: GRACE }).map((d) => new Date(NOW.getTime() - GRACE - d)), { nil: undefined }) }),
    { selector: (o) => o.key, maxLength: 8 },
  );

  it('never deletes an object a kept backup needs, nor any object while a kept backup\'s needs are unknown', () => {
    fc.assert(
      fc.property(objectsArb, fc.array(useArb, { maxLength: 6 }), (objects, uses) => {
        const deleted = new Set(sharedObjectsToDelete(objects, uses, NOW, GRACE));
        for (const u of uses.filter((u) => !u.deleted)) {
          if (u.needs === undefined) expect(deleted.size).toBe(0);
          else for (const key of u.needs) expect(deleted.has(key)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('deletes only listed objects older than the grace period, and every such one nobody kept needs', () => {
    fc.assert(
      fc.property(objectsArb, fc.array(useArb.filter((u) => u.needs !== undefined || u.deleted), { maxLength: 6 }), (objects, uses) => {
        const deleted = new Set(sharedObjectsToDelete(objects, uses, NOW, GRACE));
        const needed = new Set(uses.filter((u) => !u.deleted).flatMap((u) => [...u.needs!]));
        for (const o of objects) {
          const old = o.lastModified !== undefined && NOW.getTime() - o.lastModified.getTime() > GRACE;
          expect(deleted.has(o.key)).toBe(old && !needed.has(o.key));
        }
      }),
      { numRuns: 500 },
    );
  });
});
