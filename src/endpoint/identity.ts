// Request identity v1: restate-server signs every request it sends to a deployment (discovery and each invocation
// attempt) with an Ed25519 JWT whose audience is the request path. With keys configured, the endpoint refuses
// anything that is not signed by one of them — before routing, so unsigned callers cannot run handlers nor learn
// which services exist. Only `…/health` stays open (load balancers probe it without credentials; it reveals nothing).

import { importPublicKey, parsePublicKeysV1, type IdentityPublicKey } from "./identity-keys.js";
import { tokenHeader, TokenRefusal, verifyEdDsaJwt, type ClaimRules } from "./jwt-eddsa.js";
import { X_RESTATE_SERVER } from "./server-header.js";

export const SIGNATURE_SCHEME_HEADER = "x-restate-signature-scheme";
export const JWT_V1_HEADER = "x-restate-jwt-v1";

/** A real token is ~300 bytes; anything far bigger is refused before it is parsed. */
export const MAX_TOKEN_LENGTH = 4096;

export interface IdentityVerifierOptions {
  /** Clock for the exp/nbf checks (tests pin it); default the wall clock. */
  now?: () => Date;
  /** Where rejections are reported, one line each; default `console.warn`. */
  warn?: (line: string) => void;
}

export type IdentityVerdict = { ok: true; keyId: string } | { ok: false; reason: string };

export interface IdentityVerifier {
  /** The configured key ids (`publickeyv1_…`), in the order they are tried when the token names none of them. */
  readonly keyIds: readonly string[];
  /** Checks the identity headers of a request for `pathname` (the URL path as received, prefixes included). */
  verify(headers: Headers, pathname: string): Promise<IdentityVerdict>;
  /** undefined when the request may proceed, else the 401 to send (already logged). */
  check(request: Request, pathname: string): Promise<Response | undefined>;
}

/**
 * Builds a verifier for `publickeyv1_…` keys. Keys are parsed now (a bad key throws, naming its position);
 * the WebCrypto import happens once, on the first request.
 */
export function createIdentityVerifier(keys: readonly unknown[], options: IdentityVerifierOptions = {}): IdentityVerifier {
  const parsed = parsePublicKeysV1(keys);
  if (parsed.length === 0) throw new Error("request identity needs at least one 'publickeyv1_…' key");
  const warn = options.warn ?? ((line: string) => console.warn(line));
  let imported: Promise<Array<{ key: IdentityPublicKey; cryptoKey: CryptoKey }>> | undefined;
  const importAll = () =>
    (imported ??= Promise.all(parsed.map(async (key) => ({ key, cryptoKey: await importPublicKey(key) }))));

  const verify = async (headers: Headers, pathname: string): Promise<IdentityVerdict> => {
    const token = tokenOf(headers);
    if (typeof token !== "string") return token;
    const keys = await importAll();
    // Same rules as restate's reference verifier: EdDSA only, audience = the normalised path, exp and nbf
    // required, ZERO clock leeway (the server already back-dates nbf by 60 s; exp is iat + 60 s by default).
    // `now == exp` counts as expired, one second stricter than the reference.
    const rules: ClaimRules = {
      audience: audienceOf(pathname),
      now: Math.floor((options.now ? options.now() : new Date()).getTime() / 1000),
      required: ["exp", "nbf"],
    };
    // The token's kid names the key it was signed with; try that one first, then all others (kid is optional).
    const kid = headerKid(token);
    const ordered = kid === undefined ? keys : [...keys.filter((k) => k.key.id === kid), ...keys.filter((k) => k.key.id !== kid)];
    for (const { key, cryptoKey } of ordered) {
      try {
        await verifyEdDsaJwt(token, cryptoKey, rules);
        return { ok: true, keyId: key.id };
      } catch (err) {
        // The signature is checked before any claim: only a signature failure means "maybe another key".
        if (err instanceof TokenRefusal && err.badSignature) continue;
        if (err instanceof TokenRefusal) return { ok: false, reason: err.reason };
        throw err;
      }
    }
    return { ok: false, reason: "invalid signature" };
  };

  return {
    keyIds: parsed.map((k) => k.id),
    verify,
    async check(request, pathname) {
      let verdict: IdentityVerdict;
      try {
        verdict = await verify(request.headers, pathname);
      } catch (err) {
        // Not the caller's fault (e.g. a runtime without Ed25519 in WebCrypto): fail closed, say why.
        const message = `request identity keys could not be used: ${(err as Error)?.message ?? String(err)}`;
        warn(`perdure: ${request.method} ${pathname} refused: ${message}`);
        return jsonResponse(500, message);
      }
      if (verdict.ok) return undefined;
      warn(`perdure: ${request.method} ${pathname} refused with 401: ${verdict.reason}`);
      return jsonResponse(401, `Unauthorized: ${verdict.reason}`);
    },
  };
}

/** The token from the identity headers, or why there is none usable. */
function tokenOf(headers: Headers): string | { ok: false; reason: string } {
  const scheme = headers.get(SIGNATURE_SCHEME_HEADER);
  if (scheme === null) return { ok: false, reason: `missing header ${SIGNATURE_SCHEME_HEADER}` };
  // Headers joins repeated fields with ", "; neither a scheme name nor a compact JWS contains a comma.
  if (scheme.includes(",")) return { ok: false, reason: `duplicate header ${SIGNATURE_SCHEME_HEADER}` };
  if (scheme === "unsigned") return { ok: false, reason: "unsigned request" };
  if (scheme !== "v1") return { ok: false, reason: `unsupported signature scheme ${printable(scheme)}` };
  const token = headers.get(JWT_V1_HEADER);
  if (token === null || token === "") return { ok: false, reason: `missing header ${JWT_V1_HEADER}` };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: `token too large (${token.length} > ${MAX_TOKEN_LENGTH} bytes)` };
  if (token.includes(",")) return { ok: false, reason: `duplicate header ${JWT_V1_HEADER}` };
  return token;
}

/**
 * The audience the server signs for a request path: the path relative to the deployment URI. Only the last
 * segments count, like routing: `…/invoke/{service}/{handler}` → `/invoke/{service}/{handler}`,
 * `…/discover` → `/discover`; any other path is used as it is (and matches no server-issued token).
 */
export function audienceOf(pathname: string): string {
  const segments = pathname.split("/");
  const n = segments.length;
  if (n >= 4 && segments[n - 3] === "invoke" && segments[n - 2] !== "" && segments[n - 1] !== "") {
    return `/${segments.slice(n - 3).join("/")}`;
  }
  if (n >= 2 && segments[n - 1] === "discover") return "/discover";
  return pathname;
}

/** `kid` from the token's protected header, without trusting anything else in it (it is unverified). */
function headerKid(token: string): string | undefined {
  try {
    const kid = tokenHeader(token).kid;
    return typeof kid === "string" ? kid : undefined;
  } catch {
    return undefined;
  }
}

function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 32 ? `${clean.slice(0, 32)}…` : clean;
}

function jsonResponse(status: number, message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status,
    headers: { "content-type": "application/json", "x-restate-server": X_RESTATE_SERVER },
  });
}
