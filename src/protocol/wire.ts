/**
 * Protobuf wire format, only what the service protocol uses: varints (uint32, int32, bool, uint64 as bigint) and
 * length-delimited fields (string, bytes, nested messages). Groups and fixed-width fields are skipped on input,
 * never produced. One Reader and one Writer serve the whole process (decoding and encoding are synchronous).
 */

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

export class Reader {
  buf: Uint8Array = EMPTY;
  pos = 0;
  /** End of the readable region (the payload being decoded). */
  len = 0;

  reset(buf: Uint8Array): void {
    this.buf = buf;
    this.pos = 0;
    this.len = buf.length;
  }

  /** A uint32 varint; longer varints (up to 10 bytes) are truncated to their low 32 bits, as protobuf requires. */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    let r = b & 0x7f;
    if (b & 0x80) {
      b = buf[pos++]!;
      r |= (b & 0x7f) << 7;
      if (b & 0x80) {
        b = buf[pos++]!;
        r |= (b & 0x7f) << 14;
        if (b & 0x80) {
          b = buf[pos++]!;
          r |= (b & 0x7f) << 21;
          if (b & 0x80) {
            b = buf[pos++]!;
            r |= b << 28;
            // Bytes 6–10 only carry bits above 32: skip them, refuse an 11th.
            for (let i = 0; b & 0x80; i++) {
              if (i === 5) throw new Error("invalid varint: longer than 10 bytes");
              b = buf[pos++]!;
            }
          }
        }
      }
    }
    if (pos > this.len) throw new RangeError("premature EOF");
    this.pos = pos;
    return r >>> 0;
  }

  /** A uint64 varint as a bigint (exact above 2^53). */
  uint64(): bigint {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let pos = this.pos;
    let b = 0x80;
    for (let shift = 0; shift < 28 && b & 0x80; shift += 7) {
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
    }
    if (b & 0x80) {
      b = buf[pos++]!;
      lo |= (b & 0x0f) << 28;
      hi = (b & 0x70) >> 4;
      for (let shift = 3; shift < 32 && b & 0x80; shift += 7) {
        b = buf[pos++]!;
        hi |= (b & 0x7f) << shift;
      }
      if (b & 0x80) throw new Error("invalid varint: longer than 10 bytes");
    }
    if (pos > this.len) throw new RangeError("premature EOF");
    this.pos = pos;
    return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  }

  bool(): boolean {
    const b = this.buf[this.pos]!;
    if (b < 0x80 && this.pos < this.len) {
      this.pos++;
      return b !== 0;
    }
    return this.uint64() !== 0n;
  }

  /** Start of a length-delimited field's bytes; moves past them. */
  #delimited(): number {
    const len = this.uint32();
    const start = this.pos;
    if (len > this.len - start) throw new RangeError("premature EOF");
    this.pos = start + len;
    return start;
  }

  /** A view into the input (no copy), like the protobuf runtimes do. */
  bytes(): Uint8Array {
    const start = this.#delimited();
    return this.buf.subarray(start, this.pos);
  }

  /** UTF-8 text; invalid sequences become U+FFFD. */
  string(): string {
    const start = this.#delimited();
    const end = this.pos;
    const buf = this.buf;
    if (end - start <= 64) {
      let ascii = true;
      for (let i = start; i < end; i++) {
        if (buf[i]! > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
    }
    return utf8Decoder.decode(buf.subarray(start, end));
  }

  /** Skips a field of wire type `wireType` (group contents included). */
  skip(wireType: number, depth = 0): void {
    switch (wireType) {
      case 0:
        this.uint64();
        return;
      case 1:
        this.pos += 8;
        break;
      case 5:
        this.pos += 4;
        break;
      case 2:
        this.#delimited();
        return;
      case 3:
        if (depth >= 100) throw new Error("maximum recursion depth reached");
        for (;;) {
          const tag = this.uint32();
          const wt = tag & 7;
          if (tag >>> 3 === 0 || wt > 5) throw new Error(`illegal tag: field no ${tag >>> 3} wire type ${wt}`);
          if (wt === 4) return;
          this.skip(wt, depth + 1);
        }
      default:
        throw new Error(`cannot skip wire type ${wireType}`);
    }
    if (this.pos > this.len) throw new RangeError("premature EOF");
  }
}

/** A growable buffer; `reset` keeps the grown storage so steady-state encoding allocates only its results. */
export class Writer {
  buf = new Uint8Array(1024);
  pos = 0;
  #forks: number[] = [];

  reset(at: number): void {
    this.pos = at;
    this.#forks.length = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  uint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let v = value;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A varint of the 64-bit two's complement of `lo`/`hi` (negative int32 values take 10 bytes). */
  varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    while (hi !== 0 || lo >>> 0 > 0x7f) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  bytes(value: Uint8Array): void {
    this.uint32(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  string(value: string): void {
    const n = value.length;
    let ascii = n < 128;
    if (ascii) {
      this.ensure(n + 1);
      const buf = this.buf;
      let pos = this.pos + 1;
      for (let i = 0; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) {
          ascii = false;
          break;
        }
        buf[pos++] = c;
      }
      if (ascii) {
        buf[this.pos] = n;
        this.pos = pos;
        return;
      }
    }
    this.fork();
    this.ensure(n * 3);
    this.pos += utf8Encoder.encodeInto(value, this.buf.subarray(this.pos)).written;
    this.join();
  }

  /** Starts a length-delimited field whose length is written by `join` (one byte reserved; moved if longer). */
  fork(): void {
    this.ensure(1);
    this.#forks.push(this.pos++);
  }

  join(): void {
    const start = this.#forks.pop()!;
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.buf[start] = len;
      return;
    }
    let size = 1;
    for (let v = len; v > 0x7f; v >>>= 7) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = start;
    this.uint32(len);
    this.pos = end;
  }
}
