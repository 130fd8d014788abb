// Shared checks for the fuzz tests: what an acceptable answer to bad input looks like, a per-case time bound, and
// a watch on unhandled rejections.

import { FrameDecoder } from "../../../src/protocol/frame.js";
import { decodeMessage, type Message } from "../../../src/protocol/messages.js";
import { MessageType } from "../../../src/protocol/message-types.js";

export type FetchFn = (request: Request, ...extra: unknown[]) => Promise<Response>;

/** Rejects when `work` has not settled after `ms`: a hang becomes a failing case instead of a stuck run. */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How an invocation request ended, once its whole response was read. */
export type Outcome =
  | { kind: "http-error"; status: number; message: string }
  | { kind: "protocol-error"; code: number; message: string; frames: Message[] }
  | { kind: "terminal"; last: "End" | "Suspension"; frames: Message[] };

const READABLE = /[a-z]{3,}.*[a-z]{3,}/i;

/**
 * Reads the response and checks it is one of the acceptable shapes: a 4xx with a JSON `{message}`, or a 200 whose
 * protocol frames end in an ErrorMessage with a code and a readable message, or in End / Suspension. Throws otherwise.
 */
export async function classify(res: Response): Promise<Outcome> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status >= 400 && res.status < 500) {
    const body = JSON.parse(new TextDecoder().decode(bytes)) as { message?: unknown };
    if (typeof body.message !== "string" || !READABLE.test(body.message)) {
      throw new Error(`HTTP ${res.status} without a readable message: ${JSON.stringify(body)}`);
    }
    return { kind: "http-error", status: res.status, message: body.message };
  }
  if (res.status !== 200) throw new Error(`unexpected HTTP status ${res.status}`);
  const decoder = new FrameDecoder();
  const frames = decoder.push(bytes).map((f) => decodeMessage(f));
  decoder.finish();
  const last = frames.at(-1);
  if (!last) throw new Error("200 with an empty body: the server would not learn why the attempt ended");
  if (last.type === MessageType.Error) {
    const err = last.message as { code?: number; message?: string };
    if (!err.code || err.code < 400) throw new Error(`ErrorMessage without a failure code: ${JSON.stringify(err)}`);
    if (typeof err.message !== "string" || !READABLE.test(err.message)) {
      throw new Error(`ErrorMessage ${err.code} without a readable message: ${JSON.stringify(err.message)}`);
    }
    return { kind: "protocol-error", code: err.code, message: err.message, frames };
  }
  if (last.type === MessageType.End) return { kind: "terminal", last: "End", frames };
  if (last.type === MessageType.Suspension) return { kind: "terminal", last: "Suspension", frames };
  throw new Error(`response ends with ${last.type}, not with End, Suspension or an ErrorMessage`);
}

/** Collects unhandled promise rejections for the lifetime of a test file. */
export function watchUnhandledRejections(): { stop(): void; seen: unknown[] } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", listener);
  return { seen, stop: () => process.off("unhandledRejection", listener) };
}

export function invocationRequest(path: string, body: BodyInit | null, headers: Record<string, string> | Headers, init: RequestInit = {}): Request {
  return new Request(`http://127.0.0.1:9080${path}`, { method: "POST", headers, body, duplex: "half", ...init } as RequestInit);
}

/** A body stream that yields `chunks` and then either ends or stays open forever (never closes). */
export function bodyStream(chunks: Uint8Array[], thenHang = false): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!.slice());
      else if (!thenHang) controller.close();
      else return new Promise<void>(() => {}); // never resolves: the sender went quiet
    },
  });
}

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
