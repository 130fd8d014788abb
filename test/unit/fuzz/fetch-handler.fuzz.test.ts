// Property tests of the whole fetch handler (in process), in request-response and bidirectional mode: random
// bytes, truncated or bit-flipped captured request bodies, valid messages in the wrong phase, oversized declared
// lengths, wrong content types and huge headers. Every case must end, within a time bound, in a 4xx with a
// readable message or a 200 whose frames end in an ErrorMessage (readable reason) or in End / Suspension; no
// unhandled rejection; and the same endpoint must keep answering a normal request right after.

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { encodeMessage } from "../../../src/protocol/messages.js";
import { loadInvocationCaptures } from "../conformance/support/captures.js";
import { counter, greeter, lazyCounter } from "../conformance/support/services.js";
import { concat, frame, input, json, start, text } from "../machine/support.js";
import { bodyStream, classify, invocationRequest, within, watchUnhandledRejections, type FetchFn, type Outcome } from "./support.js";

const CASE_TIMEOUT_MS = 3_000;
// PERDURE_FUZZ_RUNS=10 multiplies every property's number of runs (for a longer local hunt; CI uses 1).
const SCALE = Number(process.env.PERDURE_FUZZ_RUNS ?? "1") || 1;
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE) });
// Handler failures caused by mutated input are expected here: keep them out of the test output.
const quiet = () => {};
const modes = {
  "request-response": restate.endpoint().bind(greeter).bind(counter).bind(lazyCounter).setLogger(quiet).handler().fetch,
  bidirectional: restate.endpoint().bind(greeter).bind(counter).bind(lazyCounter).setLogger(quiet).bidirectional().handler().fetch,
} satisfies Record<string, FetchFn>;

const PATHS = ["/invoke/Greeter/hello", "/invoke/Greeter/greet", "/invoke/Greeter/caller", "/invoke/Counter/add", "/invoke/LazyCounter/add", "/invoke/Greeter/awake"];
const contentType = (v: number) => `application/vnd.restate.invocation.v${v}`;

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeAll(() => {
  rejections = watchUnhandledRejections();
});
afterAll(() => {
  rejections.stop();
});

/** Sends one request, checks the answer's shape within the time bound, then proves the endpoint still works. */
async function fuzzCase(fetch: FetchFn, request: Request): Promise<Outcome> {
  const outcome = await within(CASE_TIMEOUT_MS, `${request.method} ${new URL(request.url).pathname}`, fetch(request).then(classify));
  const probe = await within(
    CASE_TIMEOUT_MS,
    "follow-up request",
    fetch(invocationRequest("/invoke/Greeter/hello", concat([start(1), input("Ann")]), { "content-type": contentType(6) })).then(classify),
  );
  expect(probe.kind).toBe("terminal");
  const output = (probe as { frames: { message: { value?: { content?: Uint8Array } } }[] }).frames[0]!.message.value?.content;
  expect(text(output)).toBe('"Hello Ann"');
  expect(rejections.seen).toEqual([]);
  return outcome;
}

const captures = loadInvocationCaptures().filter((c) => c.method === "POST");

// Valid messages of every phase, to be sent in arbitrary orders (server-only messages, handler-only messages,
// commands out of place, notifications for nothing, a second StartMessage…).
const anyPhaseFrames: Uint8Array[] = [
  start(1),
  start(2),
  start(3, { key: "k", stateMap: [{ key: json("count"), value: json(3) }] }),
  input("x"),
  input(7),
  frame(MessageType.RunCommand, { resultCompletionId: 1, name: "step" }),
  frame(MessageType.RunCompletion, { completionId: 1, value: { content: json(1) } }),
  frame(MessageType.SleepCommand, { wakeUpTime: 1n, resultCompletionId: 2 }),
  frame(MessageType.SleepCompletion, { completionId: 2, void: {} }),
  frame(MessageType.CallCommand, { serviceName: "Greeter", handlerName: "hello", parameter: json("x"), invocationIdNotificationIdx: 1, resultCompletionId: 2 }),
  frame(MessageType.CallCompletion, { completionId: 2, value: { content: json("Hello x") } }),
  frame(MessageType.SetStateCommand, { key: json("count"), value: { content: json(4) } }),
  frame(MessageType.GetEagerStateCommand, { key: json("count"), void: {} }),
  frame(MessageType.OutputCommand, { value: { content: json("done") } }),
  frame(MessageType.End, {}),
  frame(MessageType.Suspension, { waitingCompletions: [1] }),
  frame(MessageType.Error, { code: 500, message: "server says no" }),
  frame(MessageType.ProposeRunCompletion, { resultCompletionId: 1, value: json(1) }, 0x8000),
  frame(MessageType.CommandAck, { commandIndex: 1 }),
  frame(MessageType.ProposeRunCompletionAck, { resultCompletionId: 1 }),
  frame(MessageType.SignalNotification, { signalId: 1, void: {} }),
];

