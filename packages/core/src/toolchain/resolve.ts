import type { RunContext } from '../context.js';
import { discoverClients, type PgClientInstallation, type PgTool } from './discover.js';
import { ClientInstallError, refusalError } from './errors.js';
import { installPostgresClient } from './install.js';
import { detectPlatform, installSupport, type PlatformInfo } from './platform.js';
import { clientCompat, selectPostgresClient, type ClientCompat, type ClientPurpose } from './select.js';

/** What a backup or restore needs a client for. */
export interface ResolveClientOptions {
  readonly purpose: ClientPurpose;
  /** Major of the server the client talks to: the source (dump) or the target (restore). */
  readonly serverMajor: number;
  /** Restore: major of the pg_dump that wrote the archive (from the manifest). */
  readonly archiveMajor?: number;
  /** Restore: major of the server the backup was taken from (from the manifest). */
  readonly sourceMajor?: number;
  /** The operator's `postgres-client-version`. */
  readonly override?: number;
  readonly context: RunContext;
}

/** The client to run, and what its version means for the server on the other side. */
export interface ResolvedClient {
  /** Folder holding the client's tools; run tools from here, not from PATH. */
  readonly binDir: string;
  readonly major: number;
  readonly version: string;
  /** Tools present in `binDir`, name → absolute path (pg_dump, pg_restore, pg_dumpall, psql). */
  readonly tools: Readonly<Partial<Record<PgTool, string>>>;
  /** Absolute path of the tool for the purpose: pg_dump (dump) or pg_restore (restore). */
  readonly tool: string;
  /** `SET transaction_timeout` handling the caller must apply (see ClientCompat). */
  readonly compat: ClientCompat;
  /** True when this run installed the client. */
  readonly installed: boolean;
  /** Why this client, in sentences for the log and the summary. */
  readonly notes: readonly string[];
}

/** The parts of the machine the resolver touches, replaceable where the real one cannot run. */
export interface ToolchainHost {
  platform(): Promise<PlatformInfo>;
  discover(env: Record<string, string | undefined>, platform: PlatformInfo): Promise<PgClientInstallation[]>;
  install(major: number, platform: PlatformInfo, context: RunContext): Promise<void>;
}

/** This machine: /etc/os-release, the client folders, apt and the Actions cache. */
export const systemToolchainHost: ToolchainHost = {
  platform: detectPlatform,
  discover: discoverClients,
  install: installPostgresClient,
};

function resolved(
  client: PgClientInstallation,
  options: ResolveClientOptions,
  notes: readonly string[],
  installed: boolean,
): ResolvedClient {
  const toolName = options.purpose === 'dump' ? 'pg_dump' : 'pg_restore';
  return {
    binDir: client.binDir,
    major: client.major,
    version: client.version,
    tools: client.tools,
    tool: client.tools[toolName]!,
    compat: clientCompat(options.purpose, client.major, options.serverMajor),
    installed,
    notes,
  };
}

/**
 * Finds (or, on GitHub-hosted Ubuntu runners, installs) the pg_dump or pg_restore whose
 * major fits the server, and says why. Throws ClientTooOldError, ClientMissingError,
 * RestoreTargetTooOldError or ClientInstallError with the fix.
 */
export async function resolvePostgresClient(options: ResolveClientOptions, host: ToolchainHost = systemToolchainHost): Promise<ResolvedClient> {
  const { context } = options;
  const platform = await host.platform();
  const installed = await host.discover(context.env, platform);
  const request = {
    purpose: options.purpose,
    serverMajor: options.serverMajor,
    archiveMajor: options.archiveMajor,
    sourceMajor: options.sourceMajor,
    override: options.override,
    installed,
    install: installSupport(context.env, platform),
    platform,
  };
  context.reporter.debug(`PostgreSQL clients found: ${installed.map((c) => `${c.version} (${c.binDir})`).join(', ') || 'none'}.`);
  const decision = selectPostgresClient(request);
  if (decision.kind === 'refuse') throw refusalError(decision);
  if (decision.kind === 'use') {
    for (const note of decision.notes) context.reporter.info(note);
    return resolved(decision.client, options, decision.notes, false);
  }

  for (const note of decision.notes) context.reporter.info(note);
  try {
    await host.install(decision.major, platform, context);
  } catch (error) {
    if (!decision.fallback) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const note = `Installing the PostgreSQL ${decision.major} client failed (${reason}); using ${decision.fallback.version} from ${decision.fallback.binDir} instead.`;
    context.reporter.warning(note);
    return resolved(decision.fallback, options, [...decision.notes, note], false);
  }
  const after = await host.discover(context.env, platform);
  const toolName = options.purpose === 'dump' ? 'pg_dump' : 'pg_restore';
  const client = after.find((c) => c.major === decision.major && c.tools[toolName] !== undefined);
  if (!client) {
    throw new ClientInstallError(
      `The PostgreSQL ${decision.major} client was installed, but no ${toolName} ${decision.major} was found afterwards (found: ${after.map((c) => `${c.version} in ${c.binDir}`).join(', ') || 'none'}).`,
      `Check the install log above; set postgres-client-version to a major the runner already has.`,
    );
  }
  const note = `Using ${toolName} ${client.version} from ${client.binDir}.`;
  context.reporter.info(note);
  return resolved(client, options, [...decision.notes, note], true);
}
