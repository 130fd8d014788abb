// The bidirectional fast entry, for adapters that read the request as chunks and write the response themselves
// (Node's HTTP/2 streams): the same attempt as invoke-bidi.ts, with the body's chunks pushed straight into the frame
// decoder and the machine's frames written straight to the transport — no Request, ReadableStream or AbortSignal.
// Only plain cases take it (a bidirectional endpoint, POST to a bound handler with a supported content type, no
// identity keys, no journal value codec); for anything else `prepare` returns undefined and the adapter uses fetch.
//
// Flow control is the transport's: each pushed chunk is decoded and handed to the machine at once (nothing queues
// here), and frames written while the peer is slow wait in the transport's own buffer, as they waited in the
// response ReadableStream's queue on the fetch path.

import { ProtocolError } from "../protocol/errors.js";
import { FrameDecoder } from "../protocol/frame.js";
import { isSupportedProtocolVersion, parseInvocationContentType } from "../protocol/versions.js";
import { ensureError } from "../context/errors.js";
import type { AttemptResult } from "../context/attempt.js";
import { CORE_STATE, PLAIN_PATH, type CoreState } from "./fetch-handler.js";
import { invocationResponseHeaders, newMachine, startAttempt } from "./invoke.js";
import { PairHeaders } from "./raw.js";
import { routeOf } from "./routing.js";

/** Where the attempt's response goes: the head is sent by the adapter before the first write. */
export interface RawDuplexSink {
  write(frame: Uint8Array): void;
  /** The attempt is over: end the response. Not called after `abort`. */
  end(): void;
}

/** What the adapter feeds: the request body's chunks, its end, or the peer going away. */
export interface RawDuplexInput {
  push(chunk: Uint8Array): void;
  end(): void;
  /** The transport closed before the attempt ended (reset, peer gone): nothing written can arrive any more. */
  abort(reason: string): void;
}

export interface RawDuplex {
  /** The response head (status 200). */
  headers: Record<string, string>;
  start(sink: RawDuplexSink): RawDuplexInput;
}

/** Called with the request line and header pairs: the duplex attempt, or undefined when fetch must serve it. */
export type RawBidiPrepare = (method: string, url: string, rawHeaders: readonly string[]) => RawDuplex | undefined;

/** The bidirectional fast entry of a core fetch handler (or of an object whose `fetch` is one), if it has one. */
export function rawBidiPrepareOf(handler: unknown): RawBidiPrepare | undefined {
  if (typeof handler !== "function" && (typeof handler !== "object" || handler === null)) return undefined;
  const fetch = (handler as { fetch?: unknown }).fetch;
  const state = ((handler as Record<symbol, unknown>)[CORE_STATE] ??
    (typeof fetch === "function" ? (fetch as unknown as Record<symbol, unknown>)[CORE_STATE] : undefined)) as CoreState | undefined;
  if (state === undefined || state.options.protocolMode !== "BIDI_STREAM") return undefined;
  // Identity checks and journal value codecs (async decode of every frame) take the fetch path.
  if (state.options.identity || state.limits.journalValueCodec) return undefined;
  return (method, url, rawHeaders) => prepareDuplex(state, method, url, rawHeaders);
}

function prepareDuplex({ services, limits }: CoreState, method: string, url: string, rawHeaders: readonly string[]): RawDuplex | undefined {
  if (method !== "POST") return undefined;
  const query = url.indexOf("?");
  const pathname = query < 0 ? url : url.slice(0, query);
  if (!PLAIN_PATH.test(pathname)) return undefined;
  const route = routeOf(pathname);
  if (route.kind !== "invoke") return undefined;
  const service = services.get(route.service);
  const handler = service?.handlers.get(route.handler);
  if (!service || !handler) return undefined;
  const requestHeaders = new PairHeaders(rawHeaders) as unknown as Headers;
  const version = parseInvocationContentType(requestHeaders.get("content-type"));
  if (version === undefined || !isSupportedProtocolVersion(version)) return undefined;

  return {
    headers: invocationResponseHeaders(version),
    start(sink) {
      let open = true; // the response can still be written
      let inputDone = false;
      let attempt: Promise<AttemptResult> | undefined;
      const machine = newMachine(version, handler, (frame) => open && sink.write(frame), limits);
      const decoder = new FrameDecoder({ maxMessageSize: limits.maxMessageSize });
      const begin = () => {
        attempt = startAttempt(machine, { headers: requestHeaders }, service, handler, [], limits);
        attempt.catch(() => {}); // handled below, once the machine is closed
      };
      const failInput = (e: unknown) => {
        inputDone = true;
        if (machine.isClosed) return;
        if (e instanceof ProtocolError) machine.failInput(e);
        else machine.abandon(`reading the request body failed: ${ensureError(e).message}`);
      };
      // The response ends once the machine is closed and the handler's attempt has settled (as on the fetch path).
      new Promise<void>((resolve) => machine.whenClosed(() => resolve()))
        .then(() => attempt)
        .catch((e) => machine.failInternal("bidirectional stream failed", ensureError(e)))
        .finally(() => {
          if (!open) return;
          open = false;
          sink.end();
        });
      return {
        push(chunk) {
          if (inputDone || machine.isClosed) return; // after the attempt: discard what still comes
          try {
            for (const frame of decoder.push(chunk)) machine.pushFrame(frame);
            if (!attempt && machine.isReady) begin();
          } catch (e) {
            failInput(e);
          }
        },
        end() {
          if (inputDone) return;
          inputDone = true;
          if (machine.isClosed) return;
          try {
            decoder.finish();
            machine.closeInput();
            if (!attempt) begin();
          } catch (e) {
            failInput(e);
          }
        },
        abort(reason) {
          open = false;
          inputDone = true;
          if (!machine.isClosed) machine.abandon(reason);
        },
      };
    },
  };
}
