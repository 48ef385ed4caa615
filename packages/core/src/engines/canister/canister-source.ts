import type { RunContext } from '../../context.js';
import { OptionError } from '../../report/errors.js';
import type { BackupSource, SourceResult, SourceRun } from '../source.js';
import { parseCanisterUrl, type CanisterUrl } from './canister-url.js';
import { chooseCompression, payloadName, type Compression, type CompressionPreference } from './compression.js';
import { walkCanister, type WalkTarget } from './export-walk.js';
import { CanisterClient } from './http-client.js';
import { listVaults, readIndexPage, type IndexPage } from './protocol.js';
import { ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, ARCHIVE_KIND, type ExportMode } from './records.js';
import { startRecordStream } from './record-stream.js';

/** What `createCanisterSource` needs; the resolved `canister-export` options satisfy it. */
export interface CanisterSourceOptions {
  readonly canisterUrl: string | undefined;
  readonly exportKey?: string | undefined;
  readonly gatewaySecret?: string | undefined;
  readonly pageSize: number;
  readonly concurrency: number;
  /** Per-request timeout in ms. */
  readonly requestTimeout: number;
  readonly retries: number;
  /** First retry delay in ms. */
  readonly retryDelay: number;
  /** Longest retry delay in ms. */
  readonly retryMaxDelay: number;
  /** Single-user mode: the tenant (`X-User-Id`); no operator key is used. */
  readonly userId?: string | undefined;
  /** Single-user mode: vault ids to export; empty lists them from the canister. */
  readonly vaultIds?: readonly string[] | undefined;
  /** Default `auto`: zstd when available, else gzip. */
  readonly compression?: CompressionPreference;
}

/** Base name of the export payload, before the compression extension. */
export const EXPORT_PAYLOAD_BASE = 'export.ndjson';

/** `SourceResult.manifest` of a canister export (operational metadata, no secrets). */
export interface CanisterManifestSection {
  readonly kind: 'canister';
  readonly mode: ExportMode;
  /** Origin only (`https://<id>.raw.icp0.io`); absent for imports. */
  readonly canisterUrl?: string;
  readonly format: typeof ARCHIVE_FORMAT;
  readonly formatVersion: typeof ARCHIVE_FORMAT_VERSION;
  readonly counts: { users: number; vaults: number; notes: number; proposals: number };
  readonly complete: boolean;
  readonly usersAppeared: number;
  readonly usersVanished: number;
  readonly usersMissing: number;
  readonly invalidProposals: number;
  readonly compression: 'zstd' | 'gzip';
  readonly compressor: Compression['via'];
  [key: string]: unknown;
}

/**
 * A backup source that exports a Knowtation hub canister over its operator export protocol
 * as compressed NDJSON records (see records.ts). Operator mode walks the user index with the
 * export key; single-user mode (`userId`) exports one tenant without it. Secrets are
 * registered with the reporter before anything can print them.
 */
