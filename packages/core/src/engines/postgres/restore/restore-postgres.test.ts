import { describe, expect, it } from 'vitest';
import { restorePasses } from './restore-postgres.js';

describe('restorePasses', () => {
  it.each([
    [1, false, [['--jobs=1']]],
    [1, true, [['--jobs=1']]],
    [0, false, [['--jobs=1']]],
    [4, false, [['--jobs=4']]],
    [
      2,
      true,
      [
        ['--jobs=2', '--section=pre-data', '--section=data'],
        ['--jobs=1', '--section=post-data'],
      ],
    ],
  ])('%i jobs, partition indexes attached: %s', (jobs, attaches, expected) => {
    expect(restorePasses(jobs, attaches)).toEqual(expected);
  });
});
