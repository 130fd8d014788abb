// Request identity public keys: `publickeyv1_` + base58 (Bitcoin alphabet) of the 32 raw Ed25519 public key bytes,
// exactly what restate-server logs as `kid` when it loads its signing key. Parsing is synchronous so a bad key stops
// the endpoint when it is built, never at the first request; importing into WebCrypto is async and done once, later.


export const PUBLIC_KEY_V1_PREFIX = "publickeyv1_";
const ED25519_PUBLIC_KEY_LENGTH = 32;

export interface IdentityPublicKey {
  /** The key as configured, `publickeyv1_…` (also the `kid` the server puts in its token headers). */
  id: string;
  /** The 32 raw Ed25519 public key bytes. */
  raw: Uint8Array<ArrayBuffer>;
}

const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** Base58 (Bitcoin alphabet) to bytes; each leading '1' is a zero byte. */
export function base58Decode(text: string): Uint8Array {
  const bytes: number[] = []; // little-endian base-256 digits of the number
  for (const char of text) {
    let carry = BASE58_ALPHABET.indexOf(char);
    if (carry < 0) throw new Error(`invalid base58 character ${JSON.stringify(char)}`);
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) bytes.push(carry & 0xff);
  }
  let zeros = 0;
  while (text[zeros] === "1") zeros++;
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

/** Parses one `publickeyv1_…` string; `position` (0-based) only names the key in error messages. */
export function parsePublicKeyV1(key: unknown, position = 0): IdentityPublicKey {
  const where = `identity key #${position + 1}`;
  if (typeof key !== "string") {
    throw new TypeError(`${where} must be a string like '${PUBLIC_KEY_V1_PREFIX}…', got ${key === null ? "null" : typeof key}`);
  }
  const shown = key.length > 24 ? `${key.slice(0, 24)}…` : key;
  const bad = (problem: string) => new Error(`${where} ('${shown}') ${problem}`);
  if (key.trim() !== key) throw bad("has leading or trailing whitespace");
  if (!key.startsWith(PUBLIC_KEY_V1_PREFIX)) {
    throw bad(
      `does not start with '${PUBLIC_KEY_V1_PREFIX}': use the kid restate-server logs for its request identity key, ` +
        `not a PEM or DER key`,
    );
  }
  let raw: Uint8Array;
  try {
    raw = base58Decode(key.slice(PUBLIC_KEY_V1_PREFIX.length));
  } catch (err) {
    throw bad(`is not valid base58 after '${PUBLIC_KEY_V1_PREFIX}': ${(err as Error).message}`);
  }
  if (raw.length !== ED25519_PUBLIC_KEY_LENGTH) throw bad(`decodes to ${raw.length} bytes; an Ed25519 public key has exactly 32`);
  const problem = ed25519EncodingProblem(raw);
  if (problem) throw bad(`is not an Ed25519 public key: ${problem}`);
  return { id: key, raw: new Uint8Array(raw) };
}

/** Parses every key (duplicates collapse to one); throws naming the first bad key's position. */
export function parsePublicKeysV1(keys: readonly unknown[]): IdentityPublicKey[] {
  if (!Array.isArray(keys)) throw new TypeError("identityKeys must be an array of 'publickeyv1_…' strings");
  const byId = new Map<string, IdentityPublicKey>();
  keys.forEach((key, i) => {
    const parsed = parsePublicKeyV1(key, i);
    if (!byId.has(parsed.id)) byId.set(parsed.id, parsed);
  });
  return [...byId.values()];
}

/** Imports a parsed key for `crypto.subtle.verify` (Node ≥ 20, Workers, Deno, Bun all support raw Ed25519). */
export function importPublicKey(key: IdentityPublicKey): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", key.raw, { name: "Ed25519" }, false, ["verify"]);
}

// --- Ed25519 point check (RFC 8032 §5.1.3) -------------------------------------------------------------------------
// WebCrypto imports any 32 bytes without complaint, and a key that is not a curve point would then fail every
// request with "invalid signature". Checking it once here turns that into a clear startup error.

const P = 2n ** 255n - 19n;

/** base^exponent mod P (base may be negative). */
function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = ((base % P) + P) % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** Why these 32 bytes are not the encoding of a point on edwards25519, or undefined if they are. */
export function ed25519EncodingProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length !== ED25519_PUBLIC_KEY_LENGTH) return `expected 32 bytes, got ${bytes.length}`;
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i]!);
  const xIsOdd = y >> 255n;
  y &= (1n << 255n) - 1n;
  if (y >= P) return "its y coordinate is not reduced modulo 2^255-19";
  // The point exists iff x² = (y² − 1) / (d·y² + 1) has a root, i.e. (Euler's criterion) that quotient raised to
  // (P − 1) / 2 is 0 or 1; it is 0 exactly when x = 0. d = −121665 / 121666; d·y² + 1 is never 0 (d is no square).
  const d = -121665n * pow(121666n, P - 2n);
  const x2 = (y * y - 1n) * pow(d * y * y + 1n, P - 2n);
  const euler = pow(x2, (P - 1n) / 2n);
  if (euler > 1n) return "it is not a point on the curve";
  if (euler === 0n && xIsOdd) return "it encodes x = 0 with the sign bit set";
  return undefined;
}
