import type { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SPOOL_ABOVE, type UploadPlan } from './part-size.js';
import { captureTarget, PartSender, type PartTarget } from './part-sender.js';
import { PartSpool, type SpoolFile, type SpooledPart } from './part-spool.js';

/**
 * Streams a body to S3 in parts gathered into a fixed pool of `queueSize + 1` part buffers,
 * reused from part to part: one filling while up to `queueSize` are sent. Memory is then
 * `partSize × (queueSize + 1)` whatever the object's size, and no part is ever copied or
 * left for the garbage collector. A body that fits in one part is sent with PutObject. Parts
 * go out as plain signed PUTs (part-sender.ts); the SDK creates, completes and aborts.
 *
 * @aws-sdk/lib-storage's Upload gathers each part from the stream's chunks and concatenates
 * them into a new buffer per part; measured on a 2 GiB upload of 5 MiB parts it peaked at
 * 263 MiB RSS where this stays near the folder store's figure (scripts/bench/storage-upload.mjs).
 */
export class MultipartUpload {
  /** The multipart upload's id once created, for the caller to abort after a failure. */
  uploadId: string | undefined;
  private readonly controller = new AbortController();

  constructor(
    private readonly client: S3Client,
    private readonly params: PutObjectCommandInput & { Bucket: string; Key: string },
    private readonly plan: UploadPlan,
    /** Where spooled parts' folder goes (the run's temp folder). */
    private readonly spoolBase: string,
  ) {}

