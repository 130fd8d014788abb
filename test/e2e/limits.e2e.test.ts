// Limits: very large state maps in the StartMessage, thousands of journal entries replayed, and a state map larger
// than the endpoint's maxMessageSize. These run in process through the fetch handler (request-response and
// bidirectional), with hand-built journals of the exact size wanted.
// Covered elsewhere, with a real restate-server:
//   - the server's inactivity timeout in bidirectional mode: test/e2e/bidi.e2e.test.ts,
//     "suspends when the server closes its side during a long wait, and resumes" (Patient, inactivityTimeout 500 ms);
//   - Lambda's 6 MB synchronous payload limit: test/e2e/runtimes/lambda.e2e.test.ts,
//     "an output over the 6 MB limit becomes an attempt failure that names the limit, and is retried".
import { describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { MessageType } from "../../src/protocol/message-types.js";
import { frame, input, invoke, json, start, text } from "../unit/machine/support.js";

const STATE_KEYS = 10_000;
const RUNS = 2_000;
let executedRuns = 0;

const big = restate.object({
  name: "Big",
  handlers: {
    summarize: async (ctx: restate.ObjectContext) => {
      const keys = await ctx.stateKeys();
      const last = await ctx.get<number>(`k${STATE_KEYS - 1}`);
      ctx.set("k0", -1);
      return { keys: keys.length, last, first: await ctx.get<number>("k0") };
    },
    manyRuns: async (ctx: restate.ObjectContext, n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await ctx.run(`r${i}`, () => (executedRuns++, i));
      return sum;
    },
  },
});

const quiet = () => {};
const modes = {
  "request-response": restate.endpoint().bind(big).setLogger(quiet).handler().fetch,
  bidirectional: restate.endpoint().bind(big).setLogger(quiet).bidirectional().handler().fetch,
};
const utf8 = new TextEncoder();

function outputOf(messages: { type: number; message: unknown }[]): unknown {
  const out = messages.find((m) => m.type === MessageType.OutputCommand)?.message as { value?: { content?: Uint8Array } } | undefined;
  return out?.value?.content ? JSON.parse(text(out.value.content)) : undefined;
}

for (const [mode, fetch] of Object.entries(modes)) {
  describe(`limits (${mode})`, () => {
    it(`a StartMessage carrying ${STATE_KEYS} state entries (complete state) is served from memory`, async () => {
      const stateMap = Array.from({ length: STATE_KEYS }, (_, i) => ({ key: utf8.encode(`k${i}`), value: json(i) }));
      const started = performance.now();
      const res = await invoke(fetch, "/invoke/Big/summarize", [start(1, { key: "big", stateMap, partialState: false }), input(null)]);
      const elapsed = performance.now() - started;
      // Every read is answered eagerly from the StartMessage (journaled inline, no lazy request, no suspension).
      expect(res.messages.map((m) => m.type)).toEqual([
        MessageType.GetEagerStateKeysCommand,
        MessageType.GetEagerStateCommand,
        MessageType.SetStateCommand,
        MessageType.GetEagerStateCommand,
        MessageType.OutputCommand,
        MessageType.End,
      ]);
      expect(outputOf(res.messages)).toEqual({ keys: STATE_KEYS, last: STATE_KEYS - 1, first: -1 });
      expect(elapsed).toBeLessThan(5_000);
    });

    it(`replays ${RUNS} journaled runs without executing any, and finishes`, async () => {
      executedRuns = 0;
      const journal: Uint8Array[] = [];
      for (let i = 0; i < RUNS; i++) {
        journal.push(frame(MessageType.RunCommand, { resultCompletionId: i + 1, name: `r${i}` }));
        journal.push(frame(MessageType.RunCompletion, { completionId: i + 1, value: { content: json(i) } }));
      }
      const started = performance.now();
      const res = await invoke(fetch, "/invoke/Big/manyRuns", [start(1 + journal.length, { key: "big" }), input(RUNS), ...journal]);
      const elapsed = performance.now() - started;
      expect(res.messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
      expect(outputOf(res.messages)).toBe((RUNS * (RUNS - 1)) / 2);
      expect(executedRuns).toBe(0);
      expect(elapsed).toBeLessThan(10_000);
    });

    it(`a journal of ${RUNS} runs with a diverging last entry still names the exact index`, async () => {
      const journal: Uint8Array[] = [];
      for (let i = 0; i < RUNS; i++) {
        const name = i === RUNS - 1 ? "renamed" : `r${i}`;
        journal.push(frame(MessageType.RunCommand, { resultCompletionId: i + 1, name }));
        journal.push(frame(MessageType.RunCompletion, { completionId: i + 1, value: { content: json(i) } }));
      }
      const res = await invoke(fetch, "/invoke/Big/manyRuns", [start(1 + journal.length, { key: "big" }), input(RUNS), ...journal]);
      const err = res.messages.at(-1)!.message as { code: number; message: string };
      expect(err.code).toBe(570);
      expect(err.message).toContain(`command index ${RUNS}`);
      expect(err.message).toContain(`journal has "renamed", code now has "r${RUNS - 1}"`);
    });
  });
}

describe("a state map larger than maxMessageSize", () => {
  const limited = restate.createEndpointHandler({ services: [big], maxMessageSize: 64 * 1024, logger: quiet });

  it("is refused with 571 naming the StartMessage, its size and the limit", async () => {
    const stateMap = Array.from({ length: STATE_KEYS }, (_, i) => ({ key: utf8.encode(`k${i}`), value: json(i) }));
    const res = await invoke(limited, "/invoke/Big/summarize", [start(1, { key: "big", stateMap, partialState: false }), input(null)]);
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
    const err = res.messages[0]!.message as { code: number; message: string };
    expect(err.code).toBe(571);
    expect(err.message).toMatch(/Start frame declares a payload of \d+ bytes, above the limit of 65536 bytes \(maxMessageSize\)/);
  });
});
