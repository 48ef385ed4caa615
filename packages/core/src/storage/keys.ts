import { InvalidKeyError } from './errors.js';

/**
 * Keys are the same on every store: relative `a/b/c` paths. Refusing anything else here
 * keeps a key from escaping a local store's folder or meaning different things on S3.
 */
function problem(segments: string[]): string | undefined {
  for (const segment of segments) {
    if (segment === '') return 'it has an empty path segment';
    if (segment === '.' || segment === '..') return `it has a '${segment}' segment`;
  }
  return undefined;
}

/** Throws InvalidKeyError unless `key` is a relative `a/b/c` path; returns it. */
export function checkKey(key: string): string {
  if (key === '') throw new InvalidKeyError(key, 'it is empty');
  const reason =
    /[\u0000-\u001f\\]/.test(key) ? 'it has a backslash or control character' : problem(key.split('/'));
  if (reason) throw new InvalidKeyError(key, reason);
  return key;
}

/** Like `checkKey`, but empty (everything) and a trailing `/` are allowed. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** Joins a store's root prefix (possibly empty) and a key. */
export function joinKey(root: string, key: string): string {
  return root === '' ? key : `${root}/${key}`;
}
