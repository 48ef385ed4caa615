import { z } from 'zod';
import type { CanisterClient } from './http-client.js';
import { CanisterProtocolError } from './errors.js';

/** The routes of the Knowtation hub operator export protocol, parsed and validated. */

/** One page of the operator user index. */
export interface IndexPage {
  readonly formatVersion: number;
  readonly exportedAtNs: string;
  readonly userIds: string[];
  readonly nextCursor: string;
  readonly done: boolean;
}

/** One vault as `/api/v1/vaults` lists it. */
export interface VaultRef {
  readonly id: string;
  readonly label?: string;
}

/** A proposal body: parsed JSON, or the text when it is not JSON. */
export type ProposalBody = { ok: true; proposal: unknown } | { ok: false; raw: string };

const idSchema = z.union([z.string(), z.number()]).transform(String);

const indexSchema = z.looseObject({
  format_version: z.number().optional(),
  exported_at_ns: z.union([z.string(), z.number()]).transform(String).optional(),
  user_ids: z.array(z.string()),
  next_cursor: z.union([z.string(), z.number()]).transform(String).default(''),
  done: z.boolean(),
});

const vaultsSchema = z.looseObject({
  vaults: z
    .array(z.looseObject({ id: idSchema.optional(), label: z.string().optional().catch(undefined) }))
    .default([]),
});

const notesSchema = z.looseObject({ notes: z.array(z.unknown()) });

const proposalsSchema = z.looseObject({
  proposals: z.array(z.unknown()),
  total: z.number().optional().catch(undefined),
});

const INDEX_ROUTE = '/api/v1/operator/export';

/** Reads one page of the user index (the only request that carries the operator key). */
export async function readIndexPage(client: CanisterClient, cursor: string, limit: number): Promise<IndexPage> {
  const label = `GET ${INDEX_ROUTE}`;
  const response = await client.get({ label, path: INDEX_ROUTE, query: { cursor, limit: String(limit) }, operatorKey: true });
  const page = parse(indexSchema, response.text, label);
  return {
    formatVersion: page.format_version ?? 0,
    exportedAtNs: page.exported_at_ns ?? '',
    userIds: page.user_ids,
    nextCursor: page.next_cursor,
    done: page.done,
  };
}

/** A tenant's vaults; a tenant with none has the `default` vault. */
export async function listVaults(client: CanisterClient, userId: string): Promise<VaultRef[]> {
  const label = 'GET /api/v1/vaults';
  const response = await client.get({ label, path: '/api/v1/vaults', userId });
  const vaults: VaultRef[] = [];
  const seen = new Set<string>();
  for (const vault of parse(vaultsSchema, response.text, label).vaults) {
    if (!vault.id || seen.has(vault.id)) continue;
    seen.add(vault.id);
    vaults.push(vault.label !== undefined ? { id: vault.id, label: vault.label } : { id: vault.id });
  }
  return vaults.length > 0 ? vaults : [{ id: 'default' }];
}

/** Every note of one vault (the canister sends the whole vault in one response). */
export async function exportNotes(client: CanisterClient, userId: string, vaultId: string): Promise<unknown[]> {
  const label = 'GET /api/v1/export';
  const response = await client.get({ label, path: '/api/v1/export', userId, vaultId });
  return parse(notesSchema, response.text, label).notes;
}

/** The proposal ids one vault lists, in order, and the `total` the canister claims. */
export async function listProposalIds(
  client: CanisterClient,
  userId: string,
  vaultId: string,
): Promise<{ ids: string[]; total: number | undefined; listed: number }> {
  const label = 'GET /api/v1/proposals';
  const response = await client.get({ label, path: '/api/v1/proposals', userId, vaultId });
  const body = parse(proposalsSchema, response.text, label);
  const ids: string[] = [];
  for (const stub of body.proposals) {
    const id = (stub as { proposal_id?: unknown } | null)?.proposal_id;
    if (typeof id === 'string' && id !== '') ids.push(id);
    else if (typeof id === 'number') ids.push(String(id));
  }
  return { ids, total: body.total, listed: body.proposals.length };
}

/** One full proposal; a body that is not JSON comes back as text rather than failing the export. */
export async function getProposal(client: CanisterClient, userId: string, vaultId: string, proposalId: string): Promise<ProposalBody> {
  const response = await client.get({
    label: 'GET /api/v1/proposals/{id}',
    path: `/api/v1/proposals/${encodeURIComponent(proposalId)}`,
    userId,
    vaultId,
  });
  try {
    return { ok: true, proposal: JSON.parse(response.text) as unknown };
  } catch {
    return { ok: false, raw: response.text };
  }
}

function parse<S extends z.ZodType>(schema: S, text: string, label: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CanisterProtocolError(
      `${label} answered with a body that is not JSON: '${text.slice(0, 80)}'.`,
      'Check `canister-url` points at the raw host of a Knowtation hub canister (`https://<id>.raw.icp0.io`).',
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CanisterProtocolError(
      `${label} answered in an unexpected shape: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
      'Check `canister-url` points at a Knowtation hub canister, and that this Lifeboat version speaks its protocol.',
    );
  }
  return result.data;
}
