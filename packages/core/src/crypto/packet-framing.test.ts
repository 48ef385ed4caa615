import fc from 'fast-check';
import { createMessage, encrypt, readMessage } from 'openpgp';
import { describe, expect, it } from 'vitest';
import { parseMessageHead } from './message-head.js';
import { PacketFraming } from './packet-framing.js';

function framingOf(bytes: Uint8Array, chunk = bytes.length || 1): PacketFraming {
  const framing = new PacketFraming();
  for (let i = 0; i < bytes.length; i += chunk) framing.push(bytes.subarray(i, i + chunk));
  return framing;
}

/** A message as openpgp.js streams it: session key packet, then SEIPD in partial-length chunks. */
async function streamedMessage(size: number): Promise<Uint8Array> {
  const data = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
  const chunks = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < size; i += 1000) controller.enqueue(data.subarray(i, i + 1000));
      controller.close();
    },
  });
  const stream = await encrypt({ message: await createMessage({ binary: chunks }), passwords: ['framing test'], format: 'binary', config: { s2kIterationCountByte: 0 } });
  const parts: Uint8Array[] = [];
  for await (const part of stream as unknown as AsyncIterable<Uint8Array>) parts.push(part);
  return Buffer.concat(parts);
}

describe('OpenPGP packet framing', () => {
  it('a whole message ends between packets; every cut inside the encrypted data packet ends inside it', async () => {
    const message = await streamedMessage(20_000);
    await readMessage({ binaryMessage: message }); // a valid message
    const head = parseMessageHead(message, true);
    expect(head.kind).toBe('head');
    const dataOffset = head.kind === 'head' ? head.dataOffset : 0;
    // New-format SEIPD (0xd2) in partial-length chunks: the case the framing has to follow.
    expect(message[dataOffset]).toBe(0xd2);
    expect(message[dataOffset + 1]).toBeGreaterThanOrEqual(224);
    expect(framingOf(message).endsInsidePacket()).toBe(false);
    expect(framingOf(message.subarray(0, dataOffset)).endsInsidePacket()).toBe(false);
    for (let cut = dataOffset + 1; cut < message.length; cut += 97) {
      expect(framingOf(message.subarray(0, cut)).endsInsidePacket(), `cut at ${cut}`).toBe(true);
    }
    expect(framingOf(message.subarray(0, message.length - 1)).endsInsidePacket()).toBe(true);
  });

  it('the answer does not depend on how the bytes are chunked', async () => {
    const message = await streamedMessage(5000);
    await fc.assert(
      fc.property(fc.integer({ min: 0, max: message.length }), fc.integer({ min: 1, max: 700 }), (cut, chunk) => {
        const prefix = message.subarray(0, cut);
        expect(framingOf(prefix, chunk).endsInsidePacket()).toBe(framingOf(prefix).endsInsidePacket());
      }),
      { numRuns: 300 },
    );
  });

  it('old-format packets with 1, 2 and 4 octet lengths, and indeterminate length', () => {
    // Tag 8 (compressed) old format: ctb 0x80 | tag << 2 | length type.
    const one = Uint8Array.from([0xa0, 3, 1, 2, 3]);
    const two = Uint8Array.from([0xa1, 0, 2, 9, 9]);
    const four = Uint8Array.from([0xa2, 0, 0, 0, 1, 7]);
    for (const packet of [one, two, four]) {
      expect(framingOf(packet).endsInsidePacket()).toBe(false);
      for (let cut = 1; cut < packet.length; cut++) expect(framingOf(packet.subarray(0, cut)).endsInsidePacket()).toBe(true);
    }
    const all = Buffer.concat([one, two, four]);
    expect(framingOf(all, 2).endsInsidePacket()).toBe(false);
    // Indeterminate length runs to the end of the input: no cut can be seen.
    expect(framingOf(Uint8Array.from([0xa3, 1, 2, 3])).endsInsidePacket()).toBe(false);
  });

  it('new-format two- and five-octet lengths', () => {
    const twoOctet = Buffer.concat([Uint8Array.from([0xd2, 192, 8]), new Uint8Array(200)]); // 8 + 192 = 200
    expect(framingOf(twoOctet).endsInsidePacket()).toBe(false);
    expect(framingOf(twoOctet.subarray(0, 150)).endsInsidePacket()).toBe(true);
    const fiveOctet = Buffer.concat([Uint8Array.from([0xd2, 255, 0, 0, 1, 0]), new Uint8Array(256)]);
    expect(framingOf(fiveOctet, 3).endsInsidePacket()).toBe(false);
    expect(framingOf(fiveOctet.subarray(0, 4)).endsInsidePacket()).toBe(true);
  });
});
