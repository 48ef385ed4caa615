/**
 * Multipart sizing. S3 allows at most 10,000 parts of 5 MiB to 5 GiB and objects up to
 * 5 TiB, and an upload holds every part in flight until it is acknowledged. So the part size follows the
 * expected size (with headroom, because estimates such as a database's on-disk size can be
 * low) and the queue shrinks as parts grow, keeping `partSize × queueSize` within
 * UPLOAD_MEMORY_BUDGET.
 *
 * What the upload holds (multipart-upload.ts): a fixed pool of `queueSize + 1` part buffers,
 * `queueSize` being sent and one filling, reused from part to part, so
 * `partSize × (queueSize + 1)` whatever the object's size. Parts above SPOOL_ABOVE gather in
 * spool files instead (part-spool.ts), so large parts cost disk, not memory.
 *
 * Measured (scripts/bench/storage-upload.mjs, Node 24, 2 cores, 2 GiB to a loopback S3 peer
 * that discards bodies, each upload in its own process): a folder store peaks at 133 MiB RSS;
 * S3 with 5 MiB parts (3 in flight) at 202 MiB, with 16 MiB parts at 220 MiB. The same runs
 * through @aws-sdk/lib-storage, which concatenates every part into a new buffer, peaked at
 * 253 and 315 MiB. The 525 MiB parts of a 5 TiB object still need about 1 GiB.
 */

const MiB = 1024 * 1024;

/** S3's limit on parts per multipart upload (some S3-compatible providers allow only 1,000: `s3-max-parts`). */
export const MAX_PARTS = 10_000;
/** S3's minimum part size (all parts but the last). */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's maximum part size. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** S3's maximum object size. */
export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MiB;
/** Part size when nothing is known about the size: room for objects up to 156 GiB. */
export const DEFAULT_PART_SIZE = 16 * MiB;
/** How far the real size may exceed `expectedSize` and still fit in MAX_PARTS. */
export const ESTIMATE_HEADROOM = 2;
/** Bytes of parts being sent at once, at most, unless a single part is larger. */
export const UPLOAD_MEMORY_BUDGET = 64 * MiB;
/** Parts sent concurrently when parts are small: 3 keeps a backup of 5 MiB parts under 200 MiB. */
export const MAX_QUEUE_SIZE = 3;
/** Parts larger than this gather in spool files, not in memory (part-spool.ts). */
export const SPOOL_ABOVE = 16 * MiB;
/** Bytes of spooled parts on disk at once, at most, unless a single part is larger. */
export const SPOOL_DISK_BUDGET = 1024 * MiB;

/** A multipart plan: how large each part is and how many are sent at once. */
export interface UploadPlan {
  readonly partSize: number;
  readonly queueSize: number;
  /** The most parts the store accepts in one upload (`s3-max-parts`). */
  readonly maxParts: number;
  /** The largest object this plan can store (maxParts × partSize, at most MAX_OBJECT_SIZE). */
  readonly maxObjectSize: number;
  /** Whether parts gather in spool files (parts above SPOOL_ABOVE) rather than in memory. */
  readonly spool: boolean;
}

/** The part size no object ever needs to exceed: 5 TiB in `maxParts` parts, in whole MiB, at most 5 GiB. */
function largestUsefulPart(maxParts: number): number {
  return Math.min(Math.ceil(MAX_OBJECT_SIZE / maxParts / MiB) * MiB, MAX_PART_SIZE);
}

/**
 * Plans a multipart upload from the expected size (bytes, a hint) or an explicit part size,
 * for a store that accepts at most `maxParts` parts. The upload holds `partSize ×
 * (queueSize + 1)`: in memory for parts up to SPOOL_ABOVE, in spool files beyond. The caller refuses, before uploading, an expected size above
 * `maxObjectSize`.
 */
export function planUpload(expectedSize?: number, partSizeOverride?: number, maxParts: number = MAX_PARTS): UploadPlan {
  const parts = Math.max(1, Math.min(Math.floor(maxParts), MAX_PARTS));
  let partSize: number;
  if (partSizeOverride !== undefined) {
    partSize = Math.min(Math.max(partSizeOverride, MIN_PART_SIZE), MAX_PART_SIZE);
  } else if (expectedSize === undefined || !Number.isFinite(expectedSize) || expectedSize < 0) {
    // Without a hint, keep the room DEFAULT_PART_SIZE gives in 10,000 parts when fewer are allowed.
    partSize = Math.min(Math.ceil((DEFAULT_PART_SIZE * MAX_PARTS) / parts / MiB) * MiB, MAX_PART_SIZE);
  } else {
    const needed = Math.ceil((expectedSize * ESTIMATE_HEADROOM) / parts / MiB) * MiB;
    partSize = Math.min(Math.max(needed, MIN_PART_SIZE), largestUsefulPart(parts));
  }
  const spool = partSize > SPOOL_ABOVE;
  // In memory, the parts being sent fit the budget; on disk, those and the one filling do.
  const fits = spool ? Math.floor(SPOOL_DISK_BUDGET / partSize) - 1 : Math.floor(UPLOAD_MEMORY_BUDGET / partSize);
  const queueSize = Math.max(1, Math.min(MAX_QUEUE_SIZE, fits));
  return { partSize, queueSize, maxParts: parts, maxObjectSize: Math.min(partSize * parts, MAX_OBJECT_SIZE), spool };
}