for (const [mode, fetch] of Object.entries(modes)) {
  describe(`fetch handler under fuzzed input (${mode})`, () => {
    it("random bytes as the body of a valid invocation request", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...PATHS), fc.constantFrom(5, 6, 7), fc.uint8Array({ maxLength: 200 }), async (path, v, body) => {
          const outcome = await fuzzCase(fetch, invocationRequest(path, body, { "content-type": contentType(v) }));
          // Random bytes virtually never form a StartMessage + journal.
          if (outcome.kind === "protocol-error") expect(outcome.code).toBeGreaterThanOrEqual(500);
        }),
        runs(60),
      );
    });

    it("captured real request bodies with bit flips and truncation", async () => {
      const outcomes: Record<string, number> = {};
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...captures),
          fc.array(fc.nat(), { minLength: 0, maxLength: 6 }),
          fc.option(fc.nat(), { nil: undefined }),
          fc.array(fc.nat(), { maxLength: 4 }),
          async (capture, flips, truncateSeed, cuts) => {
            let body = capture.requestBody.slice();
            for (const f of flips) body[Math.floor(f / 8) % body.length]! ^= 1 << (f % 8);
            if (truncateSeed !== undefined) body = body.subarray(0, truncateSeed % body.length);
            // The body arrives in arbitrary chunks, as over a real connection.
            const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
            const chunks = [...points, body.length].map((p, i) => body.subarray(i === 0 ? 0 : points[i - 1]!, p));
            const headers = new Headers(capture.headers);
            headers.set("content-type", capture.contentType);
            const outcome = await fuzzCase(fetch, invocationRequest(capture.path, bodyStream(chunks), headers));
            const label = outcome.kind === "protocol-error" ? `error ${outcome.code}` : outcome.kind === "terminal" ? outcome.last : "http";
            outcomes[label] = (outcomes[label] ?? 0) + 1;
          },
        ),
        runs(80),
      );
      // The mutations must exercise both the refusal and the normal paths.
      expect(Object.keys(outcomes).length).toBeGreaterThanOrEqual(2);
    });

    it("valid messages in the wrong phase or order", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...PATHS),
          fc.array(fc.constantFrom(...anyPhaseFrames), { minLength: 1, maxLength: 6 }),
          async (path, frames) => {
            const outcome = await fuzzCase(fetch, invocationRequest(path, concat(frames), { "content-type": contentType(6) }));
            // A body whose first message is not a StartMessage is always refused.
            if (((frames[0]![0]! << 8) | frames[0]![1]!) !== MessageType.Start) {
              expect(outcome.kind).toBe("protocol-error");
              expect((outcome as { code: number }).code).toBe(571);
            }
          },
        ),
        runs(80),
      );
    });

    it("unknown message types after a valid start are refused with 571 naming the type", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 0xffff }).filter((t) => !anyTypes.has(t)),
          fc.uint8Array({ maxLength: 16 }),
          async (type, payload) => {
            const unknown = new Uint8Array(8 + payload.length);
            new DataView(unknown.buffer).setUint16(0, type);
            new DataView(unknown.buffer).setUint32(4, payload.length);
            unknown.set(payload, 8);
            const outcome = await fuzzCase(fetch, invocationRequest("/invoke/Greeter/hello", concat([start(2), input(), unknown]), { "content-type": contentType(6) }));
            expect(outcome.kind).toBe("protocol-error");
            expect((outcome as { code: number }).code).toBe(571);
            expect((outcome as { message: string }).message).toContain(`0x${type.toString(16).toUpperCase().padStart(4, "0")}`);
          },
        ),
        runs(40),
      );
    });

    it("wrong content types and huge headers", async () => {
      const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(printable, fc.constantFrom("application/vnd.restate.invocation.v4", "application/vnd.restate.invocation.v8", "application/json", "text/plain")),
          fc.integer({ min: 0, max: 256 * 1024 }),
          fc.integer({ min: 0, max: 500 }),
          async (ct, bigHeaderSize, headerCount) => {
            const headers = new Headers();
            if (ct.trim() !== "") headers.set("content-type", ct);
            headers.set("x-huge", "h".repeat(bigHeaderSize));
            for (let i = 0; i < headerCount; i++) headers.set(`x-many-${i}`, `value ${i}`);
            const outcome = await fuzzCase(fetch, invocationRequest("/invoke/Greeter/hello", concat([start(1), input("Bo")]), headers));
            const ok = /^application\/vnd\.restate\.invocation\.v[567]$/.test(ct.trim());
            if (!ok) {
              expect(outcome).toMatchObject({ kind: "http-error", status: 415 });
              expect((outcome as { message: string }).message).toMatch(/protocol versions 5 to 7/);
            } else {
              expect(outcome.kind).toBe("terminal");
            }
          },
        ),
        runs(30),
      );
    });

    it("a frame header declaring up to 4 GiB in a tiny or never-ending body fails fast, without allocating", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 32 * 1024 * 1024 + 1, max: 0xffffffff }),
          fc.boolean(),
          fc.boolean(),
          async (length, afterStart, hang) => {
            const header = new Uint8Array(8);
            new DataView(header.buffer).setUint16(0, afterStart ? MessageType.InputCommand : MessageType.Start);
            new DataView(header.buffer).setUint32(4, length);
            const chunks = afterStart ? [start(1), header, new Uint8Array(3)] : [header, new Uint8Array(3)];
            const before = process.memoryUsage().arrayBuffers;
            const started = performance.now();
            const outcome = await fuzzCase(fetch, invocationRequest("/invoke/Greeter/hello", bodyStream(chunks, hang), { "content-type": contentType(6) }));
            expect(performance.now() - started).toBeLessThan(CASE_TIMEOUT_MS);
            expect(outcome.kind).toBe("protocol-error");
            expect((outcome as { message: string }).message).toContain(`declares a payload of ${length} bytes, above the limit of 33554432 bytes`);
            expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
          },
        ),
        runs(20),
      );
    });
  });
}

