// Deterministic randomness for `ctx.rand`: the same seed gives the same sequence on every attempt.
// Same algorithm as the official TS SDK, so values match it for the same seed: SplitMix64 expands the
// 64-bit seed into a xoshiro256++ state. The state is kept as eight u32 halves (hi/lo per word) in a
// Uint32Array, which also truncates every stored result to 32 bits: plain 32-bit integer arithmetic is
// several times faster than BigInt on every runtime.

export class DeterministicRandom {
  // xoshiro256++ state words s0..s3 as [hi0, lo0, hi1, lo1, hi2, lo2, hi3, lo3].
  #s = new Uint32Array(8);
  // Output of the last #next(), as [hi, lo] (no pair allocated per call).
  #o = new Uint32Array(2);

  constructor(seed: bigint) {
    // SplitMix64, one state word per round.
    let state = BigInt.asUintN(64, seed);
    for (let i = 0; i < 8; i += 2) {
      state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
      let z = BigInt.asUintN(64, (state ^ (state >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      z ^= z >> 31n;
      this.#s[i] = Number(z >> 32n);
      this.#s[i + 1] = Number(z & 0xffffffffn);
    }
  }

  /** A float in [0, 1) with 53 random bits. */
  random(): number {
    const o = this.#next();
    return ((o[0]! & 0x1fffff) * 2 ** 32 + o[1]!) / 2 ** 53;
  }

  /** A version-4 UUID built from the next two outputs (little-endian), lowercase 8-4-4-4-12. */
  uuidv4(): string {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 16; i += 8) {
      const o = this.#next();
      view.setUint32(i, o[1]!, true);
      view.setUint32(i + 4, o[0]!, true);
    }
    bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
    let hex = "";
    for (let i = 0; i < 16; i++) {
      hex += (i === 4 || i === 6 || i === 8 || i === 10 ? "-" : "") + (bytes[i]! + 256).toString(16).slice(1);
    }
    return hex;
  }

  /** The next raw 64-bit output, as a BigInt (for tests and diagnostics). */
  nextU64(): bigint {
    const o = this.#next();
    return (BigInt(o[0]!) << 32n) | BigInt(o[1]!);
  }

  #next(): Uint32Array {
    const s = this.#s;
    const o = this.#o;
    const h0 = s[0]!, l0 = s[1]!, h1 = s[2]!, l1 = s[3]!, h2 = s[4]!, l2 = s[5]!, h3 = s[6]!, l3 = s[7]!;
    // result = rotl(s0 + s3, 23) + s0
    const sumLo = (l0 + l3) >>> 0;
    const sumHi = h0 + h3 + (sumLo < l0 ? 1 : 0);
    const rLo = ((sumLo << 23) | (sumHi >>> 9)) >>> 0;
    const lo = (rLo + l0) >>> 0;
    o[0] = ((sumHi << 23) | (sumLo >>> 9)) + h0 + (lo < rLo ? 1 : 0);
    o[1] = lo;
    // s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= s1 << 17; s3 = rotl(s3, 45)
    const n2h = h2 ^ h0, n2l = l2 ^ l0, n3h = h3 ^ h1, n3l = l3 ^ l1;
    s[2] = h1 ^ n2h;
    s[3] = l1 ^ n2l;
    s[0] = h0 ^ n3h;
    s[1] = l0 ^ n3l;
    s[4] = n2h ^ ((h1 << 17) | (l1 >>> 15));
    s[5] = n2l ^ (l1 << 17);
    // rotl by 45 = swap halves, then rotl by 13
    s[6] = (n3l << 13) | (n3h >>> 19);
    s[7] = (n3h << 13) | (n3l >>> 19);
    return o;
  }
}
