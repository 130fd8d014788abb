// Loads the invocation captures of test/fixtures/protocol-vectors: the request as restate-server sent
// it (path, headers, body and the chunks the body arrived in) and the response body the official TS SDK produced.
// Sidecar captures (`NAME.req.hex` + `NAME.res.hex` + `NAME.json`) and raw HTTP/1.1 connection dumps
// (`*-wire-*.c2s.hex` / `.s2c.hex`) are both turned into the same shape.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MessageType } from "../../../../src/protocol/message-types.js";
import { decodeMessage } from "../../../../src/protocol/messages.js";
import type { StartMessage } from "../../../../src/protocol/generated/protocol.js";
import { concatBytes, hexToBytes, splitFrames } from "./wire.js";

export { VECTORS_DIR } from "../../../support/vectors-dir.js";
import { VECTORS_DIR } from "../../../support/vectors-dir.js";

export interface InvocationCapture {
  name: string;
  /** "sidecar" (NAME.req.hex/res.hex/json) or "wire" (raw HTTP/1.1 bytes of the whole exchange). */
  source: "sidecar" | "wire";
  mode: "REQUEST_RESPONSE" | "BIDI_STREAM";
  contentType: string;
  protocolVersion: number;
  method: string;
  path: string;
  /** Request headers as sent (HTTP/2 pseudo-headers and hop-by-hop headers removed). */
  headers: [string, string][];
  /** Request body, and its split into the chunks the endpoint received. */
  requestBody: Uint8Array;
  requestChunks: Uint8Array[];
  /** Response status and body produced by the TS SDK (undefined body: the SDK never answered). */
  responseStatus: number | undefined;
  responseBody: Uint8Array | undefined;
  start: StartMessage;
}

// Not forwarded to fetch's Request: connection-level headers that a fetch runtime never exposes to a handler.
const HOP_BY_HOP = new Set(["host", "transfer-encoding", "connection", "keep-alive", "content-length"]);

function usableHeaders(pairs: [string, string][]): [string, string][] {
  return pairs.filter(([name]) => !name.startsWith(":") && !HOP_BY_HOP.has(name.toLowerCase()));
}

function versionOf(contentType: string): number {
  const m = /^application\/vnd\.restate\.invocation\.v(\d+)$/.exec(contentType);
  if (!m) throw new Error(`not an invocation content type: ${contentType}`);
  return Number(m[1]);
}

function startOf(body: Uint8Array): StartMessage {
  const first = splitFrames(body)[0];
  if (!first) throw new Error("empty request body");
  const decoded = decodeMessage(first);
  if (decoded.type !== MessageType.Start) throw new Error("request body does not start with a StartMessage");
  return decoded.message;
}

/** Splits `body` into consecutive chunks of the given lengths (they must add up to the body length). */
function chunksOf(body: Uint8Array, lengths: number[]): Uint8Array[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total !== body.length) throw new Error(`chunk lengths add up to ${total}, body has ${body.length} bytes`);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const len of lengths) {
    out.push(body.slice(at, at + len));
    at += len;
  }
  return out;
}

interface Sidecar {
  mode: "REQUEST_RESPONSE" | "BIDI_STREAM";
  request?: {
    method: string;
    path: string;
    headers_in_wire_order: [string, string][];
    body_chunks_ms_len?: [number, number][];
  };
  response?: { status: number };
}

function loadSidecarCapture(name: string): InvocationCapture | undefined {
  const sidecar = JSON.parse(readFileSync(join(VECTORS_DIR, `${name}.json`), "utf8")) as Sidecar;
  const req = sidecar.request;
  if (!req || req.method !== "POST" || !req.path.includes("/invoke/")) return undefined;
  const reqFile = join(VECTORS_DIR, `${name}.req.hex`);
  const resFile = join(VECTORS_DIR, `${name}.res.hex`);
  const requestBody = hexToBytes(readFileSync(reqFile, "utf8"));
  const contentType = req.headers_in_wire_order.find(([k]) => k.toLowerCase() === "content-type")?.[1];
  if (!contentType) throw new Error(`${name}: no content-type in the captured request`);
  return {
    name,
    source: "sidecar",
    mode: sidecar.mode,
    contentType,
    protocolVersion: versionOf(contentType),
    method: req.method,
    path: req.path,
    headers: usableHeaders(req.headers_in_wire_order),
    requestBody,
    requestChunks: chunksOf(requestBody, (req.body_chunks_ms_len ?? [[0, requestBody.length]]).map(([, len]) => len)),
    responseStatus: sidecar.response?.status,
    responseBody: existsSync(resFile) ? hexToBytes(readFileSync(resFile, "utf8")) : undefined,
    start: startOf(requestBody),
  };
}

