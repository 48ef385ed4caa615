import type pg from 'pg';

let loaded: Promise<typeof pg> | undefined;

/** node-postgres, loaded on first use: runs of other engines never pay for it (about 11 MiB of memory). */
export function loadPg(): Promise<typeof pg> {
  loaded ??= import('pg').then((module) => module.default);
  return loaded;
}