  /** Sends the whole body; rejects with the first failure (the body's or a request's) and stops every request in flight. */
  async done(body: Readable): Promise<void> {
    const { partSize, queueSize } = this.plan;
    // Made when the first part outgrows memory, so small objects never touch the disk.
    let spool: PartSpool | undefined;
    const spoolFile = async () => (spool ??= await PartSpool.create(this.spoolBase, partSize, queueSize + 1)).file();
    const newSlot = async (): Promise<PartSlot> => (!this.plan.spool ? memorySlot(partSize) : spool ? await spoolFile() : headSlot(partSize, spoolFile));
    const free: PartSlot[] = [];
    let allocated = 1;
    const inFlight = new Set<Promise<void>>();
    const parts: CompletedPart[] = [];
    let failure: unknown;
    let partNumber = 0;

    const send = (slot: PartSlot) => {
      const number = ++partNumber;
      const sending = this.sendPart(number, slot.body()).then(
        (part) => {
          parts.push(part);
          slot.reset();
          free.push(slot);
        },
        (error: unknown) => {
          failure ??= error;
          this.controller.abort();
        },
      );
      const tracked = sending.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };
    /** A slot for the next part: a fresh one until the pool is full, then the first one a sent part gives back. */
    const nextSlot = async (): Promise<PartSlot> => {
      while (free.length === 0 && failure === undefined) {
        if (allocated < queueSize + 1) {
          allocated++;
          return newSlot();
        }
        await Promise.race(inFlight);
      }
      if (failure !== undefined) throw failure;
      return free.pop()!;
    };

    try {
      let current = await newSlot();
      for await (const chunk of body as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          if (failure !== undefined) throw failure;
          offset += await current.fill(chunk, offset);
          if (current.filled < partSize) continue;
          if (partNumber === 0) await this.create();
          send(current);
          current = await nextSlot();
        }
      }
      const last = current.body();
      if (partNumber === 0 && Buffer.isBuffer(last)) {
        // Everything fitted in one part in memory: one PutObject, no multipart upload to complete or abort.
        await this.client.send(new PutObjectCommand({ ...this.params, Body: last, ContentLength: last.length }), { abortSignal: this.controller.signal });
        return;
      }
      // A single spooled part still goes as a multipart upload: its signed PUT streams from the file.
      if (partNumber === 0) await this.create();
      if (current.filled > 0 || partNumber === 0) send(current);
      while (inFlight.size > 0) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      if (partNumber > this.plan.maxParts) throw new Error(`${partNumber} parts where the store accepts ${this.plan.maxParts}`);
      parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.params.Bucket, Key: this.params.Key, UploadId: this.uploadId, MultipartUpload: { Parts: parts } }),
        { abortSignal: this.controller.signal },
      );
    } catch (error) {
      // The first failure is the cause: the aborts it triggers in other requests are not.
      failure ??= error;
      this.controller.abort();
      await Promise.allSettled(inFlight);
      throw failure;
    } finally {
      this.sender?.close();
      await spool?.remove();
    }
  }

  /** The request fields every part repeats (encryption with customer keys, checksum algorithm...), without the body's. */
  private partParams() {
    const { Body: _body, ContentLength: _length, ContentMD5: _md5, ...params } = this.params;
    return params;
  }

  private async create(): Promise<void> {
    const params = this.partParams();
    // As lib-storage does: a client that checksums what it sends declares the algorithm up front, so parts and completion agree.
    if ((await this.client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED') params.ChecksumAlgorithm ??= 'CRC32';
    const command = new CreateMultipartUploadCommand(params);
    let target: PartTarget | undefined;
    captureTarget(command, (found) => (target = found));
    const created = await this.client.send(command, { abortSignal: this.controller.signal });
    this.uploadId = created.UploadId;
    this.checksumAlgorithm = params.ChecksumAlgorithm;
    // Parts as plain signed PUTs where that covers the request (no checksum, or CRC32); else through the SDK.
    if (target && this.uploadId && (params.ChecksumAlgorithm === undefined || params.ChecksumAlgorithm === 'CRC32')) {
      this.sender = new PartSender(this.client, target, this.uploadId, {
        connections: this.plan.queueSize,
        maxAttempts: Math.max(1, await this.client.config.maxAttempts()),
        checksum: params.ChecksumAlgorithm === 'CRC32',
      });
    }
  }

  private checksumAlgorithm: PutObjectCommandInput['ChecksumAlgorithm'];
  private sender: PartSender | undefined;

  private async sendPart(number: number, body: Buffer | SpooledPart): Promise<CompletedPart> {
    if (this.sender) {
      const sent = await this.sender.send(number, body, this.controller.signal);
      return { PartNumber: number, ETag: sent.etag, ...(sent.crc32 ? { ChecksumCRC32: sent.crc32 } : {}) };
    }
    const sent = await this.client.send(
      new UploadPartCommand({
        ...this.partParams(),
        ...(this.checksumAlgorithm ? { ChecksumAlgorithm: this.checksumAlgorithm } : {}),
        UploadId: this.uploadId,
        PartNumber: number,
        Body: Buffer.isBuffer(body) ? body : body.open(),
        ContentLength: body.length,
      }),
      { abortSignal: this.controller.signal },
    );
    if (!sent.ETag) throw new Error(`The store answered part ${number} without an ETag.`);
    return {
      PartNumber: number,
      ETag: sent.ETag,
      ...(sent.ChecksumCRC32 ? { ChecksumCRC32: sent.ChecksumCRC32 } : {}),
      ...(sent.ChecksumCRC32C ? { ChecksumCRC32C: sent.ChecksumCRC32C } : {}),
      ...(sent.ChecksumCRC64NVME ? { ChecksumCRC64NVME: sent.ChecksumCRC64NVME } : {}),
      ...(sent.ChecksumSHA1 ? { ChecksumSHA1: sent.ChecksumSHA1 } : {}),
      ...(sent.ChecksumSHA256 ? { ChecksumSHA256: sent.ChecksumSHA256 } : {}),
    };
  }
}

/** Where one part gathers until it is sent: a buffer, or a spool file (`plan.spool`). */
interface PartSlot {
  /** Bytes gathered so far. */
  readonly filled: number;
  /** Takes bytes from `chunk` at `offset`, up to the part's size; returns how many. */
  fill(chunk: Buffer, offset: number): number | Promise<number>;
  /** The part to send. */
  body(): Buffer | SpooledPart;
  /** Empties the slot for the next part. */
  reset(): void;
}

function memorySlot(partSize: number): PartSlot {
  const buffer = Buffer.allocUnsafe(partSize);
  let filled = 0;
  return {
    get filled() {
      return filled;
    },
    fill(chunk, offset) {
      const copied = chunk.copy(buffer, filled, offset);
      filled += copied;
      return copied;
    },
    body: () => buffer.subarray(0, filled),
    reset: () => void (filled = 0),
  };
}

/**
 * The first slot of a spooled upload: gathers in memory up to SPOOL_ABOVE, then moves what it
 * holds into a spool file and goes on there, so an object that small never touches the disk.
 */
function headSlot(partSize: number, spoolFile: () => Promise<SpoolFile>): PartSlot {
  let head: Buffer | undefined = Buffer.allocUnsafe(Math.min(SPOOL_ABOVE, partSize));
  let filled = 0;
  let file: SpoolFile | undefined;
  return {
    get filled() {
      return file ? file.filled : filled;
    },
    async fill(chunk, offset) {
      if (file) return file.fill(chunk, offset);
      if (filled < head!.length) {
        const copied = chunk.copy(head!, filled, offset);
        filled += copied;
        return copied;
      }
      file = await spoolFile();
      await file.fill(head!, 0);
      head = undefined;
      return file.fill(chunk, offset);
    },
    body: () => (file ? file.body() : head!.subarray(0, filled)),
    reset: () => (file ? file.reset() : void (filled = 0)),
  };
}

