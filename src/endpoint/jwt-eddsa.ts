// Reading the one kind of JWT restate-server sends: compact JWS, alg EdDSA (Ed25519), whose signature the caller
// checks with WebCrypto. Written for perdure instead of a general JOSE library, which was a fifth of a Worker's bundle;
// the rules are those of RFC 7515/7519 that apply here: exactly three base64url parts, a JSON object header naming
// EdDSA, no unknown `crit` extensions, the signature over the ASCII of `header.payload`, then the claims (JSON
// object): `exp` and `nbf` present, `aud` matches, `nbf` ≤ now and now < `exp` (numeric seconds), no leeway.

import { decoder as utf8, encoder as ascii } from "../serde/json.js";

const MALFORMED = "malformed token";

/** The bytes of a base64url part, or undefined when it is not base64url. */
function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[\w-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A base64url part holding a JSON object, or undefined when it does not. */
function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(base64UrlDecode(part)));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not base64url, not UTF-8 or not JSON
  }
  return undefined;
}

export interface SignedParts {
  /** The protected header (not trusted beyond `alg`/`crit` checks and picking the key to try first). */
  header: Record<string, unknown>;
  /** The payload part, still encoded: its claims are read only after the signature is verified. */
  body: string;
  signature: Uint8Array<ArrayBuffer>;
  /** The ASCII bytes of `header.payload`, what the signature covers. */
  signed: Uint8Array<ArrayBuffer>;
}

/** The token's parts ready for signature verification, or why the token is refused before any key is tried. */
export function signedParts(token: string): SignedParts | string {
  const parts = token.split(".");
  const header = parts.length === 3 ? jsonObject(parts[0]!) : undefined;
  if (header === undefined) return MALFORMED;
  const crit = header.crit;
  if (crit !== undefined) {
    // No extension is understood here (an unencoded payload, b64:false, is not allowed in a JWT anyway).
    if (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== "string" || c === "")) return MALFORMED;
    return "token uses an unsupported JOSE feature";
  }
  if (typeof header.alg !== "string" || header.alg === "") return MALFORMED;
  if (header.alg !== "EdDSA") return "token algorithm not allowed (EdDSA only)";
  const signature = base64UrlDecode(parts[2]!);
  if (signature === undefined) return MALFORMED;
  return { header, body: parts[1]!, signature, signed: ascii.encode(`${parts[0]}.${parts[1]}`) };
}

/** Why the claims of a verified token's payload part are refused for `audience` at `now` (seconds), if they are. */
export function claimsProblem(body: string, audience: string, now: number): string | undefined {
  const claims = jsonObject(body);
  if (claims === undefined) return MALFORMED;
  for (const name of ["exp", "nbf", "aud"]) if (!(name in claims)) return `missing claim ${name}`;
  const aud = claims.aud;
  if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) return "audience mismatch";
  for (const name of ["iat", "nbf", "exp"]) {
    if (claims[name] !== undefined && typeof claims[name] !== "number") return `invalid claim ${name}`;
  }
  if ((claims.nbf as number) > now) return "token not yet valid";
  if ((claims.exp as number) <= now) return "token expired";
  return undefined;
}
