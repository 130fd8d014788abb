// Request identity v1: restate-server signs every request it sends to a deployment (discovery and each invocation
// attempt) with an Ed25519 JWT whose audience is the request path. With keys configured, the endpoint refuses
// anything that is not signed by one of them — before routing, so unsigned callers cannot run handlers nor learn
// which services exist. Only `…/health` stays open (load balancers probe it without credentials; it reveals nothing).

import { importPublicKey, parsePublicKeysV1, type IdentityPublicKey } from "./identity-keys.js";
import { claimsProblem, signedParts } from "./jwt-eddsa.js";

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

export type IdentityRefusal = { status: 401 | 500; message: string };

export type IdentityVerdict = { ok: true; keyId: string } | { ok: false; reason: string };

export interface IdentityVerifier {
  /** The configured key ids (`publickeyv1_…`), in the order they are tried when the token names none of them. */
  readonly keyIds: readonly string[];
  /** Checks the identity headers of a request for `pathname` (the URL path as received, prefixes included). */
  verify(headers: Headers, pathname: string): Promise<IdentityVerdict>;
  /** undefined when the request may proceed, else the refusal to answer with (401, or 500 if keys are unusable; logged). */
  check(request: Request, pathname: string): Promise<IdentityRefusal | undefined>;
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
    const parts = signedParts(token);
    if (typeof parts === "string") return { ok: false, reason: parts };
    const keys = await importAll();
    // The token's kid names the key it was signed with; try that one first, then all others (kid is optional).
    const kid = parts.header.kid;
    const ordered = [...keys.filter((k) => k.key.id === kid), ...keys.filter((k) => k.key.id !== kid)];
    for (const { key, cryptoKey } of ordered) {
      let valid = false;
      try {
        valid = await crypto.subtle.verify("Ed25519", cryptoKey, parts.signature, parts.signed);
      } catch {
        // a signature of the wrong length, …: not this key's
      }
      if (!valid) continue;
      // Same rules as restate's reference verifier: audience = the normalised path, exp and nbf required, ZERO
      // clock leeway (the server already back-dates nbf by 60 s; exp is iat + 60 s by default). `now == exp`
      // counts as expired, one second stricter than the reference. Claims are read only once the signature holds.
      const now = Math.floor((options.now ? options.now() : new Date()).getTime() / 1000);
      const problem = claimsProblem(parts.body, audienceOf(pathname), now);
      return problem === undefined ? { ok: true, keyId: key.id } : { ok: false, reason: problem };
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
        return { status: 500, message };
      }
      if (verdict.ok) return undefined;
      warn(`perdure: ${request.method} ${pathname} refused with 401: ${verdict.reason}`);
      return { status: 401, message: `Unauthorized: ${verdict.reason}` };
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

function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 32 ? `${clean.slice(0, 32)}…` : clean;
}
