import { describe, expect, test } from 'vitest';
import { generateAgeIdentity, parseAgeIdentity, parseAgeRecipient } from './keys.js';

/** The X25519 example key pair of the age specification. */
const SPEC_IDENTITY = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX';
const SPEC_RECIPIENT = 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj';

describe('age keys', () => {
  test('the specification\'s identity yields its recipient', () => {
    expect(parseAgeIdentity(SPEC_IDENTITY)?.recipient).toBe(SPEC_RECIPIENT);
    expect(parseAgeRecipient(SPEC_RECIPIENT)?.publicKey).toHaveLength(32);
  });

  test('a generated identity parses back to its recipient', () => {
    const { identity, recipient } = generateAgeIdentity();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    expect(parseAgeIdentity(identity)?.recipient).toBe(recipient);
    expect(parseAgeRecipient(recipient)?.recipient).toBe(recipient);
  });

  test.for([
    ['a changed character (checksum)', SPEC_RECIPIENT.replace('zvky', 'zvkz')],
    ['a cut recipient', SPEC_RECIPIENT.slice(0, -1)],
    ['an identity where a recipient belongs', SPEC_IDENTITY],
    ['another prefix', 'age1pq1' + SPEC_RECIPIENT.slice(5)],
    ['mixed case', SPEC_RECIPIENT.replace('zvky', 'ZVKY')],
  ])('refuses %s as a recipient', ([, text]) => {
    expect(parseAgeRecipient(text!)).toBeUndefined();
  });

  test.for([
    ['a changed character (checksum)', SPEC_IDENTITY.replace('GFPQ', 'GFPR')],
    ['lower case (age writes identities upper case)', SPEC_IDENTITY.toLowerCase()],
    ['a recipient where an identity belongs', SPEC_RECIPIENT],
  ])('refuses %s as an identity', ([, text]) => {
    expect(parseAgeIdentity(text!)).toBeUndefined();
  });
});
