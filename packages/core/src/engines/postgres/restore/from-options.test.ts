import { describe, expect, test } from 'vitest';
import { defaultRestoreJobs } from './from-options.js';

describe('default pg_restore jobs (restore-jobs empty)', () => {
  test.each([
    [1, 1],
    [2, 2],
    [4, 4],
    [16, 16],
    [64, 16],
    [0, 1],
  ])('%i cores: %i jobs', (cores, jobs) => {
    expect(defaultRestoreJobs(cores)).toBe(jobs);
  });
});
