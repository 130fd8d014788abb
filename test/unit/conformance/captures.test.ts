// Byte-level conformance: every invocation captured between restate-server 1.7.12 and the official TS SDK 1.17.2
// (CAPTURES.md) is replayed against perdure running the same handlers; perdure's response frames must equal the
// captured ones — same message types in the same order, same flags, byte-identical payloads — except for the
// normalisations defined (and justified) in support/compare.ts.
//
// Which captures are used, and how:
//  * REQUEST_RESPONSE captures (`v6-*`, `v7-*`, `id-*`, h1 and h2c, and the raw HTTP/1.1 `*-wire-*` dumps): the
//    whole request body, streamed in the chunks the endpoint received, against the whole captured response.
//    `id-*` (signed) requests are replayed with their JWT headers but without identity verification: they were made
//    with the same handlers, and signing does not change the body (JWT checks are tested where identity lives).
//  * BIDI_STREAM captures: their response interleaves with live input, so the captured response is what the SDK
//    wrote *while* frames kept arriving. Two request-response readings are well defined and tested:
//      - the journal prefix (Start + known_entries frames) is exactly what a request-response attempt at that point
//        carries: perdure must write the same leading commands as the BIDI capture, then suspend — the suspension
//        frame is taken from the request-response capture of the same handler and version (its payload depends
//        only on completion ids, not on the input);
//      - the whole body, where it makes sense: `v7-h2c-bidi-caller` (call + one-way call; no ctx.run) gives the
//        same commands whenever the notifications arrive, so it must match byte for byte (modulo AwaitingOn).
//        `v7-*-bidi-greet` carry a ProposeRunCompletionAck that, fed whole, precedes the proposal it acknowledges:
//        STATE_MACHINE.md §6.1 makes that a protocol violation → ErrorMessage 571.
//    Not used whole: `v6-h2c-bidi-greet` / `-inactivity-retry`: their RunCompletionNotification arrived live, after
//    the SDK had proposed the run. Fed whole, the completion is already buffered when the RunCommand is issued, so
//    the closure need not run and no proposal need be written — the capture does not determine the output.
//  * Discovery captures are not invocations (tested with the discovery code).

import { afterEach, describe, expect, it } from "vitest";
import { MessageType } from "../../../src/protocol/message-types.js";
import { decodeMessage } from "../../../src/protocol/messages.js";
import type { RawFrame } from "../../../src/protocol/frame.js";
import { loadInvocationCaptures, type InvocationCapture } from "./support/captures.js";
import { compareFrames, type CompareRules } from "./support/compare.js";
import { invoke } from "./support/replay.js";
import { GREET_SLEEP_MS, LONG_SLEEP_MS, captureEndpoint, flakyAttempts } from "./support/services.js";
import { splitFrames } from "./support/wire.js";

const captures = loadInvocationCaptures();
const byName = new Map(captures.map((c) => [c.name, c]));
const endpoint = captureEndpoint();

function capture(name: string): InvocationCapture {
  const c = byName.get(name);
  if (!c) throw new Error(`capture ${name} not found`);
  return c;
}

function handlerOf(c: InvocationCapture): string {
  return c.path.split("/").at(-1)!;
}

function rulesFor(c: InvocationCapture): CompareRules {
  switch (handlerOf(c)) {
    case "greet":
      return { sleepDurationsMs: [GREET_SLEEP_MS] };
    case "longSleep":
      return { sleepDurationsMs: [LONG_SLEEP_MS] };
    case "flaky":
      return { plainErrorStacktrace: true };
    default:
      return {};
  }
}

/** Sets what Greeter.flaky counts as its attempt: the retry count the server sent, plus one. */
function prepare(c: InvocationCapture): void {
  if (handlerOf(c) === "flaky") {
    flakyAttempts.set(c.start.debugId!, (c.start.retryCountSinceLastStoredEntry ?? 0) + 1);
  }
}

afterEach(() => flakyAttempts.clear());

async function replay(c: InvocationCapture, chunks: Uint8Array[] = c.requestChunks) {
  prepare(c);
  const result = await invoke(endpoint.fetch, { path: c.path, contentType: c.contentType, headers: c.headers, chunks });
  return { result, frames: splitFrames(result.body) };
}

function expectSameFrames(expected: RawFrame[], actual: RawFrame[], rules: CompareRules) {
  const cmp = compareFrames(expected, actual, rules);
  expect(cmp.violations, "normalisation checks").toEqual([]);
  expect(cmp.actual).toEqual(cmp.expected);
  return cmp;
}

const requestResponse = captures.filter((c) => c.mode === "REQUEST_RESPONSE");
const bidi = captures.filter((c) => c.mode === "BIDI_STREAM");

