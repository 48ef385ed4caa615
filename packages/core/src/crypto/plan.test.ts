import { describe, expect, test } from 'vitest';
import { chooseScheme } from './plan.js';

describe('chooseScheme', () => {
  const keys = (ageRecipients: boolean, openpgpKeys: boolean, passphrase: boolean) => ({ ageRecipients, openpgpKeys, passphrase });
  test.for([
    ['auto', keys(true, false, false), 'age'],
    ['auto', keys(false, true, false), 'openpgp'],
    ['auto', keys(false, true, true), 'openpgp'],
    ['auto', keys(false, false, true), 'openpgp'],
    ['age', keys(false, false, true), 'age'],
    ['age', keys(true, false, false), 'age'],
    ['openpgp', keys(false, false, true), 'openpgp'],
    ['openpgp', keys(false, true, false), 'openpgp'],
  ] as const)('%s with %o → %s', ([setting, given, scheme]) => {
    expect(chooseScheme(setting, given)).toEqual({ scheme });
  });

  test.for([
    ['auto', keys(true, true, false), 'both age recipients'],
    ['age', keys(true, true, false), 'both age recipients'],
    ['openpgp', keys(true, false, false), '`encryption` is `openpgp`'],
    ['age', keys(false, true, false), '`encryption` is `age`'],
    ['auto', keys(true, false, true), 'recipients and a passphrase'],
    ['age', keys(true, false, true), 'recipients and a passphrase'],
  ] as const)('%s with %o is refused', ([setting, given, problem]) => {
    const choice = chooseScheme(setting, given);
    expect('problem' in choice && choice.problem).toContain(problem);
  });
});
