import type { PgClientInstallation } from './discover.js';
import { installHint, type InstallSupport, type PlatformInfo } from './platform.js';
import { TRANSACTION_TIMEOUT_MAJOR } from './version.js';

/** What the client is for: `dump` (pg_dump a source) or `restore` (pg_restore into a target). */
export type ClientPurpose = 'dump' | 'restore';

/** Everything the choice of a client depends on; no I/O happens while choosing. */
export interface ClientRequest {
  readonly purpose: ClientPurpose;
  /** Major of the server the client talks to: the source (dump) or the target (restore). */
  readonly serverMajor: number;
  /** Restore: major of the pg_dump that wrote the archive (the manifest's client version). */
  readonly archiveMajor?: number;
  /** Restore: major of the server the backup was taken from. */
  readonly sourceMajor?: number;
  /** The operator's `postgres-client-version`. */
  readonly override?: number;
  /** Clients found on this machine, in discovery order. */
  readonly installed: readonly PgClientInstallation[];
  /** Whether this run may install a client (GitHub-hosted Ubuntu runners only). */
  readonly install: InstallSupport;
  /** Used to name the exact install command in refusals. */
  readonly platform: PlatformInfo;
}

/**
 * What the SQL stream of a client means for the server it is replayed into. pg_dump and
 * pg_restore ≥ 17 write `SET transaction_timeout = 0`, which servers < 17 reject.
 */
export interface ClientCompat {
  /** The client writes `SET transaction_timeout` into the SQL it produces or sends. */
  readonly emitsTransactionTimeout: boolean;
  /**
   * Restore only: the target server is < 17 and the client ≥ 17, so the restore must drop
   * `SET transaction_timeout` (e.g. `pg_restore -f -` filtered into psql) or it fails.
   */
  readonly stripTransactionTimeout: boolean;
}

/** Why a client was refused; each maps to an error class the operator can act on. */
export type RefusalCode = 'client-too-old' | 'client-missing' | 'target-too-old';

/** The choice: use an installed client, install one, or refuse with the reason and the fix. */
export type ClientDecision =
  | { readonly kind: 'use'; readonly client: PgClientInstallation; readonly compat: ClientCompat; readonly notes: readonly string[] }
  | {
      readonly kind: 'install';
      readonly major: number;
      readonly compat: ClientCompat;
      /** An installed client that also works, for when the install fails. */
      readonly fallback?: PgClientInstallation;
      readonly notes: readonly string[];
    }
  | {
      readonly kind: 'refuse';
      readonly code: RefusalCode;
      readonly reason: string;
      readonly fix: string;
      /** `target-too-old`: the backup's server major and the target's. */
      readonly majors?: { readonly source: number; readonly target: number };
    };

/** The transaction_timeout consequences of running client `clientMajor` for `purpose`. */
export function clientCompat(purpose: ClientPurpose, clientMajor: number, serverMajor: number): ClientCompat {
  const emits = clientMajor >= TRANSACTION_TIMEOUT_MAJOR;
  return {
    emitsTransactionTimeout: emits,
    stripTransactionTimeout: purpose === 'restore' && emits && serverMajor < TRANSACTION_TIMEOUT_MAJOR,
  };
}

function toolOf(purpose: ClientPurpose): 'pg_dump' | 'pg_restore' {
  return purpose === 'dump' ? 'pg_dump' : 'pg_restore';
}

function hasTool(client: PgClientInstallation, purpose: ClientPurpose): boolean {
  return client.tools[toolOf(purpose)] !== undefined;
}

function describeFound(clients: readonly PgClientInstallation[]): string {
  return clients.length === 0 ? 'none' : clients.map((c) => `${c.version} in ${c.binDir}`).join(', ');
}

