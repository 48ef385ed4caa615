import { describe, expect, it } from 'vitest';
import { childEnv, isInheritable } from './child-env.js';

describe('childEnv', () => {
  const runner = {
    PATH: '/usr/bin',
    HOME: '/home/runner',
    LC_ALL: 'C.UTF-8',
    LIFEBOAT_IDENTITY: '-----BEGIN PGP PRIVATE KEY BLOCK-----',
    LIFEBOAT_PASSPHRASE: 'secret',
    AWS_SECRET_ACCESS_KEY: 'aws',
    GITHUB_TOKEN: 'ghs_x',
    ACTIONS_RUNTIME_TOKEN: 'rt',
    PGPASSWORD: 'from-the-runner',
    UNSET: undefined,
  };

  it('keeps what finds programs and sets the locale, and nothing that holds secrets', () => {
    expect(childEnv(runner)).toEqual({ PATH: '/usr/bin', HOME: '/home/runner', LC_ALL: 'C.UTF-8' });
  });

  it('adds what the program needs and removes what it must not see', () => {
    expect(childEnv(runner, { PGPASSWORD: 'target', HOME: undefined })).toEqual({ PATH: '/usr/bin', LC_ALL: 'C.UTF-8', PGPASSWORD: 'target' });
  });

  it.each([
    ['PATH', true],
    ['LC_MESSAGES', true],
    ['LIFEBOAT_IDENTITY', false],
    ['GITHUB_TOKEN', false],
    ['AWS_ACCESS_KEY_ID', false],
    ['PGPASSWORD', false],
  ])('%s inheritable: %s', (name, expected) => {
    expect(isInheritable(name)).toBe(expected);
  });
});
