import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../engines/registry.js';
import { objectSource } from '../options/sources.js';
import { parseStackFile } from './stack-file.js';
import { checkStackStore, withStackStore } from './stack-store.js';

const dir = mkdtempSync(join(tmpdir(), 'lifeboat-stack-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = 'stack: shop\nstore: s3://${BUCKET}/lifeboat\nassets:\n  - {name: app, engine: postgres}\n';
writeFileSync(join(dir, 'lifeboat.yml'), FILE);
writeFileSync(join(dir, 'broken.yml'), 'stack: shop\nassets:\n  - {name: app, engine: mongo}\n');

describe('withStackStore', () => {
  const env = { BUCKET: 'acme' };
  it.each([
    ['the stack file\'s store when none is given', { stack: 'lifeboat.yml' }, 's3://acme/lifeboat'],
    ['the given store over the file\'s', { stack: 'lifeboat.yml', store: '/backups' }, '/backups'],
    ['nothing without a stack', {}, undefined],
  ])('gives %s', (_label, values, store) => {
    expect(withStackStore(objectSource(values), env, dir).get('store')).toBe(store);
  });

  it.each([
    ['a missing stack file', 'nope.yml', 'Stack file nope.yml does not exist.'],
    ['an invalid stack file, naming the line', 'broken.yml', 'stack file broken.yml, line 3: asset `app` has engine `mongo`'],
  ])('reports %s instead of a missing store', (_label, stack, message) => {
    expect(() => withStackStore(objectSource({ stack }), env, dir).get('store')).toThrow(message);
  });
});

describe('checkStackStore', () => {
  const stack = parseStackFile(FILE, 'stack file lifeboat.yml', ENGINES);
  it('accepts the store the file names, and refuses another', () => {
    expect(() => checkStackStore(stack, 's3://acme/lifeboat', { BUCKET: 'acme' })).not.toThrow();
    expect(() => checkStackStore(stack, '/elsewhere', { BUCKET: 'acme' })).toThrow('stack file lifeboat.yml names store s3://acme/lifeboat, but the run was given store /elsewhere.');
  });
});
