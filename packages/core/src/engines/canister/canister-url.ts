import { OptionError } from '../../report/errors.js';

/** A validated canister base URL. */
export interface CanisterUrl {
  /** The URL requests are built from (path prefix and query kept, e.g. a local replica's `?canisterId=`). */
  readonly base: URL;
  /** `scheme://host[:port]`: safe to log and store. */
  readonly origin: string;
  /** First host label, the canister id on `icp0.io`/`ic0.app` hosts; a default backup name. */
  readonly canisterId: string | undefined;
  /** Set when the host is an IC boundary host that is not the raw one. */
  readonly nonRawWarning: string | undefined;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|[a-z0-9-]+\.localhost)$/i;
const IC_HOST = /^([a-z0-9-]+)\.(raw\.)?(icp0\.io|ic0\.app|icp-api\.io)$/i;

/** Parses and checks `canister-url`: https (http only on loopback), no credentials in it. */
export function parseCanisterUrl(text: string | undefined): CanisterUrl {
  if (!text || text.trim() === '') {
    throw new OptionError(
      'No canister URL given.',
      'Set `canister-url` to the hub canister, e.g. `https://<canister-id>.raw.icp0.io`.',
    );
  }
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new OptionError(
      `canister-url '${text.trim()}' is not a URL.`,
      'Write it as `https://<canister-id>.raw.icp0.io`.',
    );
  }
  if (url.username || url.password) {
    throw new OptionError(
      'canister-url contains credentials.',
      'Remove them from the URL; the export key goes in `export-key` and the gateway secret in `gateway-secret`.',
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.test(url.hostname))) {
    throw new OptionError(
      `canister-url must use https (got ${url.protocol.replace(':', '')}): the export key would travel in clear text.`,
      'Use `https://<canister-id>.raw.icp0.io`; plain http is accepted only for a local replica on loopback.',
    );
  }
  url.hash = '';
  const match = IC_HOST.exec(url.hostname);
  const nonRawWarning =
    match && !match[2] && match[3] !== 'icp-api.io'
      ? `canister-url host ${url.hostname} is not the raw host: it answers 503 for /api/v1/*. Use https://${match[1]}.raw.${match[3]} instead.`
      : undefined;
  return {
    base: url,
    origin: url.origin,
    canisterId: match ? match[1]!.toLowerCase() : undefined,
    nonRawWarning,
  };
}

/** The URL of `route` (e.g. `/api/v1/vaults`) under the base, with the base's query kept and `query` added. */
export function routeUrl(canister: CanisterUrl, route: string, query: Record<string, string> = {}): URL {
  const url = new URL(canister.base.href);
  url.pathname = `${canister.base.pathname.replace(/\/+$/, '')}${route}`;
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url;
}