function compatNotes(purpose: ClientPurpose, major: number, serverMajor: number): string[] {
  const compat = clientCompat(purpose, major, serverMajor);
  if (compat.stripTransactionTimeout) {
    return [
      `pg_restore ${major} sends \`SET transaction_timeout\`, which PostgreSQL ${serverMajor} rejects: the restore must drop that statement.`,
    ];
  }
  if (purpose === 'dump' && compat.emitsTransactionTimeout && serverMajor < TRANSACTION_TIMEOUT_MAJOR) {
    return [
      `pg_dump ${major} is newer than the server (PostgreSQL ${serverMajor}): restoring this backup needs pg_restore ${major} or newer, and into PostgreSQL < ${TRANSACTION_TIMEOUT_MAJOR} its \`SET transaction_timeout\` must be dropped.`,
    ];
  }
  if (purpose === 'dump' && major > serverMajor) {
    return [`pg_dump ${major} is newer than the server (PostgreSQL ${serverMajor}); restoring this backup needs pg_restore ${major} or newer.`];
  }
  return [];
}

function use(request: ClientRequest, client: PgClientInstallation, why: string): ClientDecision {
  const tool = toolOf(request.purpose);
  return {
    kind: 'use',
    client,
    compat: clientCompat(request.purpose, client.major, request.serverMajor),
    notes: [`Using ${tool} ${client.version} from ${client.binDir}: ${why}.`, ...compatNotes(request.purpose, client.major, request.serverMajor)],
  };
}

function install(request: ClientRequest, major: number, why: string, fallback?: PgClientInstallation): ClientDecision {
  const tool = toolOf(request.purpose);
  return {
    kind: 'install',
    major,
    compat: clientCompat(request.purpose, major, request.serverMajor),
    ...(fallback ? { fallback } : {}),
    notes: [`Installing the PostgreSQL ${major} client (${request.install.reason}): ${why}.`, ...compatNotes(request.purpose, major, request.serverMajor)].concat(
      fallback ? [`If the install fails, ${tool} ${fallback.version} from ${fallback.binDir} is used instead.`] : [],
    ),
  };
}

function installFix(request: ClientRequest, major: number): string {
  const where = request.install.possible ? '' : ` Lifeboat does not install it here (${request.install.reason}).`;
  return `Install the PostgreSQL ${major} client: ${installHint(major, request.platform)}.${where}`;
}

/** The lowest major the client may have: the server's (dump) or the archive writer's (restore). */
function minimumMajor(request: ClientRequest): number | undefined {
  return request.purpose === 'dump' ? request.serverMajor : request.archiveMajor;
}

/**
 * The client major that fits best: the server's for a dump; for a restore, the target's
 * unless the archive needs a newer pg_restore.
 */
export function idealMajor(request: Pick<ClientRequest, 'purpose' | 'serverMajor' | 'archiveMajor'>): number {
  return request.purpose === 'dump' ? request.serverMajor : Math.max(request.archiveMajor ?? request.serverMajor, request.serverMajor);
}

/** Ranks acceptable clients: no statement to strip first, then closest at-or-above the server. */
function rank(request: ClientRequest, client: PgClientInstallation): number[] {
  const strip = clientCompat(request.purpose, client.major, request.serverMajor).stripTransactionTimeout ? 1 : 0;
  const distance = client.major >= request.serverMajor ? client.major - request.serverMajor : 1000 + (request.serverMajor - client.major);
  return [strip, distance];
}

function best(request: ClientRequest, clients: readonly PgClientInstallation[]): PgClientInstallation | undefined {
  return [...clients].sort((a, b) => {
    const [ra, rb] = [rank(request, a), rank(request, b)];
    return ra[0]! - rb[0]! || ra[1]! - rb[1]!;
  })[0];
}

/**
 * Chooses the pg_dump or pg_restore to run. Never a pg_dump older than the server (pg_dump
 * refuses with "server version mismatch"), never a pg_restore older than the pg_dump that
 * wrote the archive (it cannot read the file header), never a restore into a server older
 * than the backup's source. Prefers the server's own major; installs it on GitHub's Ubuntu
 * runners; elsewhere uses a newer client, or refuses with the command to run.
 */
