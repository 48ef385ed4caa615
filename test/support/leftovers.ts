import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Names in the temp folder that only Lifeboat and its tests create: folders holding dumps,
 * keys, stores, evidence or throwaway servers. Anything else there belongs to other programs.
 */
const OURS = /^lifeboat-|\.pgdump$|\.rdb$|private.*\.asc$|^age-key/;

/** Entries of the temp folder that look like Lifeboat's. */
export function lifeboatEntries(dir = tmpdir()): Set<string> {
  try {
    return new Set(readdirSync(dir).filter((entry) => OURS.test(entry)));
  } catch {
    return new Set();
  }
}

/** What appeared since `before`: a test that leaves plaintext, keys or temp folders behind. */
export function leftoversSince(before: Set<string>, dir = tmpdir()): string[] {
  return [...lifeboatEntries(dir)].filter((entry) => !before.has(entry)).sort();
}
