import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, instantAt, outputSeconds, parseBoolean, parseDuration, parseInstant, parseList, parseSize } from './values.js';

describe('parseDuration', () => {
  it.each([
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['26h', 93_600_000],
    ['90d', 7_776_000_000],
    ['2w', 1_209_600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    [' 7D ', 604_800_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '26', 'h', '1 h', '-1h', '1y', 'abc', '1h 30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [1500, '1.50s'],
    [42_000, '42.0s'],
    [3_723_000, '1h 2m'],
    [93_600_000, '1d 2h'],
  ])('formats %d', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('parseSize and formatBytes', () => {
  it.each([
    ['1048576', 1_048_576],
    ['64MiB', 67_108_864],
    ['64M', 67_108_864],
    ['5GB', 5_000_000_000],
    ['1.5 KiB', 1536],
  ])('reads %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'MiB', '5 parsecs', '-1'])('rejects %j', (text) => expect(parseSize(text)).toBeUndefined());

  it('formats with binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(1024 ** 3 * 12.25)).toBe('12.3 GiB');
  });
});

describe('parseBoolean and parseList', () => {
  it('reads YAML and shell spellings', () => {
    expect(parseBoolean('true')).toBe(true);
    expect(parseBoolean('Yes')).toBe(true);
    expect(parseBoolean('0')).toBe(false);
    expect(parseBoolean('maybe')).toBeUndefined();
  });

  it('splits on newlines and commas, dropping blanks and comments', () => {
    expect(parseList('a, b\n\n# note\nc # trailing\n')).toEqual(['a', 'b', 'c']);
  });
});

describe('outputSeconds', () => {
  it.each([
    [439, 0.439],
    [0, 0],
    [999.6, 1],
    [1500, 1.5],
    [90 * 86_400_000, 7_776_000],
    [3_723_004.4, 3723.004],
  ])('%d ms is %d s: fractional, never rounded to whole seconds', (ms, seconds) => {
    expect(outputSeconds(ms)).toBe(seconds);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-01-01', { at: new Date('2026-01-01T00:00:00Z') }],
    ['2026-03-15T10:30:00Z', { at: new Date('2026-03-15T10:30:00Z') }],
    ['2026-03-15T10:30:00+02:00', { at: new Date('2026-03-15T08:30:00Z') }],
    ['365d', { agoMs: 365 * 86_400_000 }],
    ['12h', { agoMs: 12 * 3_600_000 }],
    ['yesterday', undefined],
    ['2026-02-30', undefined],
    ['2026-13-01', undefined],
    ['2026-01-01 10:00', undefined],
    ['', undefined],
  ])('%s', (text, expected) => {
    expect(parseInstant(text)).toEqual(expected);
  });

  it('a duration counts back from the clock given', () => {
    expect(instantAt({ agoMs: 86_400_000 }, new Date('2026-03-02T00:00:00Z'))).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(instantAt({ at: new Date('2025-01-01T00:00:00Z') }, new Date('2026-03-02T00:00:00Z'))).toEqual(new Date('2025-01-01T00:00:00Z'));
  });
});
