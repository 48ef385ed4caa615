/**
 * A protocol-level peer of the GitHub Actions artifact service, for tests: the Twirp JSON
 * endpoints @actions/artifact calls (CreateArtifact, FinalizeArtifact, ListArtifacts,
 * GetSignedArtifactURL, DeleteArtifact under /twirp/github.actions.results.api.v1.ArtifactService/),
 * the Azure Blob block upload it is given a signed URL for (Put Block, Put Block List) and
 * the signed download URL. GitHub's service cannot run here; this speaks its wire protocol
 * as @actions/artifact 6 uses it, keeping artifacts in memory for one workflow run.
 *
 * It is also a protocol-level peer of the Actions REST API's artifact endpoints for one
 * repository (list every run's artifacts, the `/zip` download redirect, delete), so earlier
 * runs can be simulated: `newRun()` ends the current run, whose artifacts then live on only
 * where the REST API sees them.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One stored artifact. */
export interface PeerArtifact {
  readonly id: number;
  readonly name: string;
  readonly mimeType?: string;
  readonly expiresAt?: string;
  size: number;
  digest?: string;
  createdAt: string;
  finalized: boolean;
  content: Buffer;
}

/** An artifact of an earlier workflow run: the REST API sees it, the artifact service does not. */
export interface EarlierArtifact extends PeerArtifact {
  readonly runId: number;
}

