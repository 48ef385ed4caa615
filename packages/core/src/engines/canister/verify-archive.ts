import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CheckResult } from '../../catalog/drill-record.js';
import { childEnv } from '../../process/child-env.js';
import { spawnTool } from '../../process/spawn-tool.js';
import { detectCompression, startDecompressor } from './compression.js';
import { CanisterArchiveError } from './errors.js';
import { ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, emptyCounts, type RecordCounts } from './records.js';

/** What a drill of a canister archive found. */
export interface CanisterArchiveVerification {
  readonly checks: CheckResult[];
}

const COUNT_NAMES = ['users', 'vaults', 'notes', 'proposals'] as const;

/**
 * Checks a decrypted canister archive the way a drill does (there is no database to restore):
 * it decompresses, every line parses as a known record, it starts with a header and ends with
 * a trailer, every record follows its user's record, and the counts match both the trailer
 * and the manifest. Snapshot archives (`kind: canister-snapshot`) are listed with `tar` and
 * their files counted against the manifest.
 */
export async function verifyCanisterArchive(
  plaintextFile: string,
  manifestSource: Record<string, unknown>,
): Promise<CanisterArchiveVerification> {
  const kind = await sniff(plaintextFile);
  if (manifestSource.kind === 'canister-snapshot') return verifySnapshotArchive(plaintextFile, manifestSource, kind);
  const checks: CheckResult[] = [];
  const expectedCompression = typeof manifestSource.compression === 'string' ? manifestSource.compression : undefined;
  if (!kind) {
    checks.push({
      name: 'archive decompresses',
      kind: 'decompress',
      ok: false,
      expected: expectedCompression ?? 'zstd or gzip',
      actual: 'unknown',
      message: 'The archive starts with neither the zstd nor the gzip magic.',
    });
    return { checks };
  }

  const counted = emptyCounts();
  let records = 0;
  let header: Record<string, unknown> | undefined;
  let trailer: Record<string, unknown> | undefined;
  let parseError: string | undefined;
  let structureError: string | undefined;
  const users = new Set<string>();

  const decompressor = startDecompressor(kind);
  const lines = createInterface({ input: decompressor.stream, crlfDelay: Infinity });
  const feeding = pipeline(createReadStream(plaintextFile), decompressor.stream).catch((error: unknown) => error as Error);
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (parseError) continue;
      let record: Record<string, unknown>;
      try {
        const value = JSON.parse(line) as unknown;
        if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
        record = value as Record<string, unknown>;
      } catch (error) {
        parseError = `line ${lineNumber}: ${(error as Error).message}`;
        continue;
      }
      records++;
      if (trailer) structureError ??= `line ${lineNumber}: a record follows the trailer`;
      const type = record.type;
      if (lineNumber === 1 && type === 'header') {
        header = record;
        continue;
      }
      switch (type) {
        case 'header':
          structureError ??= `line ${lineNumber}: a header record after the first line`;
          break;
        case 'user': {
          const id = String(record.user_id);
          if (users.has(id)) structureError ??= `line ${lineNumber}: a second user record for the same user`;
          users.add(id);
          counted.users++;
          break;
        }
        case 'vault':
          counted.vaults++;
          counted.notes += Array.isArray(record.notes) ? record.notes.length : 0;
          if (!Array.isArray(record.notes)) structureError ??= `line ${lineNumber}: a vault record without a notes array`;
          if (!users.has(String(record.user_id))) structureError ??= `line ${lineNumber}: a vault record before its user record`;
          break;
        case 'proposal':
          counted.proposals++;
          if (!users.has(String(record.user_id))) structureError ??= `line ${lineNumber}: a proposal record before its user record`;
          break;
        case 'trailer':
          trailer = record;
          break;
        default:
          parseError = `line ${lineNumber}: unknown record type ${JSON.stringify(type)}`;
      }
    }
  } catch (error) {
    parseError ??= `reading stopped at line ${lineNumber}: ${(error as Error).message}`;
  }
  const feedError = await feeding;
  let decompressError = feedError instanceof Error ? feedError.message : undefined;
  if (!decompressError) {
    decompressError = await decompressor.done.then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );
  }

  checks.push({
    name: 'archive decompresses',
    kind: 'decompress',
    ok: decompressError === undefined && (expectedCompression === undefined || expectedCompression === kind),
    expected: expectedCompression ?? kind,
    actual: kind,
    ...(decompressError ? { message: decompressError } : {}),
  });
  checks.push({
    name: 'records parse',
    kind: 'parse',
    ok: parseError === undefined && decompressError === undefined,
    actual: records,
    ...(parseError ? { message: parseError } : {}),
  });
  const headerOk = header?.format === ARCHIVE_FORMAT && typeof header.format_version === 'number' && header.format_version <= ARCHIVE_FORMAT_VERSION;
  checks.push({
    name: 'header record first',
    kind: 'header',
    ok: headerOk,
    expected: `${ARCHIVE_FORMAT} v${ARCHIVE_FORMAT_VERSION}`,
    actual: header ? `${String(header.format)} v${String(header.format_version)}` : 'missing',
  });
  checks.push({
    name: 'trailer record last',
    kind: 'trailer',
    ok: trailer !== undefined,
    expected: 'present',
    actual: trailer ? 'present' : 'missing (archive truncated)',
  });
  checks.push({
    name: 'records in order',
    kind: 'structure',
    ok: structureError === undefined && parseError === undefined,
    expected: 'one user record per user, before its vaults and proposals; nothing after the trailer',
    actual: structureError ?? (parseError ? 'not checked past the unparsable line' : 'as expected'),
  });
  const trailerCounts = (trailer?.counts ?? {}) as Partial<RecordCounts>;
  checks.push({
    name: 'trailer counts match records',
    kind: 'record-count',
    ok: trailer !== undefined && COUNT_NAMES.every((n) => trailerCounts[n] === counted[n]),
    expected: trailer ? pick(trailerCounts) : 'a trailer',
    actual: counted,
  });
  const manifestCounts = (manifestSource.counts ?? {}) as Partial<RecordCounts>;
  for (const name of COUNT_NAMES) {
    checks.push({
      name: `${name} match the manifest`,
      kind: 'record-count',
      ok: manifestCounts[name] === counted[name],
      expected: manifestCounts[name] ?? 'a count in the manifest',
      actual: counted[name],
    });
  }
  checks.push({
    name: 'export complete',
    kind: 'complete',
    ok: manifestSource.complete === true && trailer?.complete === true,
    expected: true,
    actual: { manifest: manifestSource.complete ?? null, trailer: trailer?.complete ?? null },
    ...(manifestSource.complete === false ? { message: 'The export was stored incomplete: users were missed while the index changed.' } : {}),
  });
  return { checks };
}

