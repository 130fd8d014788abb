// POST …/invoke/{service}/{handler}: one invocation attempt in request-response mode.
// The whole request body (Start + journal) is read and fed through the frame decoder into the state machine, the
// handler runs until it ends or suspends, and the frames it produced go back as the response body.

import { FrameDecoder } from "../protocol/frame.js";
import { invocationContentType } from "../protocol/versions.js";
import { InvocationMachine } from "../machine/invocation-machine.js";
import { runAttempt, type AttemptResult } from "../context/attempt.js";
import { ensureError } from "../context/errors.js";
import type { HandlerEntry, ServiceEntry } from "../definition/service-model.js";
import { X_RESTATE_SERVER } from "./server-header.js";
import { frameOutput } from "./output-stream.js";
import { resolveAttemptLimits, type AttemptLimitsOption } from "../machine/limits.js";
import { decodeFrameValues, type JournalValueCodec } from "./journal-codec.js";

export interface InvokeLimits {
  /** Largest single protocol message accepted, checked before allocating. */
  maxMessageSize: number;
  /** Telemetry: called once per attempt with how it ended. */
  onAttemptEnd?: (info: AttemptInfo) => void;
  /** Endpoint-wide attempt limits (the handler's own `attemptLimits` win over them). */
  attemptLimits?: AttemptLimitsOption;
  /** The endpoint's journal value codec (journalValueCodecProvider), resolved once. */
  journalValueCodec?: Promise<JournalValueCodec>;
}

/** What one invocation attempt did (the endpoint's `onAttemptEnd` option receives it). */
export interface AttemptInfo extends AttemptResult {
  service: string;
  handler: string;
  invocationId: string;
}

export async function invokeRequestResponse(
  request: Request,
  service: ServiceEntry,
  handler: HandlerEntry,
  version: number,
  extraArgs: unknown[],
  limits: InvokeLimits,
): Promise<Response> {
  if (handler.execution.eagerRuns) return invokeRequestResponseStreaming(request, service, handler, version, extraArgs, limits);
  const out: Uint8Array[] = [];
  const machine = newMachine(version, handler, (frame) => out.push(frame), limits);
  const ready = await readJournal(request, machine, limits);
  const headers = invocationResponseHeaders(version);
  if (ready) headers["x-perdure-attempt"] = describeAttempt(await startAttempt(machine, request, service, handler, extraArgs, limits));
  return invocationResponse(concat(out) as Uint8Array<ArrayBuffer>, headers);
}

/**
 * A 200 answer with `headers`, set one by one on the new Response: on Deno a headers record in the constructor's
 * init costs ≈ 8 µs more (its WebIDL record conversion), a quarter of a small replayed invocation; same result.
 */
export function invocationResponse(body: Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>, headers: Record<string, string>): Response {
  const response = new Response(body, { status: 200 });
  for (const name in headers) response.headers.set(name, headers[name]!);
  return response;
}

/**
 * Request-response from a body the adapter already holds whole (the fast entry, raw.ts): the same attempt as
 * above without a Request or Response object. `headers` are the attempt's headers handlers see.
 */
export async function invokeRequestResponseBytes(
  body: Uint8Array,
  headers: Headers,
  service: ServiceEntry,
  handler: HandlerEntry,
  version: number,
  extraArgs: unknown[],
  limits: InvokeLimits,
): Promise<{ headers: Record<string, string>; body: Uint8Array }> {
  const out: Uint8Array[] = [];
  const machine = newMachine(version, handler, (frame) => out.push(frame), limits);
  const responseHeaders = invocationResponseHeaders(version);
  if (feedJournal(body, machine, limits)) {
    responseHeaders["x-perdure-attempt"] = describeAttempt(await startAttempt(machine, { headers }, service, handler, extraArgs, limits));
  }
  return { headers: responseHeaders, body: concat(out) };
}

/**
 * Request-response for handlers with eager runs: the journal is read whole as usual, but the response streams each
 * frame as it is written, so the server stores every run result as soon as it is proposed (a crash later in the
 * attempt then loses only the work after the last stored frame). The head goes out first, so telemetry is only
 * available through the endpoint's onAttemptEnd observer here.
 */
