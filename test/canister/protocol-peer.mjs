// Protocol-level peer of a Knowtation hub canister: a loopback HTTP server that speaks the
// operator export protocol (shared/protocols/knowtation-operator-export.md: user index with
// cursor/limit and the operator key, per-user vaults/export/proposals routes, gateway auth,
// 401/403/503 error bodies), with fault injection for tests and benchmarks. No canister can
// run here, so this peer stands in for one at the HTTP level only.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const INDEX_PATHS = new Set(['/api/v1/operator/export', '/api/v1/operator/export/']);

/** A dataset held in memory: `{ [userId]: { vaults: [{ id, label, notes, proposals: [{ proposal_id, body }] }] } }`. */
export function staticDataset(users) {
  const data = new Map(Object.entries(users));
  return {
    listUserIds: () => [...data.keys()].sort(),
    user: (id) => data.get(id),
    addUser: (id, user) => data.set(id, user),
    removeUser: (id) => data.delete(id),
  };
}

/** A dataset computed on demand (constant memory), for benchmarks: users × vaults × notes, a few proposals each. */
export function syntheticDataset({ users, vaultsPerUser = 1, notesPerVault = 50, proposalsPerUser = 2, noteBytes = 300 }) {
  const ids = Array.from({ length: users }, (_, i) => `user-${String(i).padStart(7, '0')}`);
  // Note bodies are slices of one random pool: realistic to compress, cheap to serve.
  const pool = randomBytes(1 << 20).toString('base64');
  const text = (seed) => {
    const start = (seed * 7919) % (pool.length - noteBytes);
    return pool.slice(start, start + noteBytes);
  };
  const user = (id) => {
    if (!id.startsWith('user-')) return undefined;
    return {
      vaults: Array.from({ length: vaultsPerUser }, (_, v) => {
        const vaultId = v === 0 ? 'default' : `vault-${v}`;
        return {
          id: vaultId,
          label: `Vault ${v}`,
          get notes() {
            const seed = Number(id.slice(5)) * notesPerVault * vaultsPerUser + v * notesPerVault;
            return Array.from({ length: notesPerVault }, (_, n) => ({
              path: `notes/${n}.md`,
              frontmatter: `title: Note ${n} of ${id}\ntags: [bench]`,
              body: text(seed + n),
            }));
          },
          get proposals() {
            return v === 0
              ? Array.from({ length: proposalsPerUser }, (_, p) => ({
                  proposal_id: `${id}-p${p}`,
                  body: { proposal_id: `${id}-p${p}`, status: 'proposed', body: `change ${p}`, frontmatter: 'title: x' },
                }))
              : [];
          },
        };
      }),
    };
  };
  return { listUserIds: () => ids, user };
}

/**
 * Starts the peer on 127.0.0.1. Options:
 * - `dataset` (from staticDataset/syntheticDataset)
 * - `exportKey`: the operator export secret; absent → the index answers 503 "not configured"
 * - `gatewaySecret`: when set, every route wants `X-Gateway-Auth` with it (else 403)
 * - `faults`: rules `{ route, times, status?, body?, retryAfter?, delayMs?, reset? }`, each applied
 *   to the next `times` requests of `route` (`index`, `vaults`, `export`, `proposals`, `proposal`)
 * - `onRequest(route, info, peer)`: called before a request is answered (e.g. add a user mid-walk)
 * - `keepLog`: false keeps only per-route counts (benchmarks)
 * - `latencyMs`: added to every answer (to observe concurrency)
 * Returns `{ url, requests, count(route), statuses(route), close() }`.
 */
