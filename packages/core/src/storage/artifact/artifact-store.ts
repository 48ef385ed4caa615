import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArtifactClient } from '@actions/artifact';
import type { RunContext } from '../../context.js';
import type { DeleteResult, ProbeOptions, ProbeResult, PutOptions, PutResult, Store, StoredObject } from '../store.js';
import {
  ObjectNotFoundError,
  StorageError,
  StorageFullError,
  StoredSizeMismatchError,
  StoreUnreachableError,
  UploadCancelledError,
} from '../errors.js';
import { checkKey, checkPrefix } from '../keys.js';
import { anySignal } from '../signals.js';
import { consumeOrDestroy } from '../body.js';
import { artifactName, keyFromArtifactName } from './artifact-names.js';
import { writeProbe } from '../probe.js';
import { newestByName, type RepositoryArtifact, type RepositoryArtifacts } from './repository-artifacts.js';

function nameOf(error: unknown): string | undefined {
  return (error as { name?: string } | null)?.name;
}

/** The operator's view of a failure of @actions/artifact. */
function artifactError(error: unknown, action: string, key: string, location: string): StorageError {
  const name = nameOf(error);
  const message = (error as Error)?.message ?? String(error);
  const cause = { cause: error };
  if (name === 'ArtifactNotFoundError') return new ObjectNotFoundError(key, location, cause);
  if (name === 'UsageError') {
    return new StorageError(
      'artifact-quota',
      `GitHub refused to ${action} '${key}' in ${location}: the account's artifact storage quota is used up.`,
      'Delete old artifacts, raise the quota, or store backups in s3:// instead.',
      cause,
    );
  }
  if (name === 'GHESNotSupportedError') {
    return new StorageError(
      'artifact-unsupported',
      'GitHub Enterprise Server does not offer the artifact service `artifact://` needs.',
      'Use s3://bucket/prefix or a folder.',
      cause,
    );
  }
  if (name === 'NetworkError') {
    return new StoreUnreachableError(
      'the GitHub artifact service',
      (error as { code?: string }).code ?? 'network error',
      cause,
      'Retry; on a self-hosted runner, allow it to reach the GitHub Actions artifact and blob storage hosts.',
    );
  }
  return new StorageError(
    'artifact-failed',
    `Could not ${action} '${key}' in ${location}: ${message.split('\n')[0]}`,
    'Retry the job; if it persists, check https://www.githubstatus.com and the workflow\'s `permissions`.',
    cause,
  );
}

/**
 * A store of GitHub Actions artifacts, one per object (see artifact-names.ts for the
 * mapping). Works only inside a JavaScript action, through @actions/artifact, which reads
 * ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL from the process environment.
 *
 * The artifact service sees the artifacts of the current workflow run only; with `repository`
 * (the Actions REST API and a token with `actions: read`), reads and deletes also reach the
 * artifacts of every earlier run, so a scheduled drill sees the nightly backups. Writes always
 * go to the current run. Artifacts are immutable (a key is written once) and expire after
 * their retention (1 to 90 days). Objects pass through a temp file on upload and download:
 * the library uploads files.
 */
export class ArtifactStore implements Store {
  readonly kind = 'github-artifact' as const;
  readonly location: string;

  constructor(
    private readonly client: ArtifactClient,
    private readonly prefix: string,
    private readonly retentionDays: number | undefined,
    private readonly context: RunContext,
    private readonly repository?: RepositoryArtifacts,
  ) {
    this.location = `artifact://${prefix}`;
  }

  /** Earlier runs' artifacts, listed once per store: every listing and lookup reads this copy. */
  private earlier?: Promise<RepositoryArtifact[]>;

  private earlierRuns(): Promise<RepositoryArtifact[]> {
    if (!this.repository) return Promise.resolve([]);
    this.earlier ??= this.repository.list().catch((error: unknown) => {
      this.earlier = undefined;
      throw error;
    });
    return this.earlier;
  }

