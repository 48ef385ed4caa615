import type { Reporter } from '../../report/reporter.js';
import { forEachLimit, Semaphore } from './channel.js';
import { CanisterProtocolError } from './errors.js';
import type { CanisterClient } from './http-client.js';
import { exportNotes, getProposal, listProposalIds, listVaults, readIndexPage, type IndexPage, type VaultRef } from './protocol.js';
import { emptyCounts, type ArchiveRecord, type RecordCounts, type UserCounts } from './records.js';

/** Which tenants to export. */
export type WalkTarget =
  | { readonly mode: 'operator' }
  | {
      readonly mode: 'single-user';
      readonly userId: string;
      readonly vaultIds: readonly string[];
      /** The tenant's vaults as already listed (by the credentials check before the walk). */
      readonly listed?: readonly VaultRef[];
    };

/** Settings of one walk over the canister. */
export interface WalkSettings {
  readonly client: CanisterClient;
  readonly target: WalkTarget;
  readonly pageSize: number;
  /** Requests in flight at once, across all tenants. */
  readonly concurrency: number;
  readonly reporter: Reporter;
  /** Extra readings of the index after the walk to catch users that appeared meanwhile. */
  readonly catchUpRounds?: number;
}

/** What a finished walk found. */
export interface WalkResult {
  readonly counts: RecordCounts;
  readonly invalidProposals: number;
  readonly perUser: Map<string, UserCounts>;
  readonly complete: boolean;
  readonly usersAppeared: string[];
  readonly usersVanished: string[];
  readonly usersMissing: string[];
}

/** How many empty, unfinished index pages in a row mean the canister is not making progress. */
const MAX_EMPTY_PAGES = 3;

/**
 * Reads the whole user index from `first` on (or from cursor 0), following `next_cursor` until
 * `done`, and returns the ids without duplicates (the cursor is an offset into a list the
 * canister re-sorts per call, so a user created meanwhile can repeat an id).
 */
export async function readUserIndex(client: CanisterClient, pageSize: number, first?: IndexPage): Promise<string[]> {
  const ids: string[] = [];
  const seen = new Set<string>();
  let page = first ?? (await readIndexPage(client, '0', pageSize));
  let cursor = '0';
  let emptyPages = 0;
  for (;;) {
    for (const id of page.userIds) {
      if (seen.has(id)) continue;
      seen.add(id);
      ids.push(id);
    }
    if (page.done || page.nextCursor === '') return ids;
    emptyPages = page.userIds.length === 0 ? emptyPages + 1 : 0;
    if (page.nextCursor === cursor || emptyPages >= MAX_EMPTY_PAGES) {
      throw new CanisterProtocolError(
        `The operator user index does not advance (cursor ${page.nextCursor}, done=false).`,
        'The canister\'s user index is misbehaving; report it to the canister\'s maintainers, and retry later.',
      );
    }
    cursor = page.nextCursor;
    page = await readIndexPage(client, cursor, pageSize);
  }
}

/**
 * Exports every tenant (or the one of the single-user mode): for each, its vaults, each
 * vault's notes, and every distinct proposal its vaults list. `emit` receives records in an
 * order where each tenant's `user` record precedes its other records; it is awaited, so a
 * slow consumer slows the walk. Requests in flight never exceed `concurrency`, and a response
 * is held only until its record was handed to `emit`.
 */
