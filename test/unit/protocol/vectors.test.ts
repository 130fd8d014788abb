// Every captured request/response body from the real restate-server 1.7.12 (and the official SDK)
// must split into the sidecar's frames, decode to the sidecar's fields, and re-encode byte for byte.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FRAME_HEADER_SIZE, FrameDecoder, type RawFrame } from "../../../src/protocol/frame.js";
import { messageTypeName } from "../../../src/protocol/message-types.js";
import { decodeMessage, encodeMessage } from "../../../src/protocol/messages.js";
import {
  bytesToHex,
  loadCapturedBodies,
  normalizeSidecarFields,
  toSidecarFields,
  type CapturedBody,
} from "./support/vectors.js";

const bodies = loadCapturedBodies();
const frameBodies = bodies.filter((b) => b.expected !== undefined);

function decodeWhole(body: Uint8Array): RawFrame[] {
  const decoder = new FrameDecoder();
  const frames = decoder.push(body);
  decoder.finish();
  return frames;
}

function frameSummary(frames: RawFrame[]): Array<[number, number, string]> {
  return frames.map((f) => [f.type, f.flags, bytesToHex(f.payload)]);
}

describe("captured vectors", () => {
  it("are all present and accounted for", () => {
    // 65 request bodies + 71 response bodies; the 7 response bodies without a decoded frame
    // list are discovery manifests (JSON, not frames).
    expect(bodies.length).toBe(136);
    const withoutFrames = bodies.filter((b) => b.expected === undefined).map((b) => b.label);
    expect(withoutFrames.every((label) => label.endsWith("discover.res"))).toBe(true);
    expect(withoutFrames).toHaveLength(7);
    for (const b of bodies.filter((x) => x.expected === undefined)) {
      expect(b.body[0]).toBe(0x7b); // "{"
    }
  });

  describe.each(frameBodies.map((b) => [b.label, b] as [string, CapturedBody]))("%s", (_label, captured) => {
    const expected = captured.expected!;

    it("splits into the sidecar's frames (type, flags, length, offset)", () => {
      const frames = decodeWhole(captured.body);
      expect(frames.map((f) => [f.type, f.flags, f.payload.length])).toEqual(
        expected.map((m) => [parseInt(m.type, 16), parseInt(m.flags, 16), m.length]),
      );
      let offset = 0;
      for (const [i, frame] of frames.entries()) {
        expect(offset).toBe(expected[i]!.offset);
        expect(bytesToHex(captured.body.subarray(offset, offset + FRAME_HEADER_SIZE))).toBe(expected[i]!.header_hex);
        offset += FRAME_HEADER_SIZE + frame.payload.length;
      }
      expect(offset).toBe(captured.body.length);
    });

    it("decodes every frame to the sidecar's fields and names", () => {
      const frames = decodeWhole(captured.body);
      for (const [i, frame] of frames.entries()) {
        const decoded = decodeMessage(frame);
        expect(decoded.type).toBe(frame.type);
        expect(decoded.flags).toBe(frame.flags);
        // Sidecar names notifications "…CompletionNotification"; ours drop the suffix.
        expect(expected[i]!.name.replace(/Notification$/, "")).toBe(
          messageTypeName(frame.type).replace(/Notification$/, ""),
        );
        expect(toSidecarFields(decoded.message), `frame ${i} (${expected[i]!.name})`).toEqual(
          normalizeSidecarFields(expected[i]!.fields ?? {}),
        );
      }
    });

    it("re-encodes every frame byte for byte", () => {
      // No exceptions were needed: every captured frame omits proto3 defaults and writes fields in
      // field-number order, which is what the generated encoder does.
      let offset = 0;
      for (const frame of decodeWhole(captured.body)) {
        const original = captured.body.subarray(offset, offset + FRAME_HEADER_SIZE + frame.payload.length);
        const decoded = decodeMessage(frame);
        expect(bytesToHex(encodeMessage(decoded.type, decoded.message, decoded.flags))).toBe(bytesToHex(original));
        offset += original.length;
      }
    });

    it("yields the same frames for any chunking of the body", () => {
      const reference = frameSummary(decodeWhole(captured.body));
      const body = captured.body;
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, body.length - 1) }), { maxLength: 40 }), (cuts) => {
          const points = [0, ...cuts.filter((c) => c < body.length).sort((a, b) => a - b), body.length];
          const decoder = new FrameDecoder();
          const frames: RawFrame[] = [];
          for (let i = 1; i < points.length; i++) {
            // Copy each chunk so nothing can alias the original body.
            frames.push(...decoder.push(body.slice(points[i - 1], points[i])));
          }
          decoder.finish();
          expect(decoder.bufferedBytes).toBe(0);
          expect(frameSummary(frames)).toEqual(reference);
        }),
        { numRuns: 60 },
      );
    });
  });

  it("byte-at-a-time feeding of every body gives the same frames", () => {
    for (const captured of frameBodies) {
      const decoder = new FrameDecoder();
      const frames: RawFrame[] = [];
      for (let i = 0; i < captured.body.length; i++) frames.push(...decoder.push(captured.body.subarray(i, i + 1)));
      decoder.finish();
      expect(frameSummary(frames), captured.label).toEqual(frameSummary(decodeWhole(captured.body)));
    }
  });

  it("cover the expected message types", () => {
    const seen = new Set<number>();
    for (const b of frameBodies) for (const m of b.expected!) seen.add(parseInt(m.type, 16));
    // A check that the loader found the real content (24 distinct types are on the wire).
    expect([...seen].sort((a, b) => a - b).map(messageTypeName)).toEqual([
      "Start", "Suspension", "Error", "End", "ProposeRunCompletion", "AwaitingOn", "ProposeRunCompletionAck",
      "InputCommand", "OutputCommand", "GetLazyStateCommand", "SetStateCommand", "GetLazyStateKeysCommand",
      "GetEagerStateCommand", "SleepCommand", "CallCommand", "OneWayCallCommand", "RunCommand",
      "GetLazyStateCompletion", "GetLazyStateKeysCompletion", "SleepCompletion", "CallCompletion",
      "CallInvocationIdCompletion", "RunCompletion", "SignalNotification",
    ]);
  });
});
