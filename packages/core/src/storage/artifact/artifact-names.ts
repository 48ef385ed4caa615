import { joinKey } from '../keys.js';

/**
 * One artifact per object. Its name is the store prefix and key joined with `/`, with the
 * characters GitHub refuses in artifact names (`" : < > | * ? \ /`, CR, LF) and the escape
 * character `%` itself percent-encoded as `%XX`:
 *
 *   artifact://lifeboat + db/20260101T020000Z-k3x9/manifest.json
 *     → lifeboat%2Fdb%2F20260101T020000Z-k3x9%2Fmanifest.json
 *
 * The mapping is reversible, so listings recover keys from names; names it could not have
 * produced belong to someone else and are ignored.
 */
const ESCAPED = /[%":<>|*?\\/\u0000-\u001f]/g;

/** The artifact name that stores `key` under `prefix`. */
export function artifactName(prefix: string, key: string): string {
  return joinKey(prefix, key).replace(ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The key an artifact name stores under `prefix`, or undefined when the name is not one of ours there. */
export function keyFromArtifactName(prefix: string, name: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(name);
  } catch {
    return undefined;
  }
  const root = prefix ? `${prefix}/` : '';
  if (!path.startsWith(root) || path.length === root.length) return undefined;
  const key = path.slice(root.length);
  return artifactName(prefix, key) === name ? key : undefined;
}
