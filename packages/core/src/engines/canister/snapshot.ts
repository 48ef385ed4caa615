import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunContext } from '../../context.js';
import { childEnv } from '../../process/child-env.js';
import { runTool, ToolMissingError } from '../../process/spawn-tool.js';
import { OptionError } from '../../report/errors.js';
import { CanisterSnapshotError, DfxMissingError, DfxVersionError } from './errors.js';

/** The oldest dfx with `canister snapshot create/download`. */
export const MIN_DFX_VERSION = [0, 23, 0] as const;

/** What `snapshotCanisters` does. */
export interface SnapshotOptions {
  /** Canister names (resolved through `dfx.json` in `projectDir`) or ids, snapshotted in order. */
  readonly canisters: readonly string[];
  /** `--network`, e.g. `ic`. */
  readonly network: string;
  /** dfx executable; default `dfx` on PATH. */
  readonly dfx?: string;
  /** Working directory of dfx (where `dfx.json` is). */
  readonly projectDir?: string;
  /** Download each snapshot to `<download>/<canister>-<snapshot-id>/`. */
  readonly download?: string;
  /** Canister → snapshot id to replace (`snapshot create --replace`). */
  readonly replace?: Readonly<Record<string, string>>;
  /** Limit for one dfx command in ms (default 15 minutes); a stuck command is killed, and the canister still started. */
  readonly commandTimeoutMs?: number;
}

/** One snapshot taken. */
export interface SnapshotTaken {
  readonly canister: string;
  readonly snapshotId: string;
  /** Folder the snapshot was downloaded to, when asked. */
  readonly downloadedTo?: string;
}

/** What `snapshotCanisters` returns. */
export interface SnapshotRunResult {
  readonly dfxVersion: string;
  readonly snapshots: SnapshotTaken[];
}

const DEFAULT_COMMAND_TIMEOUT_MS = 15 * 60_000;

/** The dfx version in `dfx --version` output (`dfx 0.24.3`), or undefined. */
export function parseDfxVersion(output: string): [number, number, number] | undefined {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(output);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** The id on the last `Snapshot ID:` line of `dfx canister snapshot create` output, or undefined. */
export function parseSnapshotId(output: string): string | undefined {
  let id: string | undefined;
  for (const match of output.matchAll(/snapshot id:\s*([0-9A-Za-z_-]+)/gi)) id = match[1];
  return id;
}

/** Parses `canister=snapshot-id` pairs; an OptionError names a malformed pair or an unknown canister. */
export function parseReplacePairs(pairs: readonly string[] | undefined, canisters: readonly string[]): Record<string, string> {
  const replace: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const match = /^([^=\s]+)\s*=\s*([0-9A-Za-z_-]+)$/.exec(pair.trim());
    if (!match) {
      throw new OptionError(`snapshot-replace entry '${pair}' is not \`canister=snapshot-id\`.`, 'Write each entry as `hub=0000000000000000ffffffffff9000010101`.');
    }
    if (!canisters.includes(match[1]!)) {
      throw new OptionError(`snapshot-replace names ${match[1]}, which is not in \`canisters\`.`, 'Name only canisters that are snapshotted.');
    }
    replace[match[1]!] = match[2]!;
  }
  return replace;
}

interface DfxRun {
  readonly output: string;
}

/**
 * Takes an on-chain snapshot of each canister: `dfx canister stop` → `snapshot create` →
 * `start`. The canister is started again whatever happened before (a failed stop or create
 * included) and every failed step is reported. Optionally downloads each snapshot. Stops at
 * the first canister that fails, so an operator is never left with several canisters in doubt.
 */
export async function snapshotCanisters(options: SnapshotOptions, context: RunContext): Promise<SnapshotRunResult> {
  const { reporter } = context;
  if (options.canisters.length === 0) {
    throw new OptionError('No canisters to snapshot.', 'Set `canisters` to the canister names or ids, e.g. `hub`.');
  }
  const dfx = options.dfx || 'dfx';
  const cwd = options.projectDir ? resolve(options.projectDir) : undefined;
  const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const run = (args: string[]) => runDfx(dfx, args, { cwd, timeout, env: context.env });
  const dfxVersion = await checkDfx(dfx, cwd, context.env);
  reporter.info(`dfx ${dfxVersion}; network ${options.network}; canisters ${options.canisters.join(', ')}.`);

  const taken: Record<string, string> = {};
  const snapshots: SnapshotTaken[] = [];
  const network = ['--network', options.network];
  for (const canister of options.canisters) {
    const failures: string[] = [];
    let snapshotId: string | undefined;
    reporter.info(`${canister}: stop`);
    let stopped = false;
    try {
      await run(['canister', 'stop', canister, ...network]);
      stopped = true;
    } catch (error) {
      failures.push(`stop failed: ${(error as Error).message}`);
    }
    if (stopped) {
      const replace = options.replace?.[canister];
      reporter.info(`${canister}: snapshot create${replace ? ` (replacing ${replace})` : ''}`);
      try {
        const created = await run(['canister', 'snapshot', 'create', canister, ...(replace ? ['--replace', replace] : []), ...network]);
        snapshotId = parseSnapshotId(created.output);
        if (!snapshotId) {
          failures.push(
            `snapshot create printed no "Snapshot ID:" line; a snapshot may exist: list them with \`${dfx} canister snapshot list ${canister} --network ${options.network}\``,
          );
        }
      } catch (error) {
        failures.push(`snapshot create failed: ${(error as Error).message}`);
      }
    }
    // Always: a canister left stopped is an outage.
    reporter.info(`${canister}: start`);
    let startFailed = false;
    try {
      await run(['canister', 'start', canister, ...network]);
    } catch (error) {
      startFailed = true;
      failures.push(`start failed: ${(error as Error).message}`);
    }
    if (failures.length > 0) {
      const state = startFailed
        ? `${canister} may be left STOPPED: start it now with \`${dfx} canister start ${canister} --network ${options.network}\``
        : `${canister} was started again`;
      throw new CanisterSnapshotError(
        `Snapshot of ${canister} failed: ${failures.join('; ')}. ${state}.${describeTaken(taken)}`,
        startFailed
          ? 'Start the canister first; then check the controller identity (`dfx identity whoami`), the network and the cycles balance, and run again.'
          : 'Check the controller identity (`dfx identity whoami`), the network, the cycles balance and the 10-snapshot limit (`snapshot-replace`), then run again.',
        { ...taken },
      );
    }
    const id = snapshotId!;
    taken[canister] = id;
    reporter.info(`${canister}: snapshot ${id}`);
    let downloadedTo: string | undefined;
    if (options.download) {
      downloadedTo = join(resolve(options.download), `${canister}-${id}`);
      await mkdir(downloadedTo, { recursive: true });
      reporter.info(`${canister}: snapshot download → ${downloadedTo}`);
      try {
        await run(['canister', 'snapshot', 'download', canister, id, '--dir', downloadedTo, ...network]);
      } catch (error) {
        throw new CanisterSnapshotError(
          `Download of snapshot ${id} of ${canister} failed: ${(error as Error).message}. The snapshot exists on chain and ${canister} is running.${describeTaken(taken)}`,
          'Check free disk space and the network; the download can be retried with `dfx canister snapshot download`.',
          { ...taken },
        );
      }
    }
    snapshots.push(downloadedTo ? { canister, snapshotId: id, downloadedTo } : { canister, snapshotId: id });
  }
  return { dfxVersion, snapshots };
}

