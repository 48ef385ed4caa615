// Types of protocol-peer.mjs (plain JavaScript so the benchmark can run it without a build).

export type PeerRoute = 'index' | 'vaults' | 'export' | 'proposals' | 'proposal' | 'other';

export interface PeerProposal {
  proposal_id: string;
  /** An object is served as JSON; a string is served as is (possibly not JSON). */
  body: unknown;
}

export interface PeerVault {
  id: string;
  label?: string;
  notes: unknown[];
  proposals?: PeerProposal[];
}

export interface PeerUser {
  vaults: PeerVault[];
}

export interface PeerDataset {
  listUserIds(): string[];
  user(id: string): PeerUser | undefined;
  addUser?(id: string, user: PeerUser): void;
  removeUser?(id: string): void;
}

export interface PeerFault {
  route: PeerRoute;
  /** How many matching requests this rule applies to (default 1). */
  times?: number;
  status?: number;
  body?: unknown;
  retryAfter?: number | string;
  delayMs?: number;
  /** Drop the connection without an answer. */
  reset?: boolean;
}

export interface PeerRequestInfo {
  route: PeerRoute;
  userId?: string;
  vaultId?: string;
  query: Record<string, string>;
}

export interface PeerRequest extends PeerRequestInfo {
  /** Status answered; -1 for a dropped connection, 0 while pending. */
  status: number;
}

export interface ProtocolPeer {
  url: string;
  dataset: PeerDataset;
  requests: PeerRequest[];
  /** Most requests that were in flight at once. */
  readonly maxInFlight: number;
  count(route: PeerRoute): number;
  statuses(route: PeerRoute): number[];
  close(): Promise<void>;
}

export interface ProtocolPeerOptions {
  dataset: PeerDataset;
  exportKey?: string;
  gatewaySecret?: string;
  faults?: PeerFault[];
  onRequest?: (route: PeerRoute, info: PeerRequestInfo, peer: ProtocolPeer) => void | Promise<void>;
  keepLog?: boolean;
  latencyMs?: number;
}

export function staticDataset(users: Record<string, PeerUser>): Required<PeerDataset>;
export function syntheticDataset(options: {
  users: number;
  vaultsPerUser?: number;
  notesPerVault?: number;
  proposalsPerUser?: number;
  noteBytes?: number;
}): PeerDataset;
export function startProtocolPeer(options: ProtocolPeerOptions): Promise<ProtocolPeer>;
