import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionError } from '../report/errors.js';
import { redactUrlPasswords } from '../report/secrets.js';
import { checkPrefix } from './keys.js';

/** Where a `store` value points, before anything is opened. */
export type StoreTarget =
  | { readonly kind: 'local'; readonly folder: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'github-artifact'; readonly prefix: string };

/** The accepted forms of `store`, as error messages name them. */
export const STORE_FORMS = 'a folder path, `file:///abs/path`, `s3://bucket/prefix` or `artifact://prefix`';

// Lenient on purpose: S3-compatible stores accept names AWS would not (upper case, `_`).
const BUCKET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

function invalid(store: string, reason: string): OptionError {
  return new OptionError(`Invalid \`store\` '${redactUrlPasswords(store)}': ${reason}.`, `Use ${STORE_FORMS}.`);
}

/** Trims slashes and checks the prefix part of a store URL. */
function prefixOf(store: string, raw: string): string {
  const prefix = raw.replace(/^\/+|\/+$/g, '');
  try {
    checkPrefix(prefix);
  } catch {
    throw invalid(store, `the prefix '${prefix}' has an empty, '.' or '..' segment or a backslash`);
  }
  return prefix;
}

/** Parses `store`: a folder path, `file:///abs/path`, `s3://bucket/prefix` or `artifact://prefix`. */
export function parseStoreUrl(store: string, cwd: string = process.cwd()): StoreTarget {
  const value = store.trim();
  if (value === '') throw new OptionError('`store` is empty.', `Set it to ${STORE_FORMS}.`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', folder: resolve(cwd, value) };
  const rest = value.slice(scheme.length + 3);

  switch (scheme) {
    case 'file': {
      let folder: string;
      try {
        folder = fileURLToPath(value);
      } catch {
        throw invalid(store, 'a file URL needs an absolute path, as in file:///var/backups');
      }
      return { kind: 'local', folder };
    }
    case 's3': {
      const slash = rest.indexOf('/');
      const bucket = slash === -1 ? rest : rest.slice(0, slash);
      if (bucket.includes('@') || bucket.includes(':')) {
        throw new OptionError(
          'Credentials or ports in the `store` URL are not accepted.',
          'Give credentials through the AWS environment (AWS_ACCESS_KEY_ID, a profile or an OIDC role) and the endpoint through `s3-endpoint`.',
        );
      }
      if (!BUCKET_PATTERN.test(bucket)) throw invalid(store, `'${bucket}' is not a bucket name`);
      return { kind: 's3', bucket, prefix: prefixOf(store, slash === -1 ? '' : rest.slice(slash + 1)) };
    }
    case 'artifact':
      return { kind: 'github-artifact', prefix: prefixOf(store, rest) };
    default:
      throw invalid(store, `the scheme '${scheme}://' is not supported`);
  }
}