/** Finds dfx and checks it is at least 0.23; returns its version. */
export async function checkDfx(dfx: string, cwd?: string, env?: Record<string, string | undefined>): Promise<string> {
  let output: string;
  try {
    output = (await runDfx(dfx, ['--version'], { cwd, timeout: 60_000, env })).output;
  } catch (error) {
    if ((error as { missing?: boolean }).missing) {
      throw new DfxMissingError(
        `dfx was not found (${dfx}).`,
        'Install the IC SDK (dfx 0.23 or newer) on the runner, or set `dfx` to its path.',
      );
    }
    throw new DfxMissingError(`\`${dfx} --version\` failed: ${(error as Error).message}.`, 'Check the dfx installation on the runner.');
  }
  const version = parseDfxVersion(output);
  if (!version) throw new DfxMissingError(`\`${dfx} --version\` printed no version ('${output.trim().slice(0, 80)}').`, 'Check `dfx` points at the IC SDK\'s dfx.');
  const text = version.join('.');
  if (compareVersions(version, MIN_DFX_VERSION) < 0) {
    throw new DfxVersionError(
      `dfx ${text} is too old for canister snapshots (needs ${MIN_DFX_VERSION.join('.')} or newer).`,
      'Upgrade the IC SDK on the runner: `dfxvm update` (or install dfx 0.23+).',
    );
  }
  return text;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function describeTaken(taken: Record<string, string>): string {
  const entries = Object.entries(taken);
  return entries.length > 0 ? ` Snapshots taken before: ${entries.map(([c, id]) => `${c}=${id}`).join(', ')}.` : '';
}

/**
 * What dfx needs from the runner besides the allow-listed basics: its own settings, and the
 * session bus and XDG folders through which it reaches a keyring-stored identity.
 */
export function dfxEnv(env: Record<string, string | undefined>): Record<string, string> {
  const extra = Object.entries(env).filter(([name, value]) => value !== undefined && (/^(DFX_|XDG_)/.test(name) || name === 'DBUS_SESSION_BUS_ADDRESS'));
  return childEnv(env, Object.fromEntries(extra));
}

/** Runs dfx without a terminal (it must never wait for a prompt); rejects with its exit code and the end of its output. */
async function runDfx(
  dfx: string,
  args: string[],
  options: { cwd?: string; timeout: number; env?: Record<string, string | undefined> },
): Promise<DfxRun> {
  const stderr: string[] = [];
  let kept = 0;
  const result = await runTool(dfx, args, {
    cwd: options.cwd,
    timeoutMs: options.timeout,
    env: dfxEnv({ ...process.env, ...options.env }),
    maxStdout: 16 * 1024 * 1024,
    onStderrLine: (line) => {
      if (kept > 16 * 1024 * 1024) return;
      kept += line.length;
      stderr.push(line);
    },
  });
  const output = `${result.stdout}${stderr.map((line) => `${line}\n`).join('')}`;
  if (result.spawnError) {
    const code = (result.spawnError as NodeJS.ErrnoException).code;
    if (result.spawnError instanceof ToolMissingError || code === 'EACCES') throw Object.assign(new Error(`${dfx}: ${code ?? 'ENOENT'}`), { missing: true });
    throw new Error(`\`dfx ${args.join(' ')}\` could not start: ${result.spawnError.message}`);
  }
  if (result.exitCode === 0) return { output };
  const tail = output.trim().split('\n').slice(-3).join(' ').slice(0, 400);
  const how = result.timedOut ? `was stopped after ${Math.round(options.timeout / 1000)}s` : `exited with ${String(result.exitCode ?? result.signal)}`;
  throw new Error(`\`dfx ${args.join(' ')}\` ${how}${tail ? `: ${tail}` : ''}`);
}
