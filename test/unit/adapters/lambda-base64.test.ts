// The Lambda adapter's base64: the fast paths and the portable codec agree with Node's Buffer, and malformed input
// is refused instead of being decoded into garbage (Buffer alone would skip unknown characters).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64, decodePortable, encodeBase64, encodePortable } from "../../../adapters/lambda/base64.js";

const nodeBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("lambda base64", () => {
  it("encodes like RFC 4648 (test vectors, every padding case)", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(encodeBase64(bytes)).toBe(encoded);
      expect(encodePortable(bytes)).toBe(encoded);
      expect(new TextDecoder().decode(decodeBase64(encoded))).toBe(plain);
      expect(new TextDecoder().decode(decodePortable(encoded))).toBe(plain);
    }
  });

  it("round-trips arbitrary bytes, portable and fast paths alike, also from a view into a larger buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (bytes, offset) => {
        const backing = new Uint8Array(bytes.length + offset + 3);
        backing.set(bytes, offset);
        const view = backing.subarray(offset, offset + bytes.length);
        const expected = nodeBase64(bytes);
        expect(encodeBase64(view)).toBe(expected);
        expect(encodePortable(view)).toBe(expected);
        expect([...decodeBase64(expected)]).toEqual([...bytes]);
        expect([...decodePortable(expected)]).toEqual([...bytes]);
        // Unpadded input decodes too.
        expect([...decodeBase64(expected.replace(/=+$/, ""))]).toEqual([...bytes]);
        expect([...decodePortable(expected.replace(/=+$/, ""))]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses what is not standard base64, naming the problem", () => {
    expect(() => decodeBase64("Zm9v YmFy")).toThrow(/character " " at offset 4/);
    expect(() => decodeBase64("Zm9v-_")).toThrow(/character "-" at offset 4/);
    expect(() => decodeBase64("Zm9vY")).toThrow(/4-character groups/);
    expect(() => decodeBase64("Zg=")).toThrow(/4-character groups/);
    expect(() => decodeBase64("Z===")).toThrow(/invalid base64/);
    expect(() => decodeBase64("Zg==Zg==")).toThrow(/invalid base64/);
  });

  it("handles 6 MB quickly", () => {
    const bytes = new Uint8Array(4.5 * 1024 * 1024).map((_, i) => (i * 7919) & 255);
    const t0 = performance.now();
    const text = encodeBase64(bytes);
    const back = decodeBase64(text);
    const ms = performance.now() - t0;
    expect(text.length).toBe(6 * 1024 * 1024);
    expect(back.length).toBe(bytes.length);
    expect(back[12345]).toBe(bytes[12345]);
    expect(ms).toBeLessThan(1_000);
  });
});