/** BIDI captures replayed as request-response input, and what they are compared with (see the header comment). */
const BIDI_PREFIX: Record<string, { leading: number; suspensionFrom: string }> = {
  "v6-h2c-bidi-greet": { leading: 2, suspensionFrom: "v6-h1-greet-attempt1" }, // Run, Propose
  "v6-h2c-bidi-inactivity-retry": { leading: 2, suspensionFrom: "v6-h1-greet-attempt1" },
  "v7-h2c-bidi-greet": { leading: 2, suspensionFrom: "v7-h1-greet-attempt1" }, // Run, Propose(ack flag)
  "v7-h1-bidi-greet": { leading: 2, suspensionFrom: "v7-h1-greet-attempt1" },
  "v7-h2c-bidi-caller": { leading: 1, suspensionFrom: "v7-h1-call-attempt1" }, // Call
};
const BIDI_WHOLE_MATCH = ["v7-h2c-bidi-caller"];
const BIDI_WHOLE_571 = ["v7-h2c-bidi-greet", "v7-h1-bidi-greet"];
/** BIDI captures with no usable expectation, and why. */
const BIDI_UNUSED: Record<string, string> = {
  "v6-h2c-bidi-inactivity":
    "the capture endpoint never answered (a Node 20 problem of the capture setup); its retry, v6-h2c-bidi-inactivity-retry, is used instead",
};

describe("capture inventory", () => {
  it("finds every invocation capture and classifies each one", () => {
    // 59 request-response sidecar captures + 2 raw HTTP/1.1 dumps; 6 BIDI captures.
    expect(requestResponse.length).toBe(61);
    expect(requestResponse.filter((c) => c.source === "wire").map((c) => c.name)).toEqual(["id-h1-wire-hello", "v6-h1-wire-hello"]);
    expect(bidi.map((c) => c.name).sort()).toEqual(
      [...Object.keys(BIDI_PREFIX), ...Object.keys(BIDI_UNUSED)].sort(),
    );
    for (const c of requestResponse) expect(c.responseBody, c.name).toBeDefined();
  });
});

describe("request-response captures: perdure's response equals the official SDK's, frame by frame", () => {
  it.each(requestResponse.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const { result, frames } = await replay(c);
    expect(result.status).toBe(c.responseStatus);
    expect(result.contentType).toBe(c.contentType);
    expectSameFrames(splitFrames(c.responseBody!), frames, { ...rulesFor(c), window: result });
  });
});

describe("BIDI captures, journal prefix as a request-response attempt: same leading commands, then suspension", () => {
  it.each(Object.entries(BIDI_PREFIX))("%s", async (name, spec) => {
    const c = capture(name);
    const known = c.start.knownEntries!;
    // In every BIDI capture each frame arrived in its own chunk: Start + the known entries are the first chunks.
    const prefixChunks = c.requestChunks.slice(0, 1 + known);
    expect(splitFrames(prefixChunks.reduce((a, b) => new Uint8Array([...a, ...b]))).length).toBe(1 + known);

    const { result, frames } = await replay(c, prefixChunks);
    expect(result.status).toBe(200);
    expect(result.contentType).toBe(c.contentType);
    const captured = splitFrames(c.responseBody!).slice(0, spec.leading);
    const suspension = splitFrames(capture(spec.suspensionFrom).responseBody!).at(-1)!;
    expect(suspension.type).toBe(MessageType.Suspension);
    expectSameFrames([...captured, suspension], frames, { ...rulesFor(c), window: result });
  });
});

describe("BIDI captures fed whole as request-response input", () => {
  it.each(BIDI_WHOLE_MATCH)("%s: same commands as captured (notifications were already buffered)", async (name) => {
    const c = capture(name);
    const { result, frames } = await replay(c);
    expect(result.status).toBe(200);
    expectSameFrames(splitFrames(c.responseBody!), frames, { ...rulesFor(c), window: result });
  });

  it.each(BIDI_WHOLE_571)("%s: an ack that precedes its proposal is a protocol violation (571)", async (name) => {
    const c = capture(name);
    const ackIndex = splitFrames(c.requestBody).findIndex((f) => f.type === MessageType.ProposeRunCompletionAck);
    expect(ackIndex).toBeGreaterThan(c.start.knownEntries!); // it is a live frame, after the journal
    const { result, frames } = await replay(c);
    expect(result.status).toBe(200);
    expect(frames.map((f) => f.type)).toEqual([MessageType.Error]);
    const error = decodeMessage(frames[0]!);
    expect(error.type === MessageType.Error && error.message.code).toBe(571);
  });
});