const anyTypes = new Set<number>(Object.values(MessageType) as number[]);

describe("maxMessageSize of createEndpointHandler", () => {
  const small = restate.createEndpointHandler({ services: [greeter], maxMessageSize: 1024, logger: quiet });

  it("refuses a message above the configured limit, naming the limit", async () => {
    const outcome = await fuzzCase(small, invocationRequest("/invoke/Greeter/hello", concat([start(1), input("x".repeat(2000))]), { "content-type": contentType(6) }));
    expect(outcome).toMatchObject({ kind: "protocol-error", code: 571 });
    expect((outcome as { message: string }).message).toMatch(/InputCommand frame declares a payload of \d+ bytes, above the limit of 1024 bytes \(maxMessageSize\)/);
  });

  it("accepts messages under the limit", async () => {
    const outcome = await fuzzCase(small, invocationRequest("/invoke/Greeter/hello", concat([start(1), input("x".repeat(900))]), { "content-type": contentType(6) }));
    expect(outcome.kind).toBe("terminal");
  });

  it("answers before the oversized payload is sent (the body is never read to its end)", async () => {
    const header = encodeMessage(MessageType.InputCommand, { value: { content: new Uint8Array(5000) } } as never).subarray(0, 8);
    const outcome = await fuzzCase(small, invocationRequest("/invoke/Greeter/hello", bodyStream([start(1), header], true), { "content-type": contentType(6) }));
    expect(outcome).toMatchObject({ kind: "protocol-error", code: 571 });
  });
});
