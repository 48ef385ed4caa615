import { describe, expect, it } from 'vitest';
import { chooseSample, matchOf, planObject, seal, unseal, type RefsEntry } from './object-index.js';

const id = { url: 's3://proofs/app/a b/ü.json', etag: '"abc"', size: 10 };
const sha = 'a'.repeat(64);

function refsFor(identity: typeof id, facts = { sha256: sha }): RefsEntry {
  return { path: 'objects/20260101T000000Z-aaaaaa/0.pgp', blobSize: 99, blobSha256: 'b'.repeat(64), match: matchOf(identity), seal: seal(identity, facts) };
}

describe('planObject', () => {
  const listed = { key: 'a b/ü.json', size: 10, etag: '"abc"', lastModified: '2026-01-01T00:00:00.000Z' };

  it('references an object whose location, ETag and size are the previous backup\'s, with its SHA-256 and version id from the seal', () => {
    const refs = refsFor(id, { sha256: sha, versionId: 'v1' } as { sha256: string });
    const plan = planObject(listed, id, new Map([[refs.match, refs]]));
    expect(plan).toMatchObject({ action: 'reference', entry: { key: 'a b/ü.json', sha256: sha, versionId: 'v1', blob: refs.path, blobSize: 99 } });
  });

  it.each([
    ['the ETag changed', { ...id, etag: '"def"' }],
    ['the size changed', { ...id, size: 11 }],
    ['the key changed', { ...id, url: 's3://proofs/app/other' }],
  ])('copies when %s', (_why, now) => {
    const refs = refsFor(id);
    expect(planObject({ ...listed, etag: now.etag, size: now.size }, now, new Map([[refs.match, refs]])).action).toBe('copy');
  });

  it('copies when the seal does not open (the refs file was altered) or there is no ETag', () => {
    const refs = { ...refsFor(id), seal: refsFor({ ...id, etag: '"x"' }).seal };
    expect(planObject(listed, id, new Map([[refs.match, refs]])).action).toBe('copy');
    expect(planObject({ ...listed, etag: '' }, { ...id, etag: '' }, new Map()).action).toBe('copy');
  });
});

describe('seal', () => {
  it('opens only with the same facts, and reveals nothing in plaintext', () => {
    const sealed = seal(id, { sha256: sha });
    expect(sealed).not.toContain(sha);
    expect(unseal(id, sealed)).toEqual({ sha256: sha });
    expect(unseal({ ...id, size: 11 }, sealed)).toBeUndefined();
    expect(unseal(id, 'zz')).toBeUndefined();
  });
});

describe('chooseSample', () => {
  const entries = [{ size: 5 }, { size: 50 }, { size: 1 }, { size: 7 }];
  it.each([
    [undefined, 4],
    [10, 4],
    [2, 2],
    [1, 1],
  ])('sample %s of 4 gives %i, always the largest', (sample, count) => {
    const chosen = chooseSample(entries, sample, () => 0.3);
    expect(chosen).toHaveLength(count);
    expect(chosen).toContainEqual({ size: 50 });
  });
});
