import { describe, expect, it } from 'vitest';
import { hasKey, parseChecks, parseStructured, structuredKind } from './checks.js';

describe('parseChecks', () => {
  it('reads the three expectations', () => {
    expect(
      parseChecks([
        { name: 'config is there', path: 'etc/app.yaml', expect: 'exists' },
        { path: 'data/seed.json', expect: 'parses' },
        { name: 'database host', path: 'etc/app.yaml', expect: 'contains database.host' },
      ]),
    ).toEqual([
      { name: 'config is there', path: 'etc/app.yaml', expect: { kind: 'exists' }, expectText: 'exists' },
      { name: 'check 2', path: 'data/seed.json', expect: { kind: 'parses' }, expectText: 'parses' },
      { name: 'database host', path: 'etc/app.yaml', expect: { kind: 'contains', key: ['database', 'host'] }, expectText: 'contains database.host' },
    ]);
  });

  it.each([
    [{ sql: 'SELECT 1', expect: '= 1' }, /Files check check 1: path: /],
    [{ name: 'x', path: 'a.yaml', expect: 'equals 3' }, /Files check "x" has expect 'equals 3', which is not an expectation/],
    [{ path: '../etc/passwd', expect: 'exists' }, /must name a file inside the backup/],
    [{ path: '/etc/passwd', expect: 'exists' }, /must name a file inside the backup/],
    [{ path: 'notes.txt', expect: 'parses' }, /needs a .json, .yaml or .yml file; notes.txt is not one/],
    [{ path: 'a.json', expect: 'contains a..b' }, /empty part in the key path/],
  ])('refuses %j', (entry, message) => {
    expect(() => parseChecks([entry])).toThrow(message);
    expect(() => parseChecks([entry])).toThrow(expect.objectContaining({ fix: expect.stringContaining('{name, path, expect}') }));
  });
});

describe('hasKey', () => {
  const document = { database: { host: 'db', port: 5432, replicas: [{ host: 'r1' }] }, empty: null };
  it.each([
    [['database'], true],
    [['database', 'host'], true],
    [['database', 'replicas', '0', 'host'], true],
    [['database', 'replicas', '1'], false],
    [['database', 'replicas', 'x'], false],
    [['empty'], true],
    [['empty', 'x'], false],
    [['database', 'user'], false],
    [['toString'], false],
  ])('%j → %s', (key, found) => {
    expect(hasKey(document, key)).toBe(found);
  });
});

describe('parseStructured', () => {
  it('parses JSON and multi-document YAML, and says where YAML breaks without quoting it', () => {
    expect(parseStructured('json', '{"a":1}')).toEqual({ ok: true, documents: [{ a: 1 }] });
    expect(parseStructured('yaml', 'a: 1\n---\nb: 2\n')).toEqual({ ok: true, documents: [{ a: 1 }, { b: 2 }] });
    expect(parseStructured('json', '{"password": "hunter2",')).toEqual({ ok: false, reason: 'is not valid JSON' });
    const broken = parseStructured('yaml', 'a: 1\nb: [hunter2\n');
    expect(broken.ok).toBe(false);
    expect(JSON.stringify(broken)).not.toContain('hunter2');
    expect(broken).toMatchObject({ reason: expect.stringMatching(/^is not valid YAML \(line \d+\)$/) });
  });
  it.each([
    ['a/b.json', 'json'],
    ['a/B.YML', 'yaml'],
    ['c.yaml', 'yaml'],
    ['d.txt', undefined],
  ])('%s is %s', (path, kind) => {
    expect(structuredKind(path)).toBe(kind);
  });
});
