import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Headers, type Pack } from 'tar-stream';
import type { Reporter } from '../../report/reporter.js';
import type { BackupSource, SourceResult, SourceRun } from '../source.js';
import { FilesPathError, FilesSecretError } from './errors.js';
import { FILES_PAYLOAD_FILE, SUMS_ENTRY, type FilesManifestSection, type FilesStats } from './manifest.js';
import { archivePaths, sumsLine } from './paths.js';
import { describeFinding, SecretScanner, type SecretFinding } from './secret-scan.js';
import { readFailure, walk, type WalkedEntry } from './walk.js';

/** Everything a files backup needs to know. */
export interface FilesBackupSettings {
  /** The `paths` as given. */
  readonly paths: readonly string[];
  /** Folder they are relative to; default the working directory. */
  readonly root?: string;
  readonly allowSecrets?: boolean;
  readonly reporter?: Reporter;
}

/** A prepared files source: the paths read and scanned. */
export interface FilesSource extends BackupSource {
  readonly kind: 'files';
  /** What the scan found (empty unless `allowSecrets`, which lets the backup go on). */
  readonly findings: readonly SecretFinding[];
}

// Findings listed in a message before "and N more".
const SHOWN = 10;

/** Reads a file through the scanner only (the scan before anything is stored). */
async function scanFile(entry: WalkedEntry): Promise<SecretFinding[]> {
  const scanner = new SecretScanner(entry.name);
  try {
    for await (const chunk of createReadStream(entry.path)) scanner.write(chunk as Buffer);
  } catch (error) {
    throw readFailure(entry.name, error);
  }
  return scanner.end();
}

/**
 * Prepares a backup of files and folders: checks every listed path exists and every file can
 * be read, and scans each for secrets, failing naming the file and line (never the value)
 * unless `allowSecrets`; all before anything is stored. The archive itself streams on `start`.
 */
export async function createFilesSource(settings: FilesBackupSettings): Promise<FilesSource> {
  const names = archivePaths(settings.paths);
  const root = resolve(settings.root ?? '.');
  const findings: SecretFinding[] = [];
  let bytes = 0;
  for await (const entry of walk(root, names)) {
    if (entry.name === SUMS_ENTRY) throw new FilesPathError(`${SUMS_ENTRY} under \`files-root\` is named like the archive's own checksum list.`, 'Leave it out of `paths` or rename it.');
    if (entry.type !== 'file') continue;
    bytes += entry.stats.size;
    findings.push(...(await scanFile(entry)));
  }
  if (findings.length > 0 && !settings.allowSecrets) {
    const listed = findings.slice(0, SHOWN).map(describeFinding).join('; ');
    const more = findings.length > SHOWN ? `; and ${findings.length - SHOWN} more` : '';
    throw new FilesSecretError(
      `The secret scan found what looks like a secret in ${listed}${more}. Nothing was stored.`,
      'Keep secrets out of application backups: remove the file from `paths` (or the secret from the file, e.g. read it from the environment). For a dedicated secrets backup, to its own recipients, set `allow-secrets: true`.',
    );
  }
  if (findings.length > 0) settings.reporter?.warning(`allow-secrets is set: backing up ${findings.length} finding(s) of the secret scan (${findings.slice(0, SHOWN).map(describeFinding).join('; ')}); the manifest records it.`);
  return {
    kind: 'files',
    defaultName: 'files',
    payloadFile: FILES_PAYLOAD_FILE,
    // Each entry adds a 512-byte header and pads to 512.
    expectedSize: bytes + 1024 * 1024,
    findings,
    start: async (signal) => {
      signal.throwIfAborted();
      return startArchive({ root, names, paths: settings.paths, allowSecrets: settings.allowSecrets ?? false, findings }, signal);
    },
  };
}

interface ArchivePlan {
  readonly root: string;
  readonly names: readonly string[];
  readonly paths: readonly string[];
  readonly allowSecrets: boolean;
  readonly findings: readonly SecretFinding[];
}

function headerOf(entry: WalkedEntry): Headers {
  const { stats } = entry;
  return {
    name: entry.type === 'directory' ? `${entry.name}/` : entry.name,
    mode: stats.mode & 0o7777,
    mtime: stats.mtime,
    uid: stats.uid,
    gid: stats.gid,
    type: entry.type === 'directory' ? 'directory' : entry.type === 'symlink' ? 'symlink' : 'file',
    size: entry.type === 'file' ? stats.size : 0,
  };
}

