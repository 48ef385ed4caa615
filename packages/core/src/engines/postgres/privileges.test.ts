import { describe, expect, it } from 'vitest';
import { describeMissing, hasEveryPrivilege, missingGrants, sqlName, type PrivilegeFacts } from './privileges.js';

const none: PrivilegeFacts = { role: 'backup', database: 'app', schemasWithoutUsage: [], tables: [], sequences: [], largeObjects: [], scope: { tables: 3, sequences: 1, largeObjects: true } };

describe('sqlName', () => {
  it.each([
    ['orders', 'orders'],
    ['_x1$', '_x1$'],
    ['Orders', '"Orders"'],
    ['user', '"user"'],
    ['order', '"order"'],
    ['with space', '"with space"'],
    ['a"b', '"a""b"'],
    ['1st', '"1st"'],
    ['backup-role', '"backup-role"'],
  ])('%s → %s', (name, sql) => expect(sqlName(name)).toBe(sql));
});

describe('missingGrants and describeMissing', () => {
  it.each<[string, Partial<PrivilegeFacts>, string[], string]>([
    ['nothing missing', {}, [], ''],
    [
      'one table',
      { tables: [{ schema: 'public', name: 'secrets' }] },
      ['GRANT SELECT ON TABLE public.secrets TO backup;'],
      'SELECT on table public.secrets',
    ],
    [
      'schema first, then tables, sequences and large objects',
      {
        role: 'Backup Role',
        schemasWithoutUsage: ['audit'],
        tables: [{ schema: 'audit', name: 'log' }, { schema: 'public', name: 'User' }],
        sequences: [{ schema: 'public', name: 'ids' }],
        largeObjects: ['16401', '16402'],
      },
      [
        'GRANT USAGE ON SCHEMA audit TO "Backup Role";',
        'GRANT SELECT ON TABLE audit.log TO "Backup Role";',
        'GRANT SELECT ON TABLE public."User" TO "Backup Role";',
        'GRANT SELECT ON SEQUENCE public.ids TO "Backup Role";',
        'GRANT SELECT ON LARGE OBJECT 16401 TO "Backup Role";',
        'GRANT SELECT ON LARGE OBJECT 16402 TO "Backup Role";',
      ],
      'USAGE on schema audit, SELECT on table audit.log, SELECT on table public."User", SELECT on sequence public.ids and SELECT on 2 large objects',
    ],
    ['one large object', { largeObjects: ['7'] }, ['GRANT SELECT ON LARGE OBJECT 7 TO backup;'], 'SELECT on 1 large object'],
  ])('%s', (_case, facts, grants, words) => {
    const all = { ...none, ...facts };
    expect(missingGrants(all)).toEqual(grants);
    expect(describeMissing(all)).toBe(words);
    expect(hasEveryPrivilege(all)).toBe(grants.length === 0);
  });
});
