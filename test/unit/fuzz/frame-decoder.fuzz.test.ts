// Property tests of the frame decoder: any bytes, split anywhere, either decode into frames or fail with a
// ProtocolError that says why — never another exception, never unbounded buffering, and an oversized length is
// refused at the header, before its payload is waited for or allocated.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../../src/protocol/errors.js";
import { FRAME_HEADER_SIZE, FrameDecoder, encodeFrame, type RawFrame } from "../../../src/protocol/frame.js";
import { decodeMessage } from "../../../src/protocol/messages.js";

// PERDURE_FUZZ_RUNS=10 multiplies every property's number of runs (for a longer local hunt; CI uses 1).
const SCALE = Number(process.env.PERDURE_FUZZ_RUNS ?? "1") || 1;
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE) });

const frameArb = fc.record({
  type: fc.integer({ min: 0, max: 0xffff }),
  flags: fc.integer({ min: 0, max: 0xffff }),
  payload: fc.uint8Array({ maxLength: 64 }),
});

/** Cuts `bytes` at the given (sorted, deduplicated) positions. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Feeds chunks; returns the frames, or the error that stopped decoding. */
function decodeChunks(chunks: Uint8Array[], maxMessageSize?: number): { frames: RawFrame[]; error?: unknown; maxBuffered: number } {
  const decoder = new FrameDecoder({ maxMessageSize });
  const frames: RawFrame[] = [];
  let maxBuffered = 0;
  try {
    for (const c of chunks) {
      // copy: the decoder may keep views into a chunk
      frames.push(...decoder.push(c.slice()).map((f) => ({ ...f, payload: f.payload.slice() })));
      maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
    }
    decoder.finish();
    return { frames, maxBuffered };
  } catch (error) {
    return { frames, error, maxBuffered };
  }
}

describe("FrameDecoder under fuzzed input", () => {
  it("decodes any frame sequence the same way however the bytes are split", () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const body = concat(frames.map((f) => encodeFrame(f.type, f.flags, f.payload)));
        const result = decodeChunks(split(body, cuts));
        expect(result.error).toBeUndefined();
        expect(result.frames.map((f) => ({ type: f.type, flags: f.flags, payload: [...f.payload] }))).toEqual(
          frames.map((f) => ({ type: f.type, flags: f.flags, payload: [...f.payload] })),
        );
      }),
      runs(300),
    );
  });

  it("turns random bytes into frames or a readable ProtocolError, buffering no more than it received", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) => {
        const result = decodeChunks(split(bytes, cuts), 1024);
        if (result.error !== undefined) {
          expect(result.error).toBeInstanceOf(ProtocolError);
          expect((result.error as ProtocolError).code).toBe(571);
          expect((result.error as Error).message).toMatch(/frame|payload|header/);
        }
        expect(result.maxBuffered).toBeLessThanOrEqual(bytes.length);
        // Decoded frames are then either valid messages or a ProtocolError, never another exception.
        for (const f of result.frames) {
          try {
            decodeMessage(f);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
            expect((e as Error).message.length).toBeGreaterThan(10);
          }
        }
      }),
      runs(500),
    );
  });

  it("reports a body truncated anywhere inside a frame, with how much arrived", () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), (f, cutSeed) => {
        const bytes = encodeFrame(f.type, f.flags, f.payload);
        const cut = 1 + (cutSeed % (bytes.length - 1)); // 1 … length-1: always inside the frame
        const result = decodeChunks([bytes.subarray(0, cut)]);
        expect(result.error).toBeInstanceOf(ProtocolError);
        expect((result.error as Error).message).toMatch(cut < FRAME_HEADER_SIZE ? /inside a frame header/ : /ended inside a frame: got \d+ of \d+ bytes/);
      }),
      runs(300),
    );
  });

  it("refuses a declared length above maxMessageSize at the header, up to 4 GiB, without waiting for the payload", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 1025, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 32 }),
        (type, length, tail) => {
          const header = new Uint8Array(FRAME_HEADER_SIZE);
          new DataView(header.buffer).setUint16(0, type);
          new DataView(header.buffer).setUint32(4, length);
          const decoder = new FrameDecoder({ maxMessageSize: 1024 });
          let error: unknown;
          try {
            decoder.push(concat([header, tail]));
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ProtocolError);
          expect((error as Error).message).toContain(`declares a payload of ${length} bytes`);
          expect((error as Error).message).toContain("maxMessageSize");
          // The decoder stays failed: later input cannot resurrect it.
          expect(() => decoder.push(new Uint8Array(1))).toThrow(ProtocolError);
        },
      ),
      runs(200),
    );
  });

  it("accepts a length exactly at the limit and refuses one byte more", () => {
    const at = new FrameDecoder({ maxMessageSize: 16 });
    expect(at.push(encodeFrame(0x0400, 0, new Uint8Array(16)))).toHaveLength(1);
    const over = new FrameDecoder({ maxMessageSize: 16 });
    expect(() => over.push(encodeFrame(0x0400, 0, new Uint8Array(17)).subarray(0, FRAME_HEADER_SIZE))).toThrow(/17 bytes, above the limit of 16/);
  });

  it("the default limit (32 MiB) refuses a 0xFFFFFFFF header split across chunks before any payload", () => {
    const decoder = new FrameDecoder();
    const header = [0x04, 0x00, 0, 0, 0xff, 0xff, 0xff, 0xff];
    expect(decoder.push(new Uint8Array(header.slice(0, 3)))).toEqual([]);
    expect(() => decoder.push(new Uint8Array(header.slice(3)))).toThrow(/4294967295 bytes, above the limit of 33554432/);
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(FRAME_HEADER_SIZE);
  });
});
