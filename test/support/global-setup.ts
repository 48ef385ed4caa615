import type { TestProject } from 'vitest/node';
import { ensureNode24 } from './node24.js';

declare module 'vitest' {
  export interface ProvidedContext {
    node24: string;
  }
}

/** Runs once before all tests: fetch Node 24 for the action smoke tests if it is missing. */
export default function setup(project: TestProject): void {
  project.provide('node24', ensureNode24());
}
