/**
 * Follows the outer packet framing of a binary OpenPGP message (RFC 4880 §4.2: packet
 * headers, definite and partial body lengths) without reading any body, to tell whether the
 * bytes ended between packets or inside one. gpg reports a cut message only as "invalid
 * packet"; this tells a truncated object from a damaged one.
 */
export class PacketFraming {
  /** Body bytes left in the current packet or partial chunk. */
  private remaining = 0;
  /** The current chunk is partial: another length follows it. */
  private partial = false;
  /** An old-format packet of indeterminate length: it runs to the end of the input. */
  private toEnd = false;
  /** Header octets collected so far (a header may span chunks). */
  private header: number[] = [];
  /** Whether `header` is a full packet header (with tag) or only a partial-chunk length. */
  private lengthOnly = false;
  /** Bytes seen. */
  bytes = 0;

  /** Feeds the next bytes of the message. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let at = 0;
    while (at < chunk.length && !this.toEnd) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.remaining -= take;
        at += take;
        continue;
      }
      this.header.push(chunk[at++]!);
      this.readHeader();
    }
  }

  /** True when the input so far ends inside a packet (a cut message). */
  endsInsidePacket(): boolean {
    if (this.toEnd) return false;
    return this.remaining > 0 || this.partial || this.header.length > 0;
  }

  /** Tries to complete the pending header; on success, sets the body length to skip. */
  private readHeader(): void {
    const h = this.header;
    if (!this.lengthOnly) {
      const ctb = h[0]!;
      if ((ctb & 0x80) === 0) {
        // Not a packet: nothing further can be framed; treat the rest as one opaque body.
        this.toEnd = true;
        return;
      }
      if ((ctb & 0x40) === 0) {
        const type = ctb & 0x03;
        if (type === 3) {
          this.toEnd = true;
          this.header = [];
          return;
        }
        const octets = type === 0 ? 1 : type === 1 ? 2 : 4;
        if (h.length < 1 + octets) return;
        let length = 0;
        for (let i = 1; i <= octets; i++) length = length * 256 + h[i]!;
        this.body(length, false);
        return;
      }
    }
    // New-format length, after the tag octet (full header) or alone (next partial chunk).
    const start = this.lengthOnly ? 0 : 1;
    if (h.length <= start) return;
    const first = h[start]!;
    if (first < 192) return this.body(first, false);
    if (first < 224) {
      if (h.length < start + 2) return;
      return this.body(((first - 192) << 8) + h[start + 1]! + 192, false);
    }
    if (first === 255) {
      if (h.length < start + 5) return;
      return this.body(((h[start + 1]! << 24) >>> 0) + (h[start + 2]! << 16) + (h[start + 3]! << 8) + h[start + 4]!, false);
    }
    return this.body(1 << (first & 0x1f), true);
  }

  private body(length: number, partial: boolean): void {
    this.header = [];
    this.remaining = length;
    this.partial = partial;
    // After a partial chunk comes only a length; after a last chunk, a whole new header.
    this.lengthOnly = partial;
  }
}