  /** The newest artifact of an earlier (or this) run named for `key`, through the REST API. */
  private async findEarlier(key: string): Promise<RepositoryArtifact | undefined> {
    const name = this.nameOf(key);
    return newestByName((await this.earlierRuns()).filter((a) => a.name === name)).get(name);
  }

  private nameOf(key: string): string {
    return artifactName(this.prefix, checkKey(key));
  }

  /** Lists this run's artifacts (the service answers, the token is accepted), and earlier runs' with a repository; with `write`, uploads, downloads and deletes a probe artifact. */
  async probe(options: ProbeOptions = {}): Promise<ProbeResult> {
    for await (const _ of this.list('')) break;
    if (options.write) await writeProbe(this);
    return {
      notes: this.repository
        ? []
        : ['`artifact://` sees only this workflow run\'s artifacts: without `artifact-token`, backups made by other runs are invisible here.'],
    };
  }

  /** Writes `body` to a temp file named for the artifact, uploads it unzipped, removes the file. */
  put(key: string, body: Readable, options: PutOptions = {}): Promise<PutResult> {
    return consumeOrDestroy(body, () => this.upload(key, body, options));
  }

  private async upload(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    const name = this.nameOf(key);
    if (await this.head(key)) {
      throw new StorageError(
        'artifact-exists',
        `'${key}' already exists in ${this.location}, and artifacts cannot be overwritten.`,
        'Write it under a new key, or delete the artifact first.',
      );
    }
    const signal = anySignal(options.signal, this.context.signal);
    const folder = await mkdtemp(join(this.context.tempDir, 'lifeboat-artifact-'));
    try {
      const file = join(folder, name);
      const sink = createWriteStream(file);
      let writeFailure: unknown;
      sink.once('error', (error) => (writeFailure ??= error));
      try {
        await pipeline(body, sink, signal ? { signal } : {});
      } catch (error) {
        if (signal?.aborted) throw new UploadCancelledError(key, this.location, { cause: error });
        if (error === writeFailure && ['ENOSPC', 'EDQUOT'].includes((error as { code?: string }).code ?? '')) {
          throw new StorageFullError(this.context.tempDir, key, { cause: error });
        }
        throw error;
      }
      const size = (await stat(file)).size;
      let uploaded: { size?: number };
      try {
        uploaded = await this.client.uploadArtifact(name, [file], folder, {
          skipArchive: true,
          ...(this.retentionDays ? { retentionDays: this.retentionDays } : {}),
        });
      } catch (error) {
        throw artifactError(error, 'upload', key, this.location);
      }
      if (uploaded.size !== undefined && uploaded.size !== size) {
        await this.delete([key]);
        throw new StoredSizeMismatchError(key, this.location, size, uploaded.size);
      }
      return { key, size };
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  /** Downloads the artifact to a temp folder (checking its digest) and streams the file, removed before the stream is returned. */
  async get(key: string): Promise<Readable> {
    const name = this.nameOf(key);
    let found: { id: number; digest?: string; runId?: number };
    try {
      const { artifact } = await this.client.getArtifact(name);
      found = { id: artifact.id, ...(artifact.digest ? { digest: artifact.digest } : {}) };
    } catch (error) {
      const earlier = nameOf(error) === 'ArtifactNotFoundError' ? await this.findEarlier(key) : undefined;
      if (!earlier) throw artifactError(error, 'find', key, this.location);
      found = { id: earlier.id, runId: earlier.workflowRunId, ...(earlier.digest ? { digest: earlier.digest } : {}) };
    }
    const folder = await mkdtemp(join(this.context.tempDir, 'lifeboat-artifact-'));
    try {
      let result;
      try {
        result = await this.client.downloadArtifact(found.id, {
          path: folder,
          skipDecompress: true,
          ...(found.digest ? { expectedHash: found.digest } : {}),
          ...(found.runId !== undefined && this.repository
            ? { findBy: { token: this.repository.token, workflowRunId: found.runId, repositoryOwner: this.repository.owner, repositoryName: this.repository.name } }
            : {}),
        });
      } catch (error) {
        throw artifactError(error, 'download', key, this.location);
      }
      if (result.digestMismatch) {
        throw new StorageError(
          'artifact-digest-mismatch',
          `The download of '${key}' from ${this.location} does not match the digest GitHub recorded at upload.`,
          'Retry; if it persists, the artifact is damaged: use another backup.',
        );
      }
      const files = await readdir(folder);
      if (files.length !== 1) {
        throw new StorageError('artifact-failed', `The download of '${key}' from ${this.location} produced ${files.length} files instead of one.`);
      }
      // Opened, then removed at once: the open file still reads, and nothing is left behind whoever reads it.
      const handle = await open(join(folder, files[0]!));
      await rm(folder, { recursive: true, force: true });
      return handle.createReadStream();
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /** The artifact's size and creation time, or undefined when there is none. */
  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const { artifact } = await this.client.getArtifact(this.nameOf(key));
      return { key, size: artifact.size, lastModified: artifact.createdAt };
    } catch (error) {
      if (nameOf(error) !== 'ArtifactNotFoundError') throw artifactError(error, 'look up', key, this.location);
    }
    const earlier = await this.findEarlier(key);
    return earlier ? { key, size: earlier.size, lastModified: earlier.createdAt } : undefined;
  }

  /** Artifacts of this run (and, with a repository, of earlier runs) whose names map to keys under `prefix`; one per key, the newest. */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    checkPrefix(prefix);
    let artifacts;
    try {
      ({ artifacts } = await this.client.listArtifacts({ latest: true }));
    } catch (error) {
      throw artifactError(error, 'list', prefix, this.location);
    }
    // This run first: it is fresh, while the repository listing was taken once.
    const candidates = [...artifacts, ...newestByName(await this.earlierRuns()).values()];
    const seen = new Set<string>();
    for (const artifact of candidates) {
      const key = keyFromArtifactName(this.prefix, artifact.name);
      if (key === undefined || !key.startsWith(prefix) || seen.has(key)) continue;
      seen.add(key);
      yield { key, size: artifact.size, lastModified: artifact.createdAt };
    }
  }

  /** Deletes artifacts one by one, in this run and (with a repository) every earlier run; a missing one counts as deleted. */
  async delete(keys: readonly string[]): Promise<DeleteResult> {
    const result: DeleteResult = { deleted: [], failed: [] };
    for (const key of keys) {
      try {
        await this.deleteHere(key);
        if ((await this.deleteEarlier(key)) === 'refused') {
          // Not a failure of retention: GitHub's expiry removes it, and actions: write is the way to remove it sooner.
          result.failed.push({
            key,
            reason: `GitHub refused to delete it: \`artifact-token\` lacks \`actions: write\`. Grant it to delete earlier runs' backups.`,
            locked: true,
            lockedBy: 'kept until GitHub\'s artifact expiry: `artifact-token` lacks `actions: write` to delete it sooner',
          });
          continue;
        }
        result.deleted.push(key);
      } catch (error) {
        result.failed.push({ key, reason: error instanceof StorageError ? error.message : artifactError(error, 'delete', key, this.location).message });
      }
    }
    return result;
  }

  private async deleteHere(key: string): Promise<void> {
    try {
      await this.client.deleteArtifact(this.nameOf(key));
    } catch (error) {
      if (nameOf(error) !== 'ArtifactNotFoundError') throw error;
    }
  }

  private async deleteEarlier(key: string): Promise<'deleted' | 'refused'> {
    if (!this.repository) return 'deleted';
    const name = this.nameOf(key);
    const listed = await this.earlierRuns();
    for (const artifact of listed.filter((a) => a.name === name)) {
      if ((await this.repository.delete(artifact.id)) === 'refused') return 'refused';
      listed.splice(listed.indexOf(artifact), 1);
    }
    return 'deleted';
  }
}
