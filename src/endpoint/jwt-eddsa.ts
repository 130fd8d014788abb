// Verification of the one kind of JWT restate-server sends: compact JWS, alg EdDSA (Ed25519), checked with
// WebCrypto. Written for perdure instead of a general JOSE library, which was a fifth of a Worker's bundle; the rules
// are those of RFC 7515/7519 that apply here: exactly three base64url parts, a JSON object header naming EdDSA,
// no unknown `crit` extensions, the signature over the ASCII of `header.payload`, then the claims (JSON object):
// required claims present, `aud` matches, `nbf` ≤ now and now < `exp` (numeric seconds), no leeway.

/** Why a token is refused, as a short phrase for the 401 body and the log. */
export class TokenRefusal extends Error {
  constructor(
    readonly reason: string,
    /** Only a signature mismatch means another configured key might still verify it. */
    readonly badSignature = false,
  ) {
    super(reason);
  }
}

const MALFORMED = "malformed token";
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ascii = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (!BASE64URL.test(text) || text.length % 4 === 1) throw new TokenRefusal(MALFORMED);
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function jsonObject(part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(base64UrlDecode(part)));
  } catch {
    throw new TokenRefusal(MALFORMED);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TokenRefusal(MALFORMED);
  return value as Record<string, unknown>;
}

/** The protected header, parsed without trusting it (for `kid`); throws TokenRefusal when unusable. */
export function tokenHeader(token: string): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new TokenRefusal(MALFORMED);
  return jsonObject(parts[0]!);
}

export interface ClaimRules {
  audience: string;
  /** Seconds since the epoch. */
  now: number;
  required: readonly string[];
}

/** Resolves when `key` signed `token` and its claims pass `rules`; rejects with a TokenRefusal otherwise. */
export async function verifyEdDsaJwt(token: string, key: CryptoKey, rules: ClaimRules): Promise<void> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new TokenRefusal(MALFORMED);
  const [head, body, sig] = parts as [string, string, string];
  const header = jsonObject(head);
  const crit = header.crit;
  if (crit !== undefined) {
    // No extension is understood here (an unencoded payload, b64:false, is not allowed in a JWT anyway).
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== "string" || c === "")) throw new TokenRefusal(MALFORMED);
    throw new TokenRefusal("token uses an unsupported JOSE feature");
  }
  if (typeof header.alg !== "string" || header.alg === "") throw new TokenRefusal(MALFORMED);
  if (header.alg !== "EdDSA") throw new TokenRefusal("token algorithm not allowed (EdDSA only)");
  const signature = base64UrlDecode(sig);
  let valid = false;
  try {
    valid = await crypto.subtle.verify("Ed25519", key, signature, ascii.encode(`${head}.${body}`));
  } catch {
    valid = false;
  }
  if (!valid) throw new TokenRefusal("invalid signature", true);
  checkClaims(jsonObject(body), rules);
}

function checkClaims(claims: Record<string, unknown>, rules: ClaimRules): void {
  for (const name of [...rules.required, "aud"]) if (!(name in claims)) throw new TokenRefusal(`missing claim ${name}`);
  const aud = claims.aud;
  if (!(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience)))) throw new TokenRefusal("audience mismatch");
  for (const name of ["iat", "nbf", "exp"]) {
    if (claims[name] !== undefined && typeof claims[name] !== "number") throw new TokenRefusal(`invalid claim ${name}`);
  }
  if (typeof claims.nbf === "number" && claims.nbf > rules.now) throw new TokenRefusal("token not yet valid");
  if (typeof claims.exp === "number" && claims.exp <= rules.now) throw new TokenRefusal("token expired");
}