async function invokeRequestResponseStreaming(
  request: Request,
  service: ServiceEntry,
  handler: HandlerEntry,
  version: number,
  extraArgs: unknown[],
  limits: InvokeLimits,
): Promise<Response> {
  const output = frameOutput();
  const machine = newMachine(version, handler, output.write, limits);
  output.attach(machine);
  const ready = await readJournal(request, machine, limits);
  if (!ready) output.close();
  else {
    startAttempt(machine, request, service, handler, extraArgs, limits)
      .catch((e) => machine.failInternal("attempt failed", ensureError(e)))
      .finally(output.close);
  }
  return invocationResponse(output.body, invocationResponseHeaders(version));
}

/** Runs the handler on a machine that has its whole journal; resolves when the attempt has ended. */
export async function startAttempt(
  machine: InvocationMachine,
  request: { readonly headers: Headers },
  service: ServiceEntry,
  handler: HandlerEntry,
  extraArgs: unknown[],
  limits?: InvokeLimits,
): Promise<AttemptResult> {
  const input = await machine.readInput();
  const result = await runAttempt(machine, handler, {
    service: service.name,
    handler: handler.name,
    attemptHeaders: request.headers,
    extraArgs,
    input,
    defaultSerde: handler.execution.defaultSerde,
    eagerRuns: handler.execution.eagerRuns,
    explicitCancellation: handler.execution.explicitCancellation,
    asTerminalError: handler.execution.asTerminalError,
  });
  if (limits?.onAttemptEnd) {
    try {
      limits.onAttemptEnd({ ...result, service: service.name, handler: handler.name, invocationId: input.debugId });
    } catch {
      // an observer must not break the attempt
    }
  }
  return result;
}

/** A machine for one attempt, configured from the handler's options. */
export function newMachine(version: number, handler: HandlerEntry, sink: (frame: Uint8Array) => void, limits?: InvokeLimits): InvocationMachine {
  // Outgoing messages are bounded like incoming ones unless a limit says otherwise.
  const endpointLimits = { ...(limits ? { maxMessageBytes: limits.maxMessageSize } : {}), ...limits?.attemptLimits };
  return new InvocationMachine(version, sink, {
    mismatchBehavior: handler.execution.onJournalMismatchErrors,
    limits: resolveAttemptLimits(endpointLimits, handler.execution.attemptLimits),
  });
}

export function invocationResponseHeaders(version: number): Record<string, string> {
  return { "content-type": invocationContentType(version), "x-restate-server": X_RESTATE_SERVER };
}

/** Telemetry for one attempt, e.g. "suspended; eager-runs=2; waiting-on=completion 5, the cancel signal". */
function describeAttempt(result: AttemptResult): string {
  let text = `${result.reason}; eager-runs=${result.eagerRuns}`;
  if (result.suspendedOn) text += `; waiting-on=${result.suspendedOn}`;
  // Header values must stay printable ASCII on one line.
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 512);
}

/** Feeds the request body to the machine. Returns false when the input broke the protocol (an ErrorMessage was written). */
async function readJournal(request: Request, machine: InvocationMachine, limits: InvokeLimits): Promise<boolean> {
  const decoder = new FrameDecoder({ maxMessageSize: limits.maxMessageSize });
  try {
    const codec = await attachCodec(machine, limits);
    if (request.body) {
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const frame of decoder.push(value)) machine.pushFrame(codec ? await decodeFrameValues(frame, codec) : frame);
      }
    }
    decoder.finish();
    machine.closeInput();
    return !machine.isClosed; // closed: a limit ended the attempt while reading the journal
  } catch (e) {
    machine.failInput(ensureError(e));
    request.body?.cancel().catch(() => {});
    return false;
  }
}

/** Gives the machine the endpoint's codec (to encode what it writes) and returns it (to decode what is read). */
export async function attachCodec(machine: InvocationMachine, limits: InvokeLimits): Promise<JournalValueCodec | undefined> {
  if (!limits.journalValueCodec) return undefined;
  const codec = await limits.journalValueCodec;
  machine.useValueCodec(codec);
  return codec;
}

/** feedJournal for a whole body in hand: the same outcome as readJournal, synchronously. */
function feedJournal(body: Uint8Array, machine: InvocationMachine, limits: InvokeLimits): boolean {
  const decoder = new FrameDecoder({ maxMessageSize: limits.maxMessageSize });
  try {
    for (const frame of decoder.push(body)) machine.pushFrame(frame);
    decoder.finish();
    machine.closeInput();
    return !machine.isClosed; // closed: a limit ended the attempt while reading the journal
  } catch (e) {
    machine.failInput(ensureError(e));
    return false;
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
