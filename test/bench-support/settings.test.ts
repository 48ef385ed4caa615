import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { benchSettings, median } from './settings.js';

describe('benchmark settings', () => {
  it('defaults to a 1 GiB and a 256 MiB database, both variants, one run, S3 on, a directory dump on every core', () => {
    expect(benchSettings({})).toEqual({ sizeMiB: 1024, smallSizeMiB: 256, variants: ['compressible', 'incompressible'], runs: 1, s3: true, directoryJobs: availableParallelism() });
  });

  it('reads every variable', () => {
    const settings = benchSettings({
      LIFEBOAT_BENCH_SIZE_MB: '50',
      LIFEBOAT_BENCH_SMALL_SIZE_MB: '0',
      LIFEBOAT_BENCH_VARIANTS: ' incompressible ',
      LIFEBOAT_BENCH_RUNS: '3',
      LIFEBOAT_BENCH_S3: 'FALSE',
      LIFEBOAT_BENCH_DIRECTORY_JOBS: '0',
    });
    expect(settings).toEqual({ sizeMiB: 50, smallSizeMiB: 0, variants: ['incompressible'], runs: 3, s3: false, directoryJobs: 0 });
  });

  it.each([
    ['LIFEBOAT_BENCH_SIZE_MB', '1GB', /LIFEBOAT_BENCH_SIZE_MB must be a whole number of at least 1, not "1GB"/],
    ['LIFEBOAT_BENCH_SIZE_MB', '0', /LIFEBOAT_BENCH_SIZE_MB must be a whole number of at least 1/],
    ['LIFEBOAT_BENCH_SMALL_SIZE_MB', '-5', /LIFEBOAT_BENCH_SMALL_SIZE_MB must be a whole number of at least 0/],
    ['LIFEBOAT_BENCH_RUNS', '1.5', /LIFEBOAT_BENCH_RUNS must be a whole number/],
    ['LIFEBOAT_BENCH_VARIANTS', 'compressible,random', /unknown variant "random"; use compressible, incompressible/],
    ['LIFEBOAT_BENCH_S3', 'yes', /LIFEBOAT_BENCH_S3 must be true or false, not "yes"/],
    ['LIFEBOAT_BENCH_DIRECTORY_JOBS', 'all', /LIFEBOAT_BENCH_DIRECTORY_JOBS must be a whole number of at least 0/],
  ])('refuses %s=%s, naming the variable and what it takes', (name, value, message) => {
    expect(() => benchSettings({ [name]: value })).toThrow(message);
  });

  it('takes the median, the lower middle one for an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([7])).toBe(7);
  });
});
