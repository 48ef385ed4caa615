import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeEnd, encodeFunctions, encodeHeader, encodeKey, encodeSelect, payloadInfo, readKeyRecords, type KeyRecord } from './keys-format.js';

async function readAll(bytes: Buffer, chunk = 7): Promise<KeyRecord[]> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const out: KeyRecord[] = [];
  for await (const record of readKeyRecords(Readable.from(chunks))) out.push(record);
  return out;
}

const payload = Buffer.from([0x00, 0x01, 0x76, 0x0a, 0x00, 0x91, 0x08, 0xce, 0xb2, 0x19, 0x38, 0x8a, 0xce]);
const file = Buffer.concat([
  encodeHeader(),
  encodeSelect(0),
  encodeKey(Buffer.from('a'), undefined, payload),
  encodeKey(Buffer.from('b\u0000binary'), 1_900_000_000_000, payload),
  encodeSelect(7),
  encodeKey(Buffer.alloc(0), undefined, payload),
  encodeEnd(3),
]);

describe('the keys record file', () => {
  it('reads back what was written, in any chunking', async () => {
    for (const chunk of [1, 7, 64, file.length]) {
      expect(await readAll(file, chunk)).toEqual([
        { db: 0, key: Buffer.from('a'), expireAt: undefined, payload },
        { db: 0, key: Buffer.from('b\u0000binary'), expireAt: 1_900_000_000_000, payload },
        { db: 7, key: Buffer.alloc(0), expireAt: undefined, payload },
      ]);
    }
  });

  it('hands the functions record to its reader', async () => {
    const functions: Buffer[] = [];
    const withFunctions = Buffer.concat([encodeHeader(), encodeFunctions(Buffer.from('library dump')), encodeSelect(0), encodeKey(Buffer.from('k'), undefined, payload), encodeEnd(1)]);
    const records: KeyRecord[] = [];
    for await (const record of readKeyRecords(Readable.from([withFunctions.subarray(0, 10), withFunctions.subarray(10)]), { onFunctions: (p) => functions.push(p) })) records.push(record);
    expect(functions).toEqual([Buffer.from('library dump')]);
    expect(records).toHaveLength(1);
  });

  it('reads the type and RDB version of a DUMP payload', () => {
    expect(payloadInfo(payload)).toEqual({ type: 0, rdbVersion: 10 });
  });

  it.each([
    ['cut anywhere before its end record', file.subarray(0, file.length - 9), /ends short/],
    ['cut inside a record', file.subarray(0, 30), /ends short/],
    ['with a count that disagrees', Buffer.concat([file.subarray(0, file.length - 9), encodeEnd(4)]), /end record counts 4 keys, the file holds 3/],
    ['with bytes after the end', Buffer.concat([file, Buffer.from('S')]), /after the end record/],
    ['with an unknown record', Buffer.concat([encodeHeader(), Buffer.from('Z')]), /unknown record tag 0x5a/],
    ['of another format', Buffer.from('REDIS0010...'), /not a Lifeboat Redis keys file/],
    ['empty', Buffer.alloc(0), /empty or shorter than its header/],
  ])('refuses a file %s', async (_label, bytes, message) => {
    await expect(readAll(bytes)).rejects.toThrow(message);
  });
});