export function selectPostgresClient(request: ClientRequest): ClientDecision {
  const { purpose, serverMajor, override } = request;
  const tool = toolOf(purpose);
  const usable = request.installed.filter((client) => hasTool(client, purpose));
  const min = minimumMajor(request);

  if (purpose === 'restore' && request.sourceMajor !== undefined && serverMajor < request.sourceMajor) {
    return {
      kind: 'refuse',
      code: 'target-too-old',
      reason: `The target server is PostgreSQL ${serverMajor}, older than the PostgreSQL ${request.sourceMajor} this backup was taken from; PostgreSQL does not support restoring a dump into an older major (types, syntax and catalog objects may not exist there).`,
      fix: `Restore into PostgreSQL ${request.sourceMajor} or newer (for a drill: a postgres:${request.sourceMajor} target).`,
      majors: { source: request.sourceMajor, target: serverMajor },
    };
  }

  if (override !== undefined) {
    if (min !== undefined && override < min) {
      const reason =
        purpose === 'dump'
          ? `postgres-client-version ${override} is older than the server (PostgreSQL ${serverMajor}): pg_dump ${override} refuses to dump a newer server ("aborting because of server version mismatch").`
          : `postgres-client-version ${override} is older than the pg_dump ${min} that wrote this backup: pg_restore ${override} cannot read its archive ("unsupported version in file header").`;
      return {
        kind: 'refuse',
        code: 'client-too-old',
        reason,
        fix: `Set postgres-client-version to ${min} or newer, or leave it empty to match the ${purpose === 'dump' ? 'server' : 'backup'}.`,
      };
    }
    const chosen = usable.find((client) => client.major === override);
    if (chosen) return use(request, chosen, 'postgres-client-version asks for it');
    if (request.install.possible) return install(request, override, 'postgres-client-version asks for it');
    return {
      kind: 'refuse',
      code: 'client-missing',
      reason: `postgres-client-version asks for ${tool} ${override}, which is not installed here (found: ${describeFound(usable)}).`,
      fix: `${installFix(request, override)} Or leave postgres-client-version empty.`,
    };
  }

  const ideal = idealMajor(request);
  const exact = usable.find((client) => client.major === ideal);
  if (exact) {
    const why = purpose === 'dump' ? 'same major as the server' : ideal === serverMajor ? 'same major as the target server' : `the backup was written by pg_dump ${ideal}`;
    return use(request, exact, why);
  }
  const acceptable = usable.filter((client) => min === undefined || client.major >= min);
  const fallback = best(request, acceptable);
  if (request.install.possible) {
    const why = purpose === 'dump' ? `the server is PostgreSQL ${serverMajor}` : `it fits the target (PostgreSQL ${serverMajor}) and the backup (pg_dump ${request.archiveMajor ?? 'unknown'})`;
    return install(request, ideal, `no ${tool} ${ideal} is installed and ${why}`, fallback);
  }
  if (fallback) {
    const why =
      purpose === 'dump'
        ? `no pg_dump ${ideal} here (${request.install.reason}), and a newer pg_dump can dump PostgreSQL ${serverMajor}`
        : `no pg_restore ${ideal} here (${request.install.reason}), and it can read an archive of pg_dump ${request.archiveMajor ?? 'unknown'}`;
    return use(request, fallback, why);
  }
  if (usable.length === 0) {
    return {
      kind: 'refuse',
      code: 'client-missing',
      reason: `No ${tool} is installed here (looked on PATH and in the usual PostgreSQL folders); ${purpose === 'dump' ? `the server is PostgreSQL ${serverMajor}` : `restoring needs pg_restore ${min ?? ideal} or newer`}.`,
      fix: installFix(request, ideal),
    };
  }
  const newest = [...usable].sort((a, b) => b.major - a.major)[0]!;
  const reason =
    purpose === 'dump'
      ? `The newest pg_dump here is ${newest.version} (${newest.binDir}), older than the server (PostgreSQL ${serverMajor}): pg_dump refuses to dump a server of a newer major ("aborting because of server version mismatch"), so no backup can be taken with it.`
      : `The newest pg_restore here is ${newest.version} (${newest.binDir}), older than the pg_dump ${min} that wrote this backup: it cannot read the archive ("unsupported version in file header").`;
  return { kind: 'refuse', code: 'client-too-old', reason, fix: installFix(request, ideal) };
}
