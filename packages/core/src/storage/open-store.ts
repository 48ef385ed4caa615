import type { RunContext } from '../context.js';
import { OptionError, UnsupportedError } from '../report/errors.js';
import { redactUrlPasswords } from '../report/secrets.js';
import type { Store } from './store.js';
import { LocalStore } from './local/local-store.js';
import { MAX_PART_SIZE, MAX_PARTS, MIN_PART_SIZE } from './s3/part-size.js';
import { StoreUnreachableError } from './errors.js';
import { isMissingCredentials, mapS3Error, S3CredentialsError, S3NoCredentialsError } from './s3/s3-errors.js';
import type { S3UploadSettings } from './s3/s3-store.js';
import { parseStoreUrl, type StoreTarget } from './store-url.js';

/**
 * What `openStore` needs: `store` plus the S3 and artifact options (camelCase, as the
 * option groups `storeOptions`, `s3UploadOptions` and `artifactOptions` resolve them).
 */
export interface StoreOptions {
  /** A folder path, `file:///abs/path`, `s3://bucket/prefix` or `artifact://prefix`. */
  store: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3ForcePathStyle?: boolean;
  /** Server-side encryption: `aes256` or `aws:kms` (either case). */
  s3Sse?: string;
  s3KmsKeyId?: string;
  /** Object Lock mode on upload: `governance` or `compliance` (either case); needs `s3ObjectLockDays`. */
  s3ObjectLockMode?: string;
  s3ObjectLockDays?: number;
  /** Storage class of uploads, e.g. `standard_ia` (either case). */
  s3StorageClass?: string;
  /** Multipart part size in bytes (5 MiB to 5 GiB); default: planned from the expected size. */
  s3PartSize?: number;
  /** Most parts per multipart upload, 1 to 10,000 (default 10,000; 1,000 for providers that cap it). */
  s3MaxParts?: number;
  /** Retention of `artifact://` objects, 1 to 90 days; default: the repository's setting. */
  artifactRetentionDays?: number;
  /** A GitHub token with `actions: read`: `artifact://` then also reads the artifacts of earlier workflow runs. */
  artifactToken?: string;
}

type Env = Record<string, string | undefined>;

/** Options for one kind of store only (`s3-force-path-style` and `s3-max-parts` have defaults, so they are always set). */
const KIND_OPTIONS = [
  's3Endpoint',
  's3Region',
  's3Sse',
  's3KmsKeyId',
  's3ObjectLockMode',
  's3ObjectLockDays',
  's3StorageClass',
  's3PartSize',
  'artifactRetentionDays',
  'artifactToken',
] as const;

/** Options meant for another kind of store are likely a mistake in `store`: say so, but go on. */
function warnAboutUnusedOptions(options: StoreOptions, kind: StoreTarget['kind'], context: RunContext): void {
  const own = kind === 's3' ? 's3' : kind === 'github-artifact' ? 'artifact' : undefined;
  const unused = KIND_OPTIONS.filter(
    (name) => !(own && name.startsWith(own)) && options[name] !== undefined && options[name] !== '',
  ).map((name) => `\`${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}\``);
  if (unused.length > 0) {
    const one = unused.length === 1;
    context.reporter.warning(
      `${unused.join(', ')} ${one ? 'does' : 'do'} not apply to a ${kind} store and ${one ? 'is' : 'are'} ignored.`,
    );
  }
}

