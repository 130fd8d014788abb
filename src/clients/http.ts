// HTTP plumbing of the ingress client: URLs, request bodies, and failures turned into HttpCallError (a TerminalError
// carrying the HTTP status and the server's message). Web-standard fetch only: runs on every runtime.

import { TerminalError } from "../context/errors.js";

/**
 * A call through the ingress failed: `status` is the HTTP status (also `code`), `message` the server's reason, and
 * `metadata` the metadata of the handler's TerminalError (restate-server ≥ 1.6, protocol V6+).
 */
export class HttpCallError extends TerminalError {
  override name = "HttpCallError";

  constructor(
    readonly status: number,
    readonly responseText: string,
    message: string,
    readonly url?: string,
    metadata?: Record<string, string>,
  ) {
    super(message, { errorCode: status, ...(metadata ? { metadata } : {}) });
  }
}

/** Message and metadata of an error body (`{"code":409,"message":"…","metadata":{…}}` for terminal failures). */
export function errorDetailsOf(status: number, text: string): { message: string; metadata?: Record<string, string> } {
  try {
    const body = JSON.parse(text) as { message?: unknown; metadata?: unknown };
    if (typeof body.message === "string" && body.message.length > 0) {
      const metadata =
        typeof body.metadata === "object" && body.metadata !== null
          ? Object.fromEntries(Object.entries(body.metadata).map(([k, v]) => [k, String(v)]))
          : undefined;
      return metadata ? { message: body.message, metadata } : { message: body.message };
    }
  } catch {
    /* not JSON */
  }
  return { message: text.trim().length > 0 ? text.trim() : `HTTP ${status}` };
}

export async function failureFrom(response: Response, url: string): Promise<HttpCallError> {
  const text = await response.text().catch(() => "");
  const { message, metadata } = errorDetailsOf(response.status, text);
  return new HttpCallError(response.status, text, message, url, metadata);
}

/** Base URL without a trailing slash; refuses anything that is not http(s). */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`connect({ url }): '${url}' is not a URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new TypeError(`connect({ url }): '${url}' must be an http:// or https:// URL`);
  }
  return url.replace(/\/+$/, "");
}

export function pathOf(...segments: string[]): string {
  return segments.map((s) => "/" + encodeURIComponent(s)).join("");
}

/** A copy that DOM's BodyInit typing accepts (it rejects views that might be backed by a SharedArrayBuffer). */
export function bodyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes) as Uint8Array<ArrayBuffer>;
}
