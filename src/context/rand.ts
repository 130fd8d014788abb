// Deterministic randomness for `ctx.rand`: the same seed gives the same sequence on every attempt.
// Same algorithm as the official TS SDK, so values match it for the same seed: SplitMix64 expands the
// 64-bit seed into a xoshiro256++ state. The state is kept as eight u32 halves (hi/lo per word):
// plain 32-bit integer arithmetic is several times faster than BigInt on every runtime.

const MASK_64 = (1n << 64n) - 1n;
const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;

export class DeterministicRandom {
  // xoshiro256++ state words s0..s3, each as [hi, lo] u32 halves.
  private h0: number;
  private l0: number;
  private h1: number;
  private l1: number;
  private h2: number;
  private l2: number;
  private h3: number;
  private l3: number;

  constructor(seed: bigint) {
    const words = splitMix64(BigInt.asUintN(64, seed), 4);
    [this.h0, this.l0] = halves(words[0]!);
    [this.h1, this.l1] = halves(words[1]!);
    [this.h2, this.l2] = halves(words[2]!);
    [this.h3, this.l3] = halves(words[3]!);
  }

  /** A float in [0, 1) with 53 random bits. */
  random(): number {
    this.next();
    return ((this.outHi & 0x1f_ffff) * TWO_POW_32 + this.outLo) / TWO_POW_53;
  }

  /** A version-4 UUID built from the next two outputs, lowercase 8-4-4-4-12. */
  uuidv4(): string {
    const bytes = new Uint8Array(16);
    this.next();
    putLittleEndian(bytes, 0, this.outHi, this.outLo);
    this.next();
    putLittleEndian(bytes, 8, this.outHi, this.outLo);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
    let hex = "";
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) hex += "-";
      hex += HEX_BYTE[bytes[i]!];
    }
    return hex;
  }

  /** The next raw 64-bit output, as a BigInt (for tests and diagnostics). */
  nextU64(): bigint {
    this.next();
    return (BigInt(this.outHi) << 32n) | BigInt(this.outLo);
  }

  // Output of the last next(), as u32 halves (kept in fields to avoid allocating a pair per call).
  private outHi = 0;
  private outLo = 0;

  private next(): void {
    const { h0, l0, h1, l1, h2, l2, h3, l3 } = this;
    // result = rotl(s0 + s3, 23) + s0
    let lo = (l0 + l3) >>> 0;
    let hi = (h0 + h3 + (lo < l0 ? 1 : 0)) >>> 0;
    const rHi = ((hi << 23) | (lo >>> 9)) >>> 0;
    const rLo = ((lo << 23) | (hi >>> 9)) >>> 0;
    lo = (rLo + l0) >>> 0;
    hi = (rHi + h0 + (lo < rLo ? 1 : 0)) >>> 0;
    this.outHi = hi;
    this.outLo = lo;

    // t = s1 << 17
    const tHi = ((h1 << 17) | (l1 >>> 15)) >>> 0;
    const tLo = (l1 << 17) >>> 0;
    // s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45)
    const n2h = (h2 ^ h0) >>> 0;
    const n2l = (l2 ^ l0) >>> 0;
    const n3h = (h3 ^ h1) >>> 0;
    const n3l = (l3 ^ l1) >>> 0;
    this.h1 = (h1 ^ n2h) >>> 0;
    this.l1 = (l1 ^ n2l) >>> 0;
    this.h0 = (h0 ^ n3h) >>> 0;
    this.l0 = (l0 ^ n3l) >>> 0;
    this.h2 = (n2h ^ tHi) >>> 0;
    this.l2 = (n2l ^ tLo) >>> 0;
    // rotl by 45 = swap halves, then rotl by 13
    this.h3 = ((n3l << 13) | (n3h >>> 19)) >>> 0;
    this.l3 = ((n3h << 13) | (n3l >>> 19)) >>> 0;
  }
}

function splitMix64(seed: bigint, count: number): bigint[] {
  const out: bigint[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

function halves(word: bigint): [number, number] {
  return [Number(word >> 32n), Number(word & 0xffff_ffffn)];
}

function putLittleEndian(bytes: Uint8Array, offset: number, hi: number, lo: number): void {
  bytes[offset] = lo & 0xff;
  bytes[offset + 1] = (lo >>> 8) & 0xff;
  bytes[offset + 2] = (lo >>> 16) & 0xff;
  bytes[offset + 3] = lo >>> 24;
  bytes[offset + 4] = hi & 0xff;
  bytes[offset + 5] = (hi >>> 8) & 0xff;
  bytes[offset + 6] = (hi >>> 16) & 0xff;
  bytes[offset + 7] = hi >>> 24;
}

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