/** Writes one entry's header and (for a file) its bytes into the archive, waiting for it to be taken. */
function addEntry(archive: Pack, header: Headers, body?: (sink: NodeJS.WritableStream) => Promise<void>): Promise<void> {
  return new Promise<void>((done, fail) => {
    let settled = false;
    const finish = (error?: Error | null) => {
      if (settled) return;
      settled = true;
      if (error) fail(error);
      else done();
    };
    const sink = archive.entry(header, (error) => finish(error));
    if (body) body(sink).catch((error: unknown) => finish(error as Error));
    else sink.end();
  });
}

/**
 * Streams the tar archive: every entry in walk order with its mode and time, each file
 * hashed (and scanned again, in case it changed since the scan) as it passes, then
 * SHA256SUMS. A file that changes size while it is read fails the archive.
 */
function startArchive(plan: ArchivePlan, signal: AbortSignal): SourceRun {
  const archive = tarPack();
  const out = new PassThrough();
  let failed: Error | undefined;
  const abort = (reason?: Error) => {
    if (failed) return;
    failed = reason ?? new Error('The files backup was stopped.');
    archive.destroy(failed);
    if (!out.destroyed) out.destroy(failed);
  };
  signal.addEventListener('abort', () => abort(signal.reason instanceof Error ? signal.reason : undefined), { once: true });
  const piped = pipeline(archive, out).catch((error: unknown) => {
    failed ??= error as Error;
  });

  const result = (async (): Promise<SourceResult> => {
    const stats: FilesStats = { paths: [...plan.paths], files: 0, directories: 0, symlinks: 0, bytes: 0, skipped: [], secrets: [...plan.findings] };
    let sums = '';
    try {
      for await (const entry of walk(plan.root, plan.names)) {
        if (failed) throw failed;
        if (entry.type === 'other') {
          stats.skipped.push(entry.name);
          continue;
        }
        if (entry.type === 'directory') {
          stats.directories++;
          await addEntry(archive, headerOf(entry));
          continue;
        }
        if (entry.type === 'symlink') {
          stats.symlinks++;
          const linkname = await readlink(entry.path).catch((error: unknown) => {
            throw readFailure(entry.name, error);
          });
          await addEntry(archive, { ...headerOf(entry), linkname });
          continue;
        }
        const hash = createHash('sha256');
        const scanner = new SecretScanner(entry.name);
        let read = 0;
        await addEntry(archive, headerOf(entry), async (sink) => {
          const tap = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              hash.update(chunk);
              scanner.write(chunk);
              read += chunk.length;
              callback(null, chunk);
            },
          });
          await pipeline(createReadStream(entry.path), tap, sink).catch((error: unknown) => {
            if ((error as NodeJS.ErrnoException).code) throw readFailure(entry.name, error);
            throw new FilesPathError(`${entry.name} changed while it was read (${entry.stats.size} bytes when listed, ${read} read).`, 'Back up files that are not being written to, or run the backup again.', { cause: error });
          });
        });
        const late = scanner.end();
        if (late.length > 0 && !plan.allowSecrets) {
          throw new FilesSecretError(`${describeFinding(late[0]!)} looks like a secret (the file changed after the scan). The backup was stopped.`, 'Keep secrets out of application backups, or set `allow-secrets: true` for a dedicated secrets backup.');
        }
        stats.files++;
        stats.bytes += read;
        sums += sumsLine(hash.digest('hex'), entry.name);
      }
      await new Promise<void>((done, fail) =>
        archive.entry({ name: SUMS_ENTRY, mode: 0o644, mtime: new Date(), type: 'file' }, Buffer.from(sums), (error) => (error ? fail(error) : done())),
      );
      archive.finalize();
      await piped;
      if (failed) throw failed;
    } catch (error) {
      abort(error as Error);
      throw error;
    }
    const manifest: FilesManifestSection = {
      kind: 'files',
      payloadFormat: 'tar',
      allowSecrets: plan.allowSecrets,
      ...(plan.allowSecrets && { secretFindings: plan.findings.length }),
    };
    return { manifest, stats: stats as unknown as Record<string, unknown> };
  })();
  result.catch(() => {});
  return { stream: out, result, abort };
}
