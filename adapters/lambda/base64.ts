// Standard base64 (RFC 4648 §4, with padding) for Lambda bodies, without importing anything platform-specific.
// Lambda functions run on Node, but also on Bun/Deno custom runtimes and LLRT, so this module only feature-detects:
// the native `Uint8Array.prototype.toBase64` / `Uint8Array.fromBase64` where the runtime has them, else a global
// `Buffer` if one exists (Node, Bun and LLRT provide it; encoding 6 MB takes ~1 ms instead of ~30 ms in
// JS), else a portable table-driven codec. No `node:` import, so the adapter still loads anywhere.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE = new Uint8Array(64).map((_, i) => ALPHABET.charCodeAt(i));
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
const PAD = 61; // "="

type NativeEncode = { toBase64?: () => string };
type NativeDecode = { fromBase64?: (text: string) => Uint8Array };
type BufferLike = {
  from(data: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: "base64"): string };
  from(text: string, encoding: "base64"): Uint8Array;
};

const nativeDecode = (Uint8Array as unknown as NativeDecode).fromBase64;
const hasNativeEncode = typeof (Uint8Array.prototype as unknown as NativeEncode).toBase64 === "function";
const buffer = (globalThis as { Buffer?: BufferLike }).Buffer;
const hasBuffer = typeof buffer?.from === "function";

// Alphabet characters then at most two "=" (a linear scan, also on 6 MB strings); the lengths are checked apart.
const BASE64_CHARS = /^[A-Za-z0-9+/]*(={0,2})$/;

function isStrictBase64(text: string): boolean {
  const match = BASE64_CHARS.exec(text);
  if (!match) return false;
  // Padded: whole 4-character groups. Unpadded: a last group of 2 or 3 characters is fine, 1 is not.
  return match[1]!.length > 0 ? text.length % 4 === 0 : text.length % 4 !== 1;
}

export function encodeBase64(bytes: Uint8Array): string {
  if (hasNativeEncode) return (bytes as unknown as Required<NativeEncode>).toBase64();
  if (hasBuffer) return buffer!.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  return encodePortable(bytes);
}

/** Decodes standard base64 (padding optional); throws a `SyntaxError` naming the problem on anything else. */
export function decodeBase64(text: string): Uint8Array {
  // Buffer skips characters it does not know instead of failing: check the shape first, for every decoder alike.
  if (!isStrictBase64(text)) throw new SyntaxError(describeInvalid(text));
  if (nativeDecode) return nativeDecode(text);
  if (hasBuffer) {
    const decoded = buffer!.from(text, "base64");
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  }
  return decodePortable(text);
}

function describeInvalid(text: string): string {
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  if (bad) return `invalid base64: character ${JSON.stringify(bad[0])} at offset ${bad.index}`;
  return `invalid base64: ${text.length} characters do not form whole 4-character groups with correct padding`;
}

export function encodePortable(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (const whole = bytes.length - (bytes.length % 3); i < whole; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = ENCODE[n >>> 18]!;
    out[o++] = ENCODE[(n >>> 12) & 63]!;
    out[o++] = ENCODE[(n >>> 6) & 63]!;
    out[o++] = ENCODE[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = ENCODE[n >>> 18]!;
    out[o++] = ENCODE[(n >>> 12) & 63]!;
    out[o++] = rest === 2 ? ENCODE[(n >>> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  // Every byte is ASCII, so latin1 maps it to the same character.
  return new TextDecoder("latin1").decode(out);
}

/** Decodes text already checked by isStrictBase64. */
export function decodePortable(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === PAD) end--;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0;
  let i = 0;
  for (const whole = end - (end % 4); i < whole; i += 4) {
    const n =
      (DECODE[text.charCodeAt(i)]! << 18) |
      (DECODE[text.charCodeAt(i + 1)]! << 12) |
      (DECODE[text.charCodeAt(i + 2)]! << 6) |
      DECODE[text.charCodeAt(i + 3)]!;
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = end - i;
  if (rest >= 2) {
    const n = (DECODE[text.charCodeAt(i)]! << 18) | (DECODE[text.charCodeAt(i + 1)]! << 12) | (rest === 3 ? DECODE[text.charCodeAt(i + 2)]! << 6 : 0);
    out[o++] = n >>> 16;
    if (rest === 3) out[o++] = (n >>> 8) & 255;
  }
  return out;
}
