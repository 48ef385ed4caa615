import { describe, expect, it } from 'vitest';
import { archivePaths, parseSums, safeEntryName, sumsLine } from './paths.js';

describe('archivePaths', () => {
  it.each([
    [['etc/app.yaml', 'data/seed.json', 'deploy/'], ['data/seed.json', 'deploy', 'etc/app.yaml']],
    [['./etc//app.yaml', 'etc/app.yaml'], ['etc/app.yaml']],
    [['a/b/../c', ' d '], ['a/c', 'd']],
    [['.'], ['.']],
  ])('%j → %j', (given, names) => {
    expect(archivePaths(given)).toEqual(names);
  });

  it.each([
    [[], /`paths` is empty/],
    [[' '], /`paths` is empty/],
    [['/etc/app.yaml'], /is absolute/],
    [['../secrets'], /leads outside `files-root`/],
    [['a/../../b'], /leads outside/],
    [['SHA256SUMS'], /named like the archive's own `SHA256SUMS`/],
    [['deploy', 'deploy/app.yaml'], /deploy\/app.yaml is inside deploy, which is listed too/],
    [['.', 'etc'], /etc is inside the root/],
  ])('refuses %j', (given, message) => {
    expect(() => archivePaths(given)).toThrow(message);
  });
});

describe('SHA256SUMS lines', () => {
  const hash = 'a'.repeat(64);
  it.each([['etc/app.yaml'], ['with space.txt'], ['back\\slash'], ['new\nline']])('%j round-trips', (name) => {
    expect(parseSums(sumsLine(hash, name))).toEqual(new Map([[name, hash]]));
  });
  it('writes plain names as sha256sum does', () => {
    expect(sumsLine(hash, 'etc/app.yaml')).toBe(`${hash}  etc/app.yaml\n`);
    expect(sumsLine(hash, 'a\\b')).toBe(`\\${hash}  a\\\\b\n`);
  });
  it('refuses a line that is not one', () => {
    expect(() => parseSums('nothing here\n')).toThrow(/not a sha256sum line/);
  });
});

describe('safeEntryName', () => {
  it.each([
    ['etc/app.yaml', true],
    ['deploy/', true],
    ['/etc/passwd', false],
    ['../x', false],
    ['a/../../x', false],
    ['a//b', false],
    ['./a', false],
    ['', false],
  ])('%j → %s', (name, safe) => {
    expect(safeEntryName(name)).toBe(safe);
  });
});
