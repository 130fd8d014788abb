// Byte-level helpers for the conformance tests: hex, frame splitting, and a minimal protobuf wire scanner.
// The scanner is written here (not taken from src/) so that normalisations work on the bytes perdure actually
// produced, keeping field order and encoding visible to the comparison.

import { FrameDecoder, type RawFrame } from "../../../../src/protocol/frame.js";

export { bytesToHex, concatBytes, hexToBytes } from "../../../../src/testing/harness/journal.js";
import { concatBytes } from "../../../../src/testing/harness/journal.js";

/** Splits a whole body into frames; throws if the body does not end on a frame boundary. */
export function splitFrames(body: Uint8Array): RawFrame[] {
  const decoder = new FrameDecoder();
  const frames = decoder.push(body);
  decoder.finish();
  // Copy payloads: the decoder returns views into `body`.
  return frames.map((f) => ({ type: f.type, flags: f.flags, payload: f.payload.slice() }));
}

export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** One top-level field of a protobuf payload, located by byte offsets. */
export interface WireField {
  field: number;
  wireType: number;
  /** Offset of the tag (start of the whole field). */
  start: number;
  /** Offset of the value (after the tag; for LEN fields, after the length prefix). */
  valueStart: number;
  /** End of the field (exclusive). */
  end: number;
  /** Decoded value for VARINT fields. */
  varint?: bigint;
}

function readVarint(bytes: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const b = bytes[i]!;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value, i + 1];
    shift += 7n;
  }
  throw new Error(`bad varint at offset ${at}`);
}

export function encodeVarint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Uint8Array.from(out);
}

/** Lists the top-level fields of a protobuf payload in wire order. Throws on malformed input. */
export function scanFields(payload: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < payload.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(payload, pos);
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    let valueStart = afterTag;
    let end: number;
    let varint: bigint | undefined;
    switch (wireType) {
      case WireType.VARINT: {
        const [v, next] = readVarint(payload, afterTag);
        varint = v;
        end = next;
        break;
      }
      case WireType.I64:
        end = afterTag + 8;
        break;
      case WireType.LEN: {
        const [len, next] = readVarint(payload, afterTag);
        valueStart = next;
        end = next + Number(len);
        break;
      }
      case WireType.I32:
        end = afterTag + 4;
        break;
      default:
        throw new Error(`unsupported wire type ${wireType} at offset ${start}`);
    }
    if (end > payload.length) throw new Error(`field ${field} at offset ${start} runs past the payload end`);
    fields.push({ field, wireType, start, valueStart, end, varint });
    pos = end;
  }
  return fields;
}

/** The payload without every occurrence of top-level field `field` (other bytes untouched). */
export function withoutField(payload: Uint8Array, field: number): Uint8Array {
  const keep = scanFields(payload).filter((f) => f.field !== field);
  return concatBytes(keep.map((f) => payload.subarray(f.start, f.end)));
}

/** The payload with the single top-level field `field` replaced, in place, by `replacement` (tag included). */
export function replaceField(payload: Uint8Array, field: number, replacement: Uint8Array): Uint8Array {
  const fields = scanFields(payload);
  const hits = fields.filter((f) => f.field === field);
  if (hits.length !== 1) throw new Error(`expected exactly one field ${field}, found ${hits.length}`);
  const hit = hits[0]!;
  return concatBytes([payload.subarray(0, hit.start), replacement, payload.subarray(hit.end)]);
}

/** Raw bytes (tag included) of the single top-level field `field`. */
export function fieldBytes(payload: Uint8Array, field: number): Uint8Array {
  const hits = scanFields(payload).filter((f) => f.field === field);
  if (hits.length !== 1) throw new Error(`expected exactly one field ${field}, found ${hits.length}`);
  return payload.subarray(hits[0]!.start, hits[0]!.end);
}
