import { tmpdir } from 'node:os';
import type { TestProject } from 'vitest/node';
import { leftoversSince, lifeboatEntries } from './leftovers.js';
import { ensureNode24 } from './node24.js';

declare module 'vitest' {
  export interface ProvidedContext {
    node24: string;
  }
}

/**
 * Runs once before all tests: fetch Node 24 for the action smoke tests if it is missing. The
 * teardown fails the run when the tests left Lifeboat's temp folders, dumps or keys behind.
 */
export default function setup(project: TestProject): () => void {
  project.provide('node24', ensureNode24());
  const before = lifeboatEntries();
  return () => {
    const left = leftoversSince(before);
    if (left.length > 0) {
      throw new Error(`The tests left ${left.length} item(s) in ${tmpdir()}: ${left.slice(0, 20).join(', ')}${left.length > 20 ? ', …' : ''}. Each test removes what it creates.`);
    }
  };
}
