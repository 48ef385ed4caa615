import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './command-line.js';
import { onPath, programsOf } from './preflight.js';
import { PRESETS } from './presets.js';

describe('programsOf', () => {
  it.each([
    ['a list names its program', { backup: parseCommandLine('[mydump, --all]', 'c') }, ['mydump']],
    ['a script names none', { backup: parseCommandLine('mydump | gzip', 'c') }, []],
    ['a list count command adds its program', { backup: parseCommandLine('x | y', 'c'), count: parseCommandLine('[counter]', 'c') }, ['counter']],
    ['a preset names its tools', { backup: PRESETS.mariadb.backup({}), count: PRESETS.mariadb.count('SOURCE'), preset: PRESETS.mariadb }, ['mariadb-dump', 'mariadb']],
    ['mongodb: the dump tool and mongosh', { backup: PRESETS.mongodb.backup({}), count: PRESETS.mongodb.count('SOURCE'), preset: PRESETS.mongodb }, ['mongodump', 'mongosh']],
  ])('%s', (_what, settings, programs) => {
    expect(programsOf(settings)).toEqual(programs);
  });
});

describe('onPath', () => {
  it('finds programs on PATH and by path', () => {
    expect(onPath('sh', '/nonexistent:/bin:/usr/bin')).toBe(true);
    expect(onPath('no-such-program-x', '/bin:/usr/bin')).toBe(false);
    expect(onPath('/bin/sh', '')).toBe(true);
  });
});
