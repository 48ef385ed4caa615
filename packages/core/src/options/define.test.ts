import { afterEach, describe, expect, it } from 'vitest';
import { OptionError } from '../report/errors.js';
import { clearSecretsForTests, redact } from '../report/secrets.js';
import { defineOperation, envName, opt, resolveOptions } from './define.js';
import { actionInputSource, cliSource } from './sources.js';

const operation = defineOperation({
  command: 'sample',
  summary: 'A sample operation.',
  options: {
    store: opt.string({ required: true, description: 'Where.' }),
    'max-age': opt.duration({ default: '26h', description: 'How old.' }),
    jobs: opt.integer({ default: '2', min: 1, max: 8, description: 'How many.' }),
    mode: opt.enum(['fast', 'safe'] as const, { default: 'safe', description: 'How.' }),
    token: opt.string({ secret: true, description: 'Secret.' }),
    'cli-only': opt.boolean({ default: 'false', surfaces: ['cli'], description: 'Terminal only.' }),
  },
  outputs: {},
});

afterEach(() => clearSecretsForTests());

describe('resolveOptions', () => {
  it('parses values and fills defaults, with camelCase keys', () => {
    const options = resolveOptions(operation, cliSource({ store: '/backups', jobs: '4' }, {}));
    expect(options).toEqual({ store: '/backups', maxAge: 93_600_000, jobs: 4, mode: 'safe', cliOnly: false });
  });

  it('reads action inputs the way the runner passes them, then LIFEBOAT_* env vars', () => {
    const env = { 'INPUT_STORE': 's3://bucket/x', 'INPUT_MAX-AGE': '', [envName('max-age')]: '2d', INPUT_MODE: 'FAST' };
    const options = resolveOptions(operation, actionInputSource(env));
    expect(options.store).toBe('s3://bucket/x');
    expect(options.maxAge).toBe(172_800_000);
    expect(options.mode).toBe('fast');
  });

  it('prefers a flag over the env var', () => {
    const options = resolveOptions(operation, cliSource({ store: 'a' }, { LIFEBOAT_STORE: 'b' }));
    expect(options.store).toBe('a');
  });

  it('names a missing required option in the vocabulary of its surface', () => {
    expect(() => resolveOptions(operation, actionInputSource({}))).toThrow(/Missing required input `store`/);
    expect(() => resolveOptions(operation, cliSource({}, {}))).toThrow(/--store \(or LIFEBOAT_STORE\)/);
  });

  it('names the bad value and the accepted form, for every bad option at once', () => {
    let error: unknown;
    try {
      resolveOptions(operation, cliSource({ store: 'x', 'max-age': 'soon', jobs: '9', mode: 'reckless' }, {}));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OptionError);
    const message = (error as Error).message;
    expect(message).toContain("--max-age (or LIFEBOAT_MAX_AGE) (got 'soon'): expected a duration like");
    expect(message).toContain("(got '9'): expected a whole number from 1 to 8");
    expect(message).toContain("(got 'reckless'): expected one of `fast`, `safe`");
  });

  it('never echoes a secret, and registers it before validation can fail', () => {
    const registered: string[] = [];
    const secretOperation = defineOperation({
      command: 's',
      summary: 's',
      options: { pin: opt.integer({ secret: true, description: 'A secret number.' }) },
      outputs: {},
    });
    expect(() =>
      resolveOptions(secretOperation, cliSource({ pin: 'hunter2-not-a-number' }, {}), (v) => registered.push(v)),
    ).toThrow(/^Invalid --pin \(or LIFEBOAT_PIN\): expected a whole number\.$/);
    expect(registered).toEqual(['hunter2-not-a-number']);
  });

  it('ignores an option offered on the other surface, keeping its default', () => {
    const options = resolveOptions(operation, actionInputSource({ INPUT_STORE: 'x', 'INPUT_CLI-ONLY': 'true' }));
    expect(options.cliOnly).toBe(false);
  });
});

describe('redact', () => {
  it('hides passwords inside URLs even when never registered', () => {
    expect(redact('connect postgres://app:s3cr%40t@db:5432/prod failed')).toBe('connect postgres://app:***@db:5432/prod failed');
  });
});
