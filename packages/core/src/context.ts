import { tmpdir } from 'node:os';
import type { Reporter } from './report/reporter.js';

type Env = Record<string, string | undefined>;

/** Where a run came from, recorded in manifests and evidence. */
export type Provenance = {
  readonly repository?: string;
  readonly workflow?: string;
  readonly runId?: string;
  readonly runAttempt?: string;
  readonly commit?: string;
  readonly ref?: string;
  readonly actor?: string;
  readonly runUrl?: string;
  /** Host name of the machine when not on a GitHub runner. */
  readonly host?: string;
};

/** What every core operation receives besides its options. */
export interface RunContext {
  readonly reporter: Reporter;
  readonly env: Env;
  /** Which adapter runs the operation; some features (artifacts) exist only in actions. */
  readonly surface: 'action' | 'cli' | 'library';
  /** Scratch space for ciphertext downloads and restores; the runner's temp in Actions. */
  readonly tempDir: string;
  readonly signal?: AbortSignal;
  /** The clock, injectable so age and retention decisions are testable. */
  now(): Date;
}

/** Builds a context with the process's env, clock and temp dir. */
export function createContext(reporter: Reporter, surface: RunContext['surface'], env: Env = process.env): RunContext {
  return {
    reporter,
    env,
    surface,
    tempDir: env.RUNNER_TEMP || tmpdir(),
    now: () => new Date(),
  };
}

/** Run provenance from the GitHub Actions environment (empty fields outside Actions). */
export function provenanceFromEnv(env: Env, host?: string): Provenance {
  const server = env.GITHUB_SERVER_URL;
  const repository = env.GITHUB_REPOSITORY;
  const runId = env.GITHUB_RUN_ID;
  const provenance: Provenance = {
    repository,
    workflow: env.GITHUB_WORKFLOW,
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    commit: env.GITHUB_SHA,
    ref: env.GITHUB_REF,
    actor: env.GITHUB_ACTOR,
    runUrl: server && repository && runId ? `${server}/${repository}/actions/runs/${runId}` : undefined,
    host: env.GITHUB_ACTIONS === 'true' ? undefined : host,
  };
  return Object.fromEntries(Object.entries(provenance).filter(([, v]) => v !== undefined && v !== '')) as Provenance;
}