/** Validates the upload options of an S3 store. */
export function s3UploadSettings(options: StoreOptions): S3UploadSettings {
  const sse = options.s3Sse?.trim().toLowerCase();
  if (sse && sse !== 'aes256' && sse !== 'aws:kms') {
    throw new OptionError(`Invalid \`s3-sse\` '${options.s3Sse}'.`, 'Use `aes256` or `aws:kms`.');
  }
  const kmsKeyId = options.s3KmsKeyId?.trim() || undefined;
  if (kmsKeyId && sse !== 'aws:kms') {
    throw new OptionError('`s3-kms-key-id` is set but `s3-sse` is not `aws:kms`.', 'Set `s3-sse: aws:kms`, or remove `s3-kms-key-id`.');
  }
  const mode = options.s3ObjectLockMode?.trim().toUpperCase() || undefined;
  const days = options.s3ObjectLockDays;
  if (mode !== undefined && mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE') {
    throw new OptionError(`Invalid \`s3-object-lock-mode\` '${options.s3ObjectLockMode}'.`, 'Use `governance` or `compliance`.');
  }
  if ((mode === undefined) !== (days === undefined)) {
    throw new OptionError(
      `\`s3-object-lock-${mode === undefined ? 'days' : 'mode'}\` is set without \`s3-object-lock-${mode === undefined ? 'mode' : 'days'}\`.`,
      'Set both (e.g. `governance` and `30`), or neither.',
    );
  }
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 36500)) {
    throw new OptionError(`Invalid \`s3-object-lock-days\` ${days}.`, 'Use a whole number of days from 1 to 36500.');
  }
  const storageClass = options.s3StorageClass?.trim().toUpperCase() || undefined;
  if (storageClass && !['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR'].includes(storageClass)) {
    throw new OptionError(
      `Invalid \`s3-storage-class\` '${options.s3StorageClass}': backups must stay instantly readable for drills and the gate.`,
      'Use `standard`, `standard_ia`, `onezone_ia`, `intelligent_tiering` or `glacier_ir`; archive older backups with a lifecycle rule.',
    );
  }
  const partSize = options.s3PartSize;
  if (partSize !== undefined && (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE)) {
    throw new OptionError(`Invalid \`s3-part-size\` ${partSize} bytes: S3 parts are 5 MiB to 5 GiB.`, 'Use a size like `64MiB`, or leave it empty.');
  }
  const maxParts = options.s3MaxParts;
  if (maxParts !== undefined && (!Number.isInteger(maxParts) || maxParts < 1 || maxParts > MAX_PARTS)) {
    throw new OptionError(`Invalid \`s3-max-parts\` ${maxParts}: S3 allows 1 to 10,000 parts per upload.`, 'Use 10000 for AWS S3, or the limit your provider documents (often 1000).');
  }
  return {
    sse: sse === 'aes256' ? 'AES256' : sse === 'aws:kms' ? 'aws:kms' : undefined,
    kmsKeyId,
    objectLock: mode && days ? { mode: mode as 'GOVERNANCE' | 'COMPLIANCE', days } : undefined,
    storageClass: storageClass as S3UploadSettings['storageClass'],
    partSize,
    maxParts,
  };
}

/** Checks an S3-compatible endpoint URL; credentials in it are refused. */
function checkEndpoint(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OptionError(`Invalid \`s3-endpoint\` '${redactUrlPasswords(value)}': not a URL.`, 'Use a URL like `https://s3.example.com`.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OptionError(`Invalid \`s3-endpoint\` '${redactUrlPasswords(value)}': only http and https are supported.`, 'Use a URL like `https://s3.example.com`.');
  }
  if (url.username || url.password) {
    throw new OptionError(
      'Credentials in `s3-endpoint` are not accepted.',
      'Give them through the AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), a profile or an OIDC role.',
    );
  }
  return value.replace(/\/+$/, '');
}

