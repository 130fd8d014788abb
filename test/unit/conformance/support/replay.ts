// Calls a perdure fetch handler the way restate-server does in request-response mode: POST …/invoke/S/h with the
// invocation content type, the body streamed in the given chunks, then the whole response body read back.

import type { RawFrame } from "../../../../src/protocol/frame.js";
import { concatBytes, splitFrames } from "./wire.js";

export type FetchFn = (request: Request) => Promise<Response>;

export interface InvokeRequest {
  path: string;
  contentType: string;
  headers?: [string, string][];
  /** The body, split into the chunks the endpoint receives (one chunk per frame in the captures). */
  chunks: Uint8Array[];
}

export interface InvokeResult {
  status: number;
  contentType: string | null;
  body: Uint8Array;
  /** Wall clock just before the request was handed to fetch, and just after the body was read (ms since epoch). */
  startedAt: number;
  finishedAt: number;
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!.slice());
      else controller.close();
    },
  });
}

export async function invoke(fetch: FetchFn, req: InvokeRequest): Promise<InvokeResult> {
  const headers = new Headers(req.headers ?? []);
  headers.set("content-type", req.contentType);
  const request = new Request(`http://127.0.0.1:9080${req.path}`, {
    method: "POST",
    headers,
    body: streamOf(req.chunks),
    // Node's fetch needs this for a streamed request body.
    duplex: "half",
  } as RequestInit);
  const startedAt = Date.now();
  const response = await fetch(request);
  const body = new Uint8Array(await response.arrayBuffer());
  const finishedAt = Date.now();
  return { status: response.status, contentType: response.headers.get("content-type"), body, startedAt, finishedAt };
}

/** Invokes with a whole body in one chunk and splits the response into frames. */
export async function invokeFrames(
  fetch: FetchFn,
  path: string,
  protocolVersion: number,
  body: Uint8Array | Uint8Array[],
): Promise<{ result: InvokeResult; frames: RawFrame[] }> {
  const chunks = Array.isArray(body) ? [concatBytes(body)] : [body];
  const result = await invoke(fetch, {
    path,
    contentType: `application/vnd.restate.invocation.v${protocolVersion}`,
    chunks,
  });
  return { result, frames: splitFrames(result.body) };
}