export async function walkCanister(
  settings: WalkSettings,
  firstPage: IndexPage | undefined,
  emit: (record: ArchiveRecord) => Promise<void>,
): Promise<WalkResult> {
  const { client, target, concurrency, reporter } = settings;
  const slots = new Semaphore(concurrency);
  const counts = emptyCounts();
  const perUser = new Map<string, UserCounts>();
  let invalidProposals = 0;
  let truncatedListings = 0;

  const exportUser = async (userId: string): Promise<void> => {
    const vaults: readonly VaultRef[] =
      target.mode === 'single-user' && target.vaultIds.length > 0
        ? target.vaultIds.map((id) => ({ id }))
        : target.mode === 'single-user' && target.listed
          ? target.listed
          : await slots.run(() => listVaults(client, userId));
    const mine: UserCounts = { vaults: 0, notes: 0, proposals: 0, invalidProposals: 0 };
    perUser.set(userId, mine);
    await emit({ type: 'user', user_id: userId, vault_ids: vaults.map((v) => v.id) });
    counts.users++;
    const proposalIds = new Set<string>();
    await forEachLimit(vaults, concurrency, async (vault) => {
      await slots.run(async () => {
        const notes = await exportNotes(client, userId, vault.id);
        await emit({
          type: 'vault',
          user_id: userId,
          vault_id: vault.id,
          ...(vault.label !== undefined ? { label: vault.label } : {}),
          notes,
        });
        counts.vaults++;
        counts.notes += notes.length;
        mine.vaults++;
        mine.notes += notes.length;
      });
      const listing = await slots.run(() => listProposalIds(client, userId, vault.id));
      if (listing.total !== undefined && listing.total > listing.listed) truncatedListings++;
      // Checked and added in one synchronous step, so two vaults listing one proposal fetch it once.
      const fresh = listing.ids.filter((id) => !proposalIds.has(id) && (proposalIds.add(id), true));
      await forEachLimit(fresh, concurrency, (proposalId) =>
        slots.run(async () => {
          const body = await getProposal(client, userId, vault.id, proposalId);
          const base = { type: 'proposal', user_id: userId, vault_id: vault.id, proposal_id: proposalId } as const;
          await emit(body.ok ? { ...base, proposal: body.proposal } : { ...base, invalid_json: true, raw: body.raw });
          counts.proposals++;
          mine.proposals++;
          if (!body.ok) {
            invalidProposals++;
            mine.invalidProposals++;
          }
        }),
      );
    });
  };

  if (target.mode === 'single-user') {
    await exportUser(target.userId);
    return finish({ complete: true, usersAppeared: [], usersVanished: [], usersMissing: [] });
  }

  const initial = await readUserIndex(client, settings.pageSize, firstPage);
  reporter.info(`User index read: ${initial.length} user${initial.length === 1 ? '' : 's'}.`);
  // About ten progress lines per export, whatever its size.
  const every = Math.max(100, Math.ceil(initial.length / 10));
  await forEachLimit(initial, concurrency, async (userId) => {
    await exportUser(userId);
    if (counts.users % every === 0) reporter.info(`  ${counts.users} of ${initial.length} users exported.`);
  });

  // The index may have changed while the tenants were exported: read it again, export the
  // users it lists that the walk has not (created meanwhile, or skipped by a shifted cursor).
  const initialSet = new Set(initial);
  const appeared = new Set<string>();
  let final = initial;
  let missing: string[] = [];
  const rounds = settings.catchUpRounds ?? 3;
  for (let round = 0; round < rounds; round++) {
    final = await readUserIndex(client, settings.pageSize);
    for (const id of final) if (!initialSet.has(id)) appeared.add(id);
    missing = final.filter((id) => !perUser.has(id));
    if (missing.length === 0 || round === rounds - 1) break;
    reporter.info(`The user index lists ${missing.length} user${missing.length === 1 ? '' : 's'} the walk has not exported yet; exporting them.`);
    await forEachLimit(missing, concurrency, exportUser);
  }
  const finalSet = new Set(final);
  const vanished = initial.filter((id) => !finalSet.has(id));
  if (appeared.size > 0 || vanished.length > 0) {
    reporter.warning(
      `The user index changed during the export: ${appeared.size} user${appeared.size === 1 ? '' : 's'} appeared, ${vanished.length} vanished. Appeared users were exported; vanished users' records are kept as exported.`,
    );
  }
  if (missing.length > 0) {
    reporter.warning(
      `The export is incomplete: ${missing.length} user${missing.length === 1 ? '' : 's'} listed by the user index at the end were not exported (users kept appearing). Run the export again.`,
    );
  }
  return finish({ complete: missing.length === 0, usersAppeared: [...appeared], usersVanished: vanished, usersMissing: missing });

  function finish(membership: Pick<WalkResult, 'complete' | 'usersAppeared' | 'usersVanished' | 'usersMissing'>): WalkResult {
    if (truncatedListings > 0) {
      reporter.warning(
        `${truncatedListings} proposal listing${truncatedListings === 1 ? '' : 's'} returned fewer proposals than their \`total\`; only the listed ones were exported.`,
      );
    }
    if (invalidProposals > 0) {
      reporter.warning(`${invalidProposals} proposal${invalidProposals === 1 ? '' : 's'} had a body that is not JSON; kept as text (\`invalid_json: true\`).`);
    }
    return { counts, invalidProposals, perUser, ...membership };
  }
}
