/**
 * Service protocol versions and the media types that carry them:
 * invocation streams `application/vnd.restate.invocation.vN` (N = 5..7) and discovery manifests
 * `application/vnd.restate.endpointmanifest.vN+json` (N = 1..4).
 */

export const MIN_PROTOCOL_VERSION = 5;
export const MAX_PROTOCOL_VERSION = 7;

export type ManifestVersion = 1 | 2 | 3 | 4;
export const SUPPORTED_MANIFEST_VERSIONS: readonly ManifestVersion[] = [1, 2, 3, 4];

const INVOCATION_PREFIX = "application/vnd.restate.invocation.v";
const MANIFEST_PREFIX = "application/vnd.restate.endpointmanifest.v";
const MANIFEST_SUFFIX = "+json";

/** A version number: decimal digits without a leading zero. */
const VERSION_DIGITS = /^[1-9][0-9]{0,8}$/;

/** True for the service protocol versions perdure implements (5..7). */
export function isSupportedProtocolVersion(version: number): boolean {
  return Number.isInteger(version) && version >= MIN_PROTOCOL_VERSION && version <= MAX_PROTOCOL_VERSION;
}

/** "application/vnd.restate.invocation.v6" for 6. */
export function invocationContentType(version: number): string {
  return INVOCATION_PREFIX + version;
}

/** The media type of a header value: the part before `;`, trimmed, lower-cased. */
function mediaType(value: string): string {
  const semicolon = value.indexOf(";");
  return (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * The protocol version named by an invocation `content-type` header, or undefined when the header
 * is absent or is not `application/vnd.restate.invocation.vN`. Surrounding whitespace, parameters
 * after `;` and letter case are tolerated. The version is returned even when perdure does not
 * implement it (so the caller can answer 415 naming it): check it with isSupportedProtocolVersion.
 */
export function parseInvocationContentType(header: string | null | undefined): number | undefined {
  if (header == null) return undefined;
  const type = mediaType(header);
  if (!type.startsWith(INVOCATION_PREFIX)) return undefined;
  const digits = type.slice(INVOCATION_PREFIX.length);
  return VERSION_DIGITS.test(digits) ? Number(digits) : undefined;
}

/** "application/vnd.restate.endpointmanifest.v4+json" for 4. */
export function manifestContentType(version: ManifestVersion): string {
  return MANIFEST_PREFIX + version + MANIFEST_SUFFIX;
}

/** The manifest version named by a media type (already lower-cased, no parameters), if any. */
function manifestVersionOf(type: string): number | undefined {
  if (!type.startsWith(MANIFEST_PREFIX) || !type.endsWith(MANIFEST_SUFFIX)) return undefined;
  const digits = type.slice(MANIFEST_PREFIX.length, type.length - MANIFEST_SUFFIX.length);
  return VERSION_DIGITS.test(digits) ? Number(digits) : undefined;
}

/** True when an Accept entry carries `q=0` (explicitly not acceptable). */
function isRefused(entry: string): boolean {
  const params = entry.split(";").slice(1);
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "q") continue;
    const q = Number(param.slice(eq + 1).trim());
    return Number.isFinite(q) && q <= 0;
  }
  return false;
}

/**
 * The manifest version to answer discovery with: the highest version in `supported` that the
 * `accept` header offers (restate-server sends all of v1..v4). The wildcards (any type, or
 * `application` with any subtype) accept every version not refused by a more specific `q=0`
 * entry. An absent or blank header accepts everything (RFC 9110 §12.5.1).
 * Returns undefined when nothing fits: answer 415.
 */
export function pickManifestVersion(
  accept: string | null | undefined,
  supported: readonly number[] = SUPPORTED_MANIFEST_VERSIONS,
): number | undefined {
  const offered = new Set<number>();
  const refused = new Set<number>();
  let wildcard = accept == null || accept.trim() === "";
  for (const entry of wildcard ? [] : accept!.split(",")) {
    const type = mediaType(entry);
    if (type === "*/*" || type === "application/*") {
      if (!isRefused(entry)) wildcard = true;
      continue;
    }
    const version = manifestVersionOf(type);
    if (version !== undefined) (isRefused(entry) ? refused : offered).add(version);
  }
  let result: number | undefined;
  for (const v of supported) {
    if ((wildcard || offered.has(v)) && !refused.has(v) && (result === undefined || v > result)) result = v;
  }
  return result;
}
