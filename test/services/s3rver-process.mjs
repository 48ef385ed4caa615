/**
 * Runs s3rver for tests in a process of its own, started by `startS3()` in ./s3.ts with
 * NODE_OPTIONS=--openssl-legacy-provider: s3rver's continuation tokens need the legacy
 * provider on Node >= 17, and that flag must not leak into the test process itself.
 *
 * s3rver lacks two multipart operations that Lifeboat's cleanup depends on. They are added
 * here over s3rver's own data directory, following the S3 API reference:
 *   - ListMultipartUploads   GET    /<bucket>?uploads[&prefix=]
 *   - AbortMultipartUpload   DELETE /<bucket>/<key>?uploadId=<id>
 * Like the rest of s3rver they are test-only and do not check request signatures.
 *
 * Usage: node s3rver-process.mjs <data-dir>; reports `{ port }` over IPC once listening and
 * exits when its parent goes away (IPC disconnect), so a crashed test never leaves it behind.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import S3rver from 's3rver';

const directory = process.argv[2];
if (!directory) {
  console.error('usage: s3rver-process.mjs <data-dir>');
  process.exit(2);
}

const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });

// s3rver keeps in-progress multipart uploads in <bucket>/._S3rver_uploads/<uploadId>/{key,1,2,...}.
const uploadsDir = (bucket) => join(directory, bucket, '._S3rver_uploads');

function s3Error(ctx, status, code, message) {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function exists(path) {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function listUploads(bucket, prefix) {
  let ids;
  try {
    ids = await readdir(uploadsDir(bucket));
  } catch {
    return [];
  }
  const uploads = [];
  for (const id of ids.sort()) {
    const folder = join(uploadsDir(bucket), id);
    try {
      const key = await readFile(join(folder, 'key'), 'utf8');
      if (!key.startsWith(prefix)) continue;
      uploads.push({ Key: key, UploadId: id, Initiated: (await stat(folder)).mtime.toISOString() });
    } catch {
      // an upload being completed or aborted concurrently
    }
  }
  return uploads;
}

async function multipartExtras(ctx, next) {
  // Path-style only: /<bucket>, /<bucket>/ or /<bucket>/<key>.
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
  if (!match) return next();
  const bucket = decodeURIComponent(match[1]);
  const key = match[2] ? decodeURIComponent(match[2]) : undefined;
  const listing = ctx.method === 'GET' && key === undefined && 'uploads' in ctx.query;
  const aborting = ctx.method === 'DELETE' && key !== undefined && 'uploadId' in ctx.query;
  if (!listing && !aborting) return next();
  if (!(await exists(join(directory, bucket)))) {
    return s3Error(ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist');
  }
  if (listing) {
    const prefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
    const uploads = await listUploads(bucket, prefix);
    ctx.body = {
      ListMultipartUploadsResult: {
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: '',
        UploadIdMarker: '',
        MaxUploads: 1000,
        IsTruncated: false,
        ...(uploads.length > 0 ? { Upload: uploads } : {}),
      },
    };
    return;
  }
  const uploadId = String(ctx.query.uploadId);
  const folder = join(uploadsDir(bucket), uploadId);
  let storedKey;
  try {
    storedKey = /^[0-9a-f]+$/.test(uploadId) ? await readFile(join(folder, 'key'), 'utf8') : undefined;
  } catch {
    storedKey = undefined;
  }
  if (storedKey !== key) {
    return s3Error(ctx, 404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
  }
  await rm(folder, { recursive: true, force: true });
  ctx.status = 204;
}

// s3rver's middleware stack ends with its router: run the additions just before it.
server.middleware.splice(server.middleware.length - 1, 0, multipartExtras);

const { port } = await server.run();
process.send?.({ port });
// Nothing to flush: objects are written before s3rver answers, so exit at once.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