async function sniff(file: string): Promise<'zstd' | 'gzip' | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new CanisterArchiveError(
      `Cannot read the decrypted archive ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      'Decrypt the payload to a file first (the drill does this); check the path.',
    );
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function pick(counts: Partial<RecordCounts>): Partial<RecordCounts> {
  return Object.fromEntries(COUNT_NAMES.map((n) => [n, counts[n]])) as Partial<RecordCounts>;
}

/** Lists a snapshot archive with `tar -t` and compares its regular files with the manifest. */
async function verifySnapshotArchive(
  file: string,
  manifestSource: Record<string, unknown>,
  kind: 'zstd' | 'gzip' | undefined,
): Promise<CanisterArchiveVerification> {
  const checks: CheckResult[] = [];
  if (!kind) {
    checks.push({ name: 'archive decompresses', kind: 'decompress', ok: false, actual: 'unknown', message: 'Neither zstd nor gzip magic.' });
    return { checks };
  }
  const decompressor = startDecompressor(kind);
  const run = spawnTool('tar', ['-tvf', '-'], { env: childEnv(process.env), stdin: 'pipe', stdout: 'pipe' });
  const tar = { stdin: run.stdin! };
  let listing = '';
  run.stdout!.setEncoding('utf8').on('data', (chunk: string) => (listing += chunk));
  let stderr = '';
  const exited = run.exit.then((exit) => {
    stderr = exit.spawnError?.message ?? exit.stderrTail;
    return exit.spawnError ? -1 : exit.exitCode;
  });
  // tar stops reading once it saw the end-of-archive blocks; the rest (record padding) is
  // still decompressed, so a damaged tail is noticed, but no longer sent to tar.
  let tarReading = true;
  tar.stdin.on('error', () => (tarReading = false));
  const toTar = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!tarReading) return callback();
      tar.stdin.write(chunk, (error) => {
        if (error) tarReading = false;
        callback();
      });
    },
    final(callback) {
      tar.stdin.end();
      callback();
    },
  });
  const feedError = await pipeline(createReadStream(file), decompressor.stream, toTar).then(
    () => undefined,
    (error: unknown) => (error as Error).message,
  );
  if (feedError) tar.stdin.destroy();
  // The zstd binary may end its output cleanly and still fail (damaged input): ask it too.
  const decompressError =
    feedError ??
    (await decompressor.done.then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    ));
  const code = await exited;
  const files = listing.split('\n').filter((line) => line.startsWith('-')).length;
  checks.push({
    name: 'archive decompresses',
    kind: 'decompress',
    ok: decompressError === undefined,
    expected: manifestSource.compression ?? kind,
    actual: kind,
    ...(decompressError ? { message: decompressError } : {}),
  });
  checks.push({
    name: 'tar lists',
    kind: 'parse',
    ok: code === 0,
    actual: code,
    ...(code !== 0 ? { message: stderr.trim().slice(0, 300) || 'tar failed' } : {}),
  });
  checks.push({
    name: 'files match the manifest',
    kind: 'file-count',
    ok: manifestSource.files === files,
    expected: manifestSource.files,
    actual: files,
  });
  return { checks };
}
