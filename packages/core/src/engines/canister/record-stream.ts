import { pipeline, Readable } from 'node:stream';
import type { SourceResult, SourceRun } from '../source.js';
import { BoundedChannel } from './channel.js';
import { startCompressor, type Compression } from './compression.js';
import { recordLine, type ArchiveRecord } from './records.js';

/** Bytes the record stream buffers before it stops pulling records. */
const STREAM_HIGH_WATER_MARK = 256 * 1024;

/**
 * Turns a record producer into a `SourceRun`: records go through a bounded channel (so the
 * producer waits for the consumer), become NDJSON lines, and are compressed. `result` rejects
 * when the producer or the compressor failed, and the stream then errors too, so a truncated
 * archive is never taken for a whole one.
 */
export function startRecordStream(
  compression: Compression,
  capacity: number,
  produce: (emit: (record: ArchiveRecord) => Promise<void>, signal: AbortSignal) => Promise<SourceResult>,
  parentSignal: AbortSignal,
): SourceRun {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parentSignal.reason);
  if (parentSignal.aborted) controller.abort(parentSignal.reason);
  else parentSignal.addEventListener('abort', onParentAbort, { once: true });

  const channel = new BoundedChannel<string>(capacity);
  const lines = Readable.from(channel.drain(), { objectMode: false, highWaterMark: STREAM_HIGH_WATER_MARK });
  const compressor = startCompressor(compression);
  const stream = pipeline(lines, compressor.stream, () => {
    // Errors surface on `stream` itself and through `result`.
  }) as Readable;

  const stop = (reason: Error) => {
    controller.abort(reason);
    channel.fail(reason);
  };

  const produced = (async () => {
    try {
      const result = await produce((record) => channel.push(recordLine(record)), controller.signal);
      channel.close();
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error : new Error(String(error));
      stop(reason);
      throw reason;
    } finally {
      parentSignal.removeEventListener('abort', onParentAbort);
    }
  })();

  // The producer's error wins: it names the cause, where the compressor only saw its input cut.
  const result = produced.then(async (value) => {
    await compressor.done;
    return value;
  });
  // The pipeline awaits `result` later; until then a rejection must not count as unhandled.
  result.catch(() => {});

  return {
    stream,
    result,
    abort(reason?: Error) {
      const error = reason ?? new Error('The export was aborted.');
      stop(error);
      stream.destroy(error);
    },
  };
}