export function createCanisterSource(options: CanisterSourceOptions, context: RunContext): BackupSource {
  const { reporter } = context;
  reporter.secret(options.exportKey);
  reporter.secret(options.gatewaySecret);
  const canister = parseCanisterUrl(options.canisterUrl);
  if (canister.nonRawWarning) reporter.warning(canister.nonRawWarning);
  const target = walkTarget(options);
  if (target.mode === 'single-user' && options.exportKey) {
    reporter.warning('`user-id` selects the single-user mode, which does not use `export-key`; only that user is exported.');
  }
  const compression = chooseCompression(options.compression);
  return {
    kind: 'canister',
    defaultName: canister.canisterId ?? 'canister-export',
    payloadFile: payloadName(EXPORT_PAYLOAD_BASE, compression),
    async start(signal: AbortSignal): Promise<SourceRun> {
      const client = newClient(options, canister, context, signal);
      // Fail before any byte is produced when the key, the gateway secret or the URL is wrong.
      let firstPage: IndexPage | undefined;
      let walkTarget = target;
      if (target.mode === 'operator') firstPage = await readIndexPage(client, '0', options.pageSize);
      else walkTarget = { ...target, listed: await listVaults(client, target.userId) };
      const startedAt = context.now();
      return startRecordStream(
        compression,
        Math.max(2, options.concurrency),
        async (emit, runSignal) => {
          const runClient = newClient(options, canister, context, runSignal);
          await emit({
            type: 'header',
            format: ARCHIVE_FORMAT,
            format_version: ARCHIVE_FORMAT_VERSION,
            kind: ARCHIVE_KIND,
            exported_at: startedAt.toISOString(),
            mode: target.mode,
            canister_url: canister.origin,
            ...(firstPage ? { index: { format_version: firstPage.formatVersion, exported_at_ns: firstPage.exportedAtNs } } : {}),
          });
          const walk = await walkCanister(
            { client: runClient, target: walkTarget, pageSize: options.pageSize, concurrency: options.concurrency, reporter },
            firstPage,
            emit,
          );
          await emit({
            type: 'trailer',
            complete: walk.complete,
            counts: walk.counts,
            invalid_proposals: walk.invalidProposals,
            users_appeared: walk.usersAppeared,
            users_vanished: walk.usersVanished,
            users_missing: walk.usersMissing,
            finished_at: context.now().toISOString(),
          });
          const requests = client.stats.requests + runClient.stats.requests;
          const retries = client.stats.retries + runClient.stats.retries;
          reporter.info(
            `Exported ${walk.counts.users} users, ${walk.counts.vaults} vaults, ${walk.counts.notes} notes, ${walk.counts.proposals} proposals (${requests} requests, ${retries} retried).`,
          );
          const manifest: CanisterManifestSection = {
            kind: 'canister',
            mode: target.mode,
            canisterUrl: canister.origin,
            format: ARCHIVE_FORMAT,
            formatVersion: ARCHIVE_FORMAT_VERSION,
            counts: { ...walk.counts },
            complete: walk.complete,
            usersAppeared: walk.usersAppeared.length,
            usersVanished: walk.usersVanished.length,
            usersMissing: walk.usersMissing.length,
            invalidProposals: walk.invalidProposals,
            compression: compression.kind,
            compressor: compression.via,
            ...(firstPage ? { indexFormatVersion: firstPage.formatVersion } : {}),
          };
          const result: SourceResult = {
            manifest,
            stats: {
              users: Object.fromEntries(walk.perUser),
              usersAppeared: walk.usersAppeared,
              usersVanished: walk.usersVanished,
              usersMissing: walk.usersMissing,
              requests,
              retries,
            },
          };
          return result;
        },
        signal,
      );
    },
  };
}

function walkTarget(options: CanisterSourceOptions): WalkTarget {
  if (options.userId) return { mode: 'single-user', userId: options.userId, vaultIds: options.vaultIds ?? [] };
  if (options.vaultIds && options.vaultIds.length > 0) {
    throw new OptionError('`vault-ids` is set without `user-id`.', 'Set `user-id` for the single-user mode, or remove `vault-ids` to export every user with `export-key`.');
  }
  if (!options.exportKey) {
    throw new OptionError(
      'No operator export key given.',
      'Set `export-key` to the operator export secret of the canister, or `user-id` (and `vault-ids`) for the single-user mode.',
    );
  }
  return { mode: 'operator' };
}

function newClient(options: CanisterSourceOptions, canister: CanisterUrl, context: RunContext, signal: AbortSignal): CanisterClient {
  return new CanisterClient({
    canister,
    exportKey: options.exportKey,
    gatewaySecret: options.gatewaySecret,
    requestTimeoutMs: options.requestTimeout,
    retry: { retries: options.retries, baseDelayMs: options.retryDelay, maxDelayMs: options.retryMaxDelay },
    reporter: context.reporter,
    signal,
  });
}