const latin1 = new TextDecoder("latin1");

interface ParsedHttp {
  startLine: string;
  headers: [string, string][];
  /** Body chunks as framed by HTTP/1.1 chunked transfer coding. */
  chunks: Uint8Array[];
}

/** Parses one HTTP/1.1 message with a chunked body (what the `*-wire-*` dumps contain). */
function parseChunkedHttp(bytes: Uint8Array): ParsedHttp {
  const text = latin1.decode(bytes);
  const headEnd = text.indexOf("\r\n\r\n");
  if (headEnd < 0) throw new Error("no end of HTTP head");
  const [startLine, ...headerLines] = text.slice(0, headEnd).split("\r\n");
  const headers = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  const te = headers.find(([k]) => k === "transfer-encoding")?.[1];
  if (te === undefined) return { startLine: startLine!, headers, chunks: [] }; // no body (e.g. GET /discover)
  if (te.toLowerCase() !== "chunked") throw new Error("wire capture body is not chunked");
  const chunks: Uint8Array[] = [];
  let pos = headEnd + 4;
  for (;;) {
    const lineEnd = text.indexOf("\r\n", pos);
    const size = parseInt(text.slice(pos, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size at byte ${pos}`);
    pos = lineEnd + 2;
    if (size === 0) break;
    chunks.push(bytes.slice(pos, pos + size));
    pos += size + 2; // chunk data + CRLF
  }
  return { startLine: startLine!, headers, chunks };
}

function loadWireCapture(name: string): InvocationCapture | undefined {
  const request = parseChunkedHttp(hexToBytes(readFileSync(join(VECTORS_DIR, `${name}.c2s.hex`), "utf8")));
  const [method, path] = request.startLine.split(" ");
  if (method !== "POST" || !path?.includes("/invoke/")) return undefined; // discovery
  const response = parseChunkedHttp(hexToBytes(readFileSync(join(VECTORS_DIR, `${name}.s2c.hex`), "utf8")));
  const contentType = request.headers.find(([k]) => k === "content-type")?.[1];
  if (!contentType) throw new Error(`${name}: no content-type in the captured request`);
  const requestBody = concatBytes(request.chunks);
  return {
    name,
    source: "wire",
    mode: "REQUEST_RESPONSE",
    contentType,
    protocolVersion: versionOf(contentType),
    method,
    path,
    headers: usableHeaders(request.headers),
    requestBody,
    requestChunks: request.chunks,
    responseStatus: Number(response.startLine.split(" ")[1]),
    responseBody: concatBytes(response.chunks),
    start: startOf(requestBody),
  };
}

/** Every invocation capture (discovery captures are skipped: they are not invocations). */
export function loadInvocationCaptures(): InvocationCapture[] {
  if (!existsSync(VECTORS_DIR)) throw new Error(`protocol vectors not found at ${VECTORS_DIR}`);
  const files = readdirSync(VECTORS_DIR).sort();
  const captures: InvocationCapture[] = [];
  for (const file of files) {
    const sidecar = /^((?:v6|v7|id)-.*)\.req\.hex$/.exec(file);
    if (sidecar) {
      const c = loadSidecarCapture(sidecar[1]!);
      if (c) captures.push(c);
      continue;
    }
    const wire = /^((?:v6|v7|id)-.*-wire-.*)\.c2s\.hex$/.exec(file);
    if (wire) {
      const c = loadWireCapture(wire[1]!);
      if (c) captures.push(c);
    }
  }
  return captures;
}
