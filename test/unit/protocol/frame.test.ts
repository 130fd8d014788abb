import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../../src/protocol/errors.js";
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  FRAME_HEADER_SIZE,
  FrameDecoder,
  REQUESTED_ACK_FLAG,
  encodeFrame,
  writeFrameHeader,
  type RawFrame,
} from "../../../src/protocol/frame.js";
import { bytesToHex, hexToBytes } from "./support/vectors.js";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function summary(frames: RawFrame[]): Array<[number, number, string]> {
  return frames.map((f) => [f.type, f.flags, bytesToHex(f.payload)]);
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected an exception");
}

describe("constants", () => {
  it("match MESSAGES.md", () => {
    expect(FRAME_HEADER_SIZE).toBe(8);
    expect(REQUESTED_ACK_FLAG).toBe(0x8000);
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(32 * 1024 * 1024);
  });
});

describe("encodeFrame", () => {
  it("writes the big-endian header of MESSAGES.md examples", () => {
    expect(bytesToHex(encodeFrame(0x0005, REQUESTED_ACK_FLAG, hexToBytes("0801720131")))).toBe(
      "0005800000000005" + "0801720131",
    );
    expect(bytesToHex(encodeFrame(0x0003, 0, new Uint8Array(0)))).toBe("0003000000000000");
    expect(bytesToHex(encodeFrame(0xfbff, 0, new Uint8Array(14))).slice(0, 16)).toBe("fbff00000000000e");
  });

  it("writes and reads lengths ≥ 2^31 as unsigned", () => {
    const header = new Uint8Array(8);
    writeFrameHeader(header, 0, 0x0400, 0, 0x9000_0001);
    expect(bytesToHex(header)).toBe("0400000090000001");
    // With the limit lifted, the header is accepted and nothing is allocated up front:
    // only the 8 received bytes are held.
    const decoder = new FrameDecoder({ maxMessageSize: 0xffff_ffff });
    expect(decoder.push(header)).toEqual([]);
    expect(decoder.bufferedBytes).toBe(8);
    expect(() => decoder.finish()).toThrow("got 8 of 2415919113 bytes");
    expect(() => writeFrameHeader(header, 0, 1, 0, 2 ** 32)).toThrow(RangeError);
  });

  it("rejects out-of-range type and flags", () => {
    expect(() => encodeFrame(0x10000, 0, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFrame(-1, 0, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFrame(1, 0x10000, new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeFrame(1.5, 0, new Uint8Array(0))).toThrow(RangeError);
  });
});

describe("FrameDecoder", () => {
  const f1 = encodeFrame(0x0400, 0, hexToBytes("72050a03616263"));
  const f2 = encodeFrame(0x0003, 0, new Uint8Array(0));
  const f3 = encodeFrame(0x0005, REQUESTED_ACK_FLAG, hexToBytes("0801720131"));

  it("returns frames that sit inside one chunk as views of that chunk (no copy)", () => {
    const body = concat([f1, f2, f3]);
    const frames = new FrameDecoder().push(body);
    expect(summary(frames)).toEqual([
      [0x0400, 0, "72050a03616263"],
      [0x0003, 0, ""],
      [0x0005, 0x8000, "0801720131"],
    ]);
    expect(frames[0]!.payload.buffer).toBe(body.buffer);
    expect(frames[0]!.payload.byteOffset).toBe(8);
    expect(frames[2]!.payload.buffer).toBe(body.buffer);
  });

  it("assembles a frame split inside its header", () => {
    const d = new FrameDecoder();
    expect(d.push(f1.subarray(0, 3))).toEqual([]);
    expect(d.bufferedBytes).toBe(3);
    expect(d.push(f1.subarray(3, 7))).toEqual([]);
    expect(d.bufferedBytes).toBe(7);
    const frames = d.push(concat([f1.subarray(7), f2]));
    expect(summary(frames)).toEqual([
      [0x0400, 0, "72050a03616263"],
      [0x0003, 0, ""],
    ]);
    expect(d.bufferedBytes).toBe(0);
    d.finish();
  });

  it("assembles a payload split across many chunks", () => {
    const payload = new Uint8Array(1000).map((_, i) => i & 0xff);
    const frame = encodeFrame(0x8011, 0, payload);
    const d = new FrameDecoder();
    const out: RawFrame[] = [];
    for (let i = 0; i < frame.length; i += 37) {
      out.push(...d.push(frame.subarray(i, i + 37)));
      if (i + 37 < frame.length) expect(d.bufferedBytes).toBe(Math.min(i + 37, frame.length));
    }
    expect(out).toHaveLength(1);
    expect(out[0]!.payload).toEqual(payload);
    d.finish();
  });

  it("ignores empty chunks", () => {
    const d = new FrameDecoder();
    expect(d.push(new Uint8Array(0))).toEqual([]);
    expect(summary(d.push(f2))).toEqual([[3, 0, ""]]);
    expect(d.push(new Uint8Array(0))).toEqual([]);
    d.finish();
  });

  it("gives the same frames for random frame lists and random chunkings", () => {
    const frameArb = fc.record({
      type: fc.integer({ min: 0, max: 0xffff }),
      flags: fc.integer({ min: 0, max: 0xffff }),
      payload: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.integer({ min: 0, max: 64 })), (frames, sizes) => {
        const body = concat(frames.map((f) => encodeFrame(f.type, f.flags, f.payload)));
        const d = new FrameDecoder();
        const out: RawFrame[] = [];
        let pos = 0;
        for (const size of sizes) {
          out.push(...d.push(body.slice(pos, pos + size)));
          pos = Math.min(body.length, pos + size);
        }
        out.push(...d.push(body.slice(pos)));
        d.finish();
        expect(summary(out)).toEqual(frames.map((f) => [f.type, f.flags, bytesToHex(f.payload)]));
      }),
      { numRuns: 300 },
    );
  });

  describe("size limit", () => {
    it("rejects a declared length near 4 GiB from the header alone, naming type and size", () => {
      const d = new FrameDecoder();
      const err = catchError(() => d.push(hexToBytes("04000000fffffff0")));
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe(571);
      expect((err as ProtocolError).message).toContain("0x0400 InputCommand");
      expect((err as ProtocolError).message).toContain("4294967280");
      expect((err as ProtocolError).message).toContain(String(32 * 1024 * 1024));
      // The decoder stays failed.
      expect(() => d.push(new Uint8Array(1))).toThrow(ProtocolError);
      expect(() => d.finish()).toThrow(ProtocolError);
    });

    it("rejects before allocating even when the header is split", () => {
      const d = new FrameDecoder();
      expect(d.push(hexToBytes("8011000080"))).toEqual([]);
      expect(() => d.push(hexToBytes("000000"))).toThrow(/0x8011 RunCompletion frame declares a payload of 2147483648 bytes/);
    });

    it("honours a custom maxMessageSize (limit inclusive)", () => {
      const d = new FrameDecoder({ maxMessageSize: 4 });
      expect(d.push(encodeFrame(0x0411, 0, new Uint8Array(4)))).toHaveLength(1);
      expect(() => d.push(encodeFrame(0x0411, 0, new Uint8Array(5)))).toThrow(/0x0411 RunCommand.*5 bytes.*limit of 4/);
    });

    it("rejects invalid options", () => {
      expect(() => new FrameDecoder({ maxMessageSize: -1 })).toThrow(RangeError);
    });
  });

  describe("finish()", () => {
    it("accepts a body that ends on a frame boundary (and an empty body)", () => {
      new FrameDecoder().finish();
      const d = new FrameDecoder();
      d.push(concat([f1, f2]));
      d.finish();
    });

    it("reports a body that ended inside a payload", () => {
      const d = new FrameDecoder();
      d.push(f1.subarray(0, 10));
      const err = catchError(() => d.finish());
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).message).toBe(
        "request body ended inside a frame: got 10 of 15 bytes of a 0x0400 InputCommand frame (header declares a 7-byte payload)",
      );
    });

    it("reports a body that ended inside a header", () => {
      const d = new FrameDecoder();
      d.push(concat([f2, f1.subarray(0, 5)]));
      expect(() => d.finish()).toThrow("request body ended inside a frame header: got 5 of 8 header bytes");
    });

    it("reports an unknown type id by number", () => {
      const d = new FrameDecoder();
      d.push(hexToBytes("1234000000000004aa"));
      expect(() => d.finish()).toThrow("got 9 of 12 bytes of a unknown message type 0x1234 frame");
    });

    it("forbids push() afterwards", () => {
      const d = new FrameDecoder();
      d.finish();
      expect(() => d.push(f2)).toThrow(ProtocolError);
    });

    it("throws for every truncation point of a multi-frame body", () => {
      const body = concat([f1, f2, f3]);
      const boundaries = new Set([0, f1.length, f1.length + f2.length, body.length]);
      for (let cut = 0; cut <= body.length; cut++) {
        const d = new FrameDecoder();
        d.push(body.subarray(0, cut));
        if (boundaries.has(cut)) d.finish();
        else expect(() => d.finish(), `cut at ${cut}`).toThrow(ProtocolError);
      }
    });
  });
});