export interface ArtifactServicePeer {
  /** Value for ACTIONS_RESULTS_URL. */
  readonly resultsUrl: string;
  /** Value for GITHUB_API_URL (the REST API peer) and GITHUB_REPOSITORY. */
  readonly apiUrl: string;
  readonly repository: string;
  /** A REST token with `actions: read` and `actions: write`, and one with `actions: read` only. */
  readonly restToken: string;
  readonly readOnlyToken: string;
  /** Artifacts of earlier runs. */
  readonly earlier: EarlierArtifact[];
  /** REST requests, `METHOD path`, in order. */
  readonly restCalls: string[];
  /** Ends the current run: its artifacts move to `earlier`, and the artifact service starts empty. */
  newRun(): void;
  /** Value for ACTIONS_RUNTIME_TOKEN: an (unsigned) JWT with the Actions.Results scope. */
  readonly runtimeToken: string;
  readonly artifacts: Map<string, PeerArtifact>;
  /** Twirp methods called, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';
const RUN = 'run-backend-1';
const JOB = 'job-backend-1';

function base64url(value: string): string {
  return Buffer.from(value).toString('base64url');
}

/** A protobuf wrapper value in proto3 JSON: a bare value, or `{ value }` from lenient writers. */
function unwrap(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && 'value' in (value as object)) return String((value as { value: unknown }).value);
  return String(value);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the peer on a free loopback port. */
export async function startArtifactServicePeer(): Promise<ArtifactServicePeer> {
  const artifacts = new Map<string, PeerArtifact>();
  const blocks = new Map<string, Buffer>();
  const calls: string[] = [];
  const earlier: EarlierArtifact[] = [];
  const restCalls: string[] = [];
  const repository = 'acme/shop';
  const restToken = 'rest-token-read-write';
  const readOnlyToken = 'rest-token-read-only';
  let runId = 7001;
  let nextId = 1;
  let base = '';

  const listed = (a: PeerArtifact) => ({
    workflow_run_backend_id: RUN,
    workflow_job_run_backend_id: JOB,
    database_id: String(a.id),
    name: a.name,
    size: String(a.size),
    created_at: a.createdAt,
    ...(a.digest ? { digest: a.digest } : {}),
  });

  async function twirp(method: string, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    calls.push(method);
    if (body.workflow_run_backend_id !== undefined && body.workflow_run_backend_id !== RUN) {
      return json(res, 404, { code: 'not_found', msg: 'unknown workflow run' });
    }
    const name = typeof body.name === 'string' ? body.name : undefined;
    switch (method) {
      case 'CreateArtifact': {
        if (!name) return json(res, 400, { code: 'invalid_argument', msg: 'name required' });
        if (artifacts.get(name)?.finalized) {
          return json(res, 409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' });
        }
        const id = nextId++;
        artifacts.set(name, {
          id,
          name,
          mimeType: unwrap(body.mime_type),
          expiresAt: unwrap(body.expires_at),
          size: 0,
          createdAt: new Date().toISOString(),
          finalized: false,
          content: Buffer.alloc(0),
        });
        return json(res, 200, { ok: true, signed_upload_url: `${base}/devstoreaccount1/artifacts/${id}?sig=upload-signature-${id}` });
      }
      case 'FinalizeArtifact': {
        const artifact = name ? artifacts.get(name) : undefined;
        if (!artifact) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
        artifact.finalized = true;
        artifact.size = Number(body.size ?? 0);
        artifact.digest = unwrap(body.hash);
        return json(res, 200, { ok: true, artifact_id: String(artifact.id) });
      }
      case 'ListArtifacts': {
        const nameFilter = unwrap(body.name_filter);
        const idFilter = unwrap(body.id_filter);
        const found = [...artifacts.values()].filter(
          (a) => a.finalized && (!nameFilter || a.name === nameFilter) && (!idFilter || String(a.id) === idFilter),
        );
        return json(res, 200, { artifacts: found.map(listed) });
      }
      case 'GetSignedArtifactURL': {
        const artifact = name ? artifacts.get(name) : undefined;
        if (!artifact?.finalized) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
        return json(res, 200, { signed_url: `${base}/download/${artifact.id}?sig=download-signature` });
      }
      case 'DeleteArtifact': {
        const artifact = name ? artifacts.get(name) : undefined;
        if (!artifact?.finalized) return json(res, 404, { code: 'not_found', msg: 'no such artifact' });
        artifacts.delete(artifact.name);
        return json(res, 200, { ok: true, artifact_id: String(artifact.id) });
      }
      default:
        return json(res, 404, { code: 'bad_route', msg: `no method ${method}` });
    }
  }

  /** Azure Blob: Put Block (`comp=block`) and Put Block List (`comp=blocklist`). */
  function blob(url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const id = Number(url.pathname.split('/').pop());
    const artifact = [...artifacts.values()].find((a) => a.id === id);
    if (req.method !== 'PUT' || !artifact || url.searchParams.get('sig') !== `upload-signature-${id}`) {
      res.writeHead(403).end();
      return;
    }
    const headers = { 'x-ms-request-id': `peer-${Date.now()}`, 'x-ms-version': '2025-01-05', etag: '"peer"', 'last-modified': new Date().toUTCString() };
    if (url.searchParams.get('comp') === 'block') {
      blocks.set(`${id}:${url.searchParams.get('blockid')}`, body);
      res.writeHead(201, headers).end();
      return;
    }
    if (url.searchParams.get('comp') === 'blocklist') {
      const ids = [...body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]!);
      artifact.content = Buffer.concat(ids.map((blockId) => blocks.get(`${id}:${blockId}`) ?? Buffer.alloc(0)));
      res.writeHead(201, headers).end();
      return;
    }
    res.writeHead(400).end();
  }

  /** Actions REST API: `/repos/{owner}/{repo}/actions/artifacts[/{id}[/zip]]`. */
  function rest(url: URL, req: IncomingMessage, res: ServerResponse): void {
    restCalls.push(`${req.method} ${url.pathname}${url.search}`);
    const token = (req.headers.authorization ?? '').replace(/^(bearer|token) /i, '');
    if (token !== restToken && token !== readOnlyToken) return json(res, 401, { message: 'Bad credentials' });
    const path = url.pathname.slice(`/repos/${repository}/actions/artifacts`.length);
    const all = (): EarlierArtifact[] => [
      ...earlier,
      ...[...artifacts.values()].filter((a) => a.finalized).map((a) => ({ ...a, runId })),
    ].sort((a, b) => b.id - a.id);
    if (path === '' && req.method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const name = url.searchParams.get('name');
      const found = all().filter((a) => !name || a.name === name);
      return json(res, 200, {
        total_count: found.length,
        artifacts: found.slice((page - 1) * perPage, page * perPage).map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: a.size,
          created_at: a.createdAt,
          expired: false,
          ...(a.digest ? { digest: a.digest } : {}),
          workflow_run: { id: a.runId },
        })),
      });
    }
    const match = /^\/(\d+)(\/zip)?$/.exec(path);
    const artifact = match ? all().find((a) => String(a.id) === match[1]) : undefined;
    if (!match || !artifact) return json(res, 404, { message: 'Not Found' });
    if (match[2] && req.method === 'GET') {
      res.writeHead(302, { location: `${base}/download/${artifact.id}?sig=rest-download` }).end();
      return;
    }
    if (!match[2] && req.method === 'DELETE') {
      if (token !== restToken) return json(res, 403, { message: 'Resource not accessible by integration' });
      const at = earlier.findIndex((a) => a.id === artifact.id);
      if (at >= 0) earlier.splice(at, 1);
      else artifacts.delete(artifact.name);
      res.writeHead(204).end();
      return;
    }
    json(res, 404, { message: 'Not Found' });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const body = await readBody(req);
      if (url.pathname.startsWith(SERVICE) && req.method === 'POST') {
        if (req.headers.authorization !== `Bearer ${runtimeToken}`) return json(res, 401, { code: 'unauthenticated', msg: 'bad token' });
        return twirp(url.pathname.slice(SERVICE.length), JSON.parse(body.toString() || '{}'), res);
      }
      if (url.pathname.startsWith(`/repos/${repository}/actions/artifacts`)) return rest(url, req, res);
      if (url.pathname.startsWith('/devstoreaccount1/artifacts/')) return blob(url, req, body, res);
      if (url.pathname.startsWith('/download/') && req.method === 'GET') {
        const artifact = [...artifacts.values(), ...earlier].find((a) => String(a.id) === url.pathname.split('/').pop());
        if (!artifact) return void res.writeHead(404).end();
        res.writeHead(200, {
          'content-type': artifact.mimeType ?? 'application/octet-stream',
          'content-length': String(artifact.content.length),
          'content-disposition': `attachment; filename="${encodeURIComponent(artifact.name)}"; filename*=UTF-8''${encodeURIComponent(artifact.name)}`,
        });
        res.end(artifact.content);
        return;
      }
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const runtimeToken = [
    base64url(JSON.stringify({ alg: 'none', typ: 'JWT' })),
    base64url(JSON.stringify({ scp: `Actions.GenericRead Actions.Results:${RUN}:${JOB}` })),
    base64url('unsigned'),
  ].join('.');

  return {
    resultsUrl: `${base}/`,
    apiUrl: base,
    repository,
    restToken,
    readOnlyToken,
    earlier,
    restCalls,
    newRun() {
      for (const artifact of artifacts.values()) if (artifact.finalized) earlier.push({ ...artifact, runId });
      artifacts.clear();
      runId += 1;
    },
    runtimeToken,
    artifacts,
    calls,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** SHA-256 in the `sha256:<hex>` form the artifact service records. */
export function artifactDigest(content: Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/**
 * Points @actions/artifact (which reads the process environment) and the REST API client at
 * `peer` for a test file running in its own worker; returns what puts the environment back.
 */
export function useArtifactPeerEnvironment(peer: ArtifactServicePeer, workspace: string): () => void {
  const env: Record<string, string | undefined> = {
    ACTIONS_RUNTIME_TOKEN: peer.runtimeToken,
    ACTIONS_RESULTS_URL: peer.resultsUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: peer.apiUrl,
    GITHUB_REPOSITORY: peer.repository,
    GITHUB_WORKSPACE: workspace,
    GITHUB_RETENTION_DAYS: undefined,
  };
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