export async function startProtocolPeer(options) {
  const { dataset } = options;
  const faults = (options.faults ?? []).map((f) => ({ ...f, left: f.times ?? 1 }));
  const requests = [];
  const counts = new Map();
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer(async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const url = new URL(req.url ?? '/', 'http://peer');
    const route = routeOf(url.pathname);
    const info = {
      route,
      userId: header(req, 'x-user-id'),
      vaultId: header(req, 'x-vault-id'),
      query: Object.fromEntries(url.searchParams),
    };
    counts.set(route, (counts.get(route) ?? 0) + 1);
    const entry = { ...info, status: 0 };
    // The benchmark makes ~10^5 requests and turns the log off; counts are always kept.
    if (options.keepLog !== false) requests.push(entry);
    const send = (status, body, headers = {}) => {
      entry.status = status;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    try {
      if (req.method !== 'GET') return send(405, { error: 'Method not allowed', code: 'METHOD_NOT_ALLOWED' });
      if (options.gatewaySecret && header(req, 'x-gateway-auth') !== options.gatewaySecret) {
        return send(403, { error: 'Gateway authentication required', code: 'GATEWAY_AUTH_REQUIRED' });
      }
      if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
      await options.onRequest?.(route, info, peer);
      const fault = faults.find((f) => f.route === route && f.left > 0);
      if (fault) {
        fault.left--;
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (fault.reset) {
          entry.status = -1;
          req.socket.destroy();
          return;
        }
        if (fault.status) {
          return send(fault.status, fault.body ?? { error: 'Injected failure', code: 'INJECTED' }, fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
        }
      }
      switch (route) {
        case 'index': {
          if (!options.exportKey) return send(503, { error: 'Operator export not configured', code: 'SERVICE_UNAVAILABLE' });
          if (header(req, 'x-operator-export-key') !== options.exportKey) return send(401, { error: 'Unauthorized', code: 'UNAUTHORIZED' });
          const ids = dataset.listUserIds();
          const cursor = Math.max(0, Number.parseInt(url.searchParams.get('cursor') ?? '0', 10) || 0);
          const rawLimit = Number.parseInt(url.searchParams.get('limit') ?? '100', 10);
          const limit = Math.min(500, Math.max(1, Number.isNaN(rawLimit) ? 100 : rawLimit));
          const page = ids.slice(cursor, cursor + limit);
          const done = cursor + limit >= ids.length;
          // Field order as the canister writes it.
          return send(200, {
            format_version: 3,
            kind: 'knowtation-operator-user-index',
            exported_at_ns: String(BigInt(Date.now()) * 1_000_000n),
            user_ids: page,
            next_cursor: done ? '' : String(cursor + limit),
            done,
          });
        }
        case 'vaults': {
          if (!info.userId) return send(400, { error: 'X-User-Id required', code: 'BAD_REQUEST' });
          const user = dataset.user(info.userId);
          return send(200, { vaults: (user?.vaults ?? []).map((v) => ({ id: v.id, label: v.label })) });
        }
        case 'export': {
          const vault = findVault(dataset, info);
          return send(200, { notes: vault?.notes ?? [] });
        }
        case 'proposals': {
          const vault = findVault(dataset, info);
          const list = (vault?.proposals ?? []).map((p) => ({ proposal_id: p.proposal_id, status: 'proposed' }));
          return send(200, { proposals: list, total: list.length });
        }
        case 'proposal': {
          const id = decodeURIComponent(url.pathname.slice('/api/v1/proposals/'.length));
          const user = info.userId ? dataset.user(info.userId) : undefined;
          for (const vault of user?.vaults ?? []) {
            const found = (vault.proposals ?? []).find((p) => p.proposal_id === id);
            if (found) return send(200, typeof found.body === 'string' ? found.body : JSON.stringify(found.body));
          }
          return send(404, { error: 'Not found', code: 'NOT_FOUND' });
        }
        default:
          return send(404, { error: 'Not found', code: 'NOT_FOUND' });
      }
    } catch (error) {
      send(500, { error: String(error), code: 'PEER_ERROR' });
    }
  });
  // Without it, small responses wait on Nagle's algorithm and concurrency makes things slower.
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const peer = {
    url: `http://127.0.0.1:${port}`,
    dataset,
    requests,
    /** Most requests that were in flight at once. */
    get maxInFlight() {
      return maxInFlight;
    },
    /** Requests received on a route (all statuses). */
    count: (route) => counts.get(route) ?? 0,
    /** Statuses answered on a route, in order (-1: connection reset). */
    statuses: (route) => requests.filter((r) => r.route === route).map((r) => r.status),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return peer;
}

function routeOf(pathname) {
  if (INDEX_PATHS.has(pathname)) return 'index';
  if (pathname === '/api/v1/vaults') return 'vaults';
  if (pathname === '/api/v1/export') return 'export';
  if (pathname === '/api/v1/proposals') return 'proposals';
  if (pathname.startsWith('/api/v1/proposals/')) return 'proposal';
  return 'other';
}

function header(req, name) {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function findVault(dataset, info) {
  const user = info.userId ? dataset.user(info.userId) : undefined;
  return user?.vaults.find((v) => v.id === (info.vaultId ?? 'default'));
}

// `node protocol-peer.mjs <users> <notes-per-vault> <export-key>` serves a synthetic dataset and
// prints its URL on the first line of stdout (used by the benchmark to keep the peer's memory
// out of the exporter's).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [users = '1000', notes = '50', exportKey = 'bench-export-key'] = process.argv.slice(2);
  const peer = await startProtocolPeer({
    dataset: syntheticDataset({ users: Number(users), notesPerVault: Number(notes) }),
    exportKey,
    keepLog: false,
  });
  process.stdout.write(`${peer.url}\n`);
  process.on('SIGTERM', () => peer.close().then(() => process.exit(0)));
}