async function openS3(
  target: Extract<StoreTarget, { kind: 's3' }>,
  options: StoreOptions,
  context: RunContext,
): Promise<Store> {
  const upload = s3UploadSettings(options);
  const endpoint = checkEndpoint(options.s3Endpoint);
  const [{ createS3Client, resolveRegion }, { S3Store }] = await Promise.all([
    import('./s3/s3-client.js'),
    import('./s3/s3-store.js'),
  ]);
  const region = resolveRegion(options.s3Region, context.env);
  const env: Env = context.env;
  context.reporter.secret(env.AWS_SECRET_ACCESS_KEY);
  context.reporter.secret(env.AWS_SESSION_TOKEN);
  const client = createS3Client({ endpoint, region, forcePathStyle: options.s3ForcePathStyle ?? false }, env);
  const endpointLabel = endpoint ?? `AWS S3 (${region})`;
  // Fail closed before any data is read: resolve credentials now (env, profile, OIDC role...).
  try {
    const credentials = await client.config.credentials();
    context.reporter.secret(credentials.secretAccessKey);
    context.reporter.secret(credentials.sessionToken);
  } catch (error) {
    client.destroy();
    const label = `s3://${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
    if (isMissingCredentials(error)) throw new S3NoCredentialsError(label, { cause: error });
    const mapped = mapS3Error(error, { action: 'AssumeRole', permission: 'sts:AssumeRoleWithWebIdentity', bucket: target.bucket, endpoint: endpointLabel, region, location: label });
    if (mapped instanceof StoreUnreachableError) throw mapped;
    throw new S3CredentialsError(
      `Could not obtain AWS credentials for ${label}: ${(error as Error)?.message ?? String(error)}`,
      'Check AWS_PROFILE or the role in use; for an OIDC role, that `role-to-assume` exists and its trust policy admits this repository and ref.',
      { cause: error },
    );
  }
  return new S3Store(client, { bucket: target.bucket, prefix: target.prefix, endpointLabel, region }, upload, context);
}

/** Mirrors @actions/artifact: GitHub Enterprise Server has no artifact service it can use. */
function isEnterpriseServer(env: Env): boolean {
  let host: string;
  try {
    host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toUpperCase();
  } catch {
    return false;
  }
  return host !== 'GITHUB.COM' && !host.endsWith('.GHE.COM') && !host.endsWith('.LOCALHOST');
}

async function openArtifacts(
  target: Extract<StoreTarget, { kind: 'github-artifact' }>,
  options: StoreOptions,
  context: RunContext,
): Promise<Store> {
  if (context.surface !== 'action') {
    throw new UnsupportedError(
      '`artifact://` stores work only inside the Lifeboat actions: GitHub gives its artifact token to JavaScript actions only.',
      'From the CLI (or a `run:` step), use `s3://bucket/prefix` or a folder.',
    );
  }
  const env: Env = context.env;
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new UnsupportedError(
      `\`artifact://\` stores work only inside the Lifeboat actions on a GitHub Actions runner, and ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set here.`,
      'Run the Lifeboat action as a `uses:` step of a workflow job; elsewhere use `s3://bucket/prefix` or a folder.',
    );
  }
  if (isEnterpriseServer(env)) {
    throw new UnsupportedError(
      'GitHub Enterprise Server does not offer the artifact service `artifact://` needs.',
      'Use `s3://bucket/prefix` or a folder.',
    );
  }
  const days = options.artifactRetentionDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 90)) {
    throw new OptionError(`Invalid \`artifact-retention-days\` ${days}: GitHub keeps artifacts 1 to 90 days.`, 'Use a whole number from 1 to 90.');
  }
  context.reporter.secret(env.ACTIONS_RUNTIME_TOKEN);
  const token = options.artifactToken?.trim() || undefined;
  context.reporter.secret(token);
  if (token && !env.GITHUB_REPOSITORY) {
    throw new UnsupportedError('`artifact-token` is set but GITHUB_REPOSITORY is not: the repository whose runs to read is unknown.', 'Run the Lifeboat action in a GitHub Actions job, which sets it.');
  }
  // Loaded only here: @actions/artifact takes seconds to import and most runs never need it.
  const [{ DefaultArtifactClient }, { ArtifactStore }, { RepositoryArtifacts }] = await Promise.all([
    import('@actions/artifact'),
    import('./artifact/artifact-store.js'),
    import('./artifact/repository-artifacts.js'),
  ]);
  const repository = token
    ? new RepositoryArtifacts({ apiUrl: env.GITHUB_API_URL || 'https://api.github.com', repository: env.GITHUB_REPOSITORY!, token })
    : undefined;
  return new ArtifactStore(new DefaultArtifactClient(), target.prefix, days, context, repository);
}

/** Parses `store` (folder path, file:///abs/path, s3://bucket/prefix, artifact://prefix) and returns a ready Store; bad URL → OptionError naming the accepted forms. */
export async function openStore(options: StoreOptions, context: RunContext): Promise<Store> {
  const target = parseStoreUrl(options.store);
  warnAboutUnusedOptions(options, target.kind, context);
  switch (target.kind) {
    case 'local':
      return new LocalStore(target.folder, context.signal);
    case 's3':
      return openS3(target, options, context);
    case 'github-artifact':
      return openArtifacts(target, options, context);
  }
}
