// Eager runs in request-response mode: message-in / message-out through the fetch handler.
import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, input, invoke, json, start, text } from "./support.js";

const steps = (ctx: restate.Context) => async () => {
  const a = await ctx.run("a", () => 1);
  const b = await ctx.run("b", () => a + 1);
  const c = await ctx.run("c", () => b + 1);
  return a + b + c;
};

function handlers() {
  return {
    three: async (ctx: restate.Context) => steps(ctx)(),
    thenSleep: async (ctx: restate.Context) => {
      const a = await ctx.run("a", () => "A");
      const b = await ctx.run("b", () => "B");
      await ctx.sleep(500);
      return a + b;
    },
    raceSleep: async (ctx: restate.Context) => restate.RestatePromise.race([ctx.run("slow", () => "run"), ctx.sleep(10).map(() => "timer")]),
    allRuns: async (ctx: restate.Context) => restate.RestatePromise.all([ctx.run("x", () => 1), ctx.run("y", () => 2)]),
    compensating: async (ctx: restate.Context) => {
      await ctx.run("a", () => "A");
      await ctx.run("b", () => "B");
      try {
        await ctx.sleep(20_000);
        return "slept";
      } catch (e) {
        if (e instanceof restate.CancelledError) return "cancelled at the sleep";
        throw e;
      }
    },
  };
}

const eagerSvc = restate.service({ name: "Eager", options: { eagerRuns: true }, handlers: handlers() });
const stockSvc = restate.service({ name: "Stock", handlers: handlers() });
const perRun = restate.service({
  name: "PerRun",
  handlers: { two: async (ctx: restate.Context) => (await ctx.run("a", () => 1, { eager: true })) + (await ctx.run("b", () => 2)) },
});
const attempts: restate.AttemptInfo[] = [];
const { fetch } = restate.endpoint().bind(eagerSvc).bind(stockSvc).bind(perRun).onAttemptEnd((a) => attempts.push(a)).handler();

const types = (ms: { type: number }[]) => ms.map((m) => m.type);
const R = MessageType.RunCommand, P = MessageType.ProposeRunCompletion;

async function attemptHeader(path: string, body: Uint8Array[], version = 6) {
  const res = await fetch(
    new Request(`http://x${path}`, { method: "POST", headers: { "content-type": `application/vnd.restate.invocation.v${version}` }, body: concat(body) }),
  );
  return res.headers.get("x-perdure-attempt");
}
function concat(chunks: Uint8Array[]) {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) (out.set(c, o), (o += c.length));
  return out;
}

describe.each([6, 7])("eager runs (V%i)", (version) => {
  it("runs three sequential steps and completes in one attempt", async () => {
    const res = await invoke(fetch, "/invoke/Eager/three", [start(1), input()], version);
    expect(types(res.messages)).toEqual([R, P, R, P, R, P, MessageType.OutputCommand, MessageType.End]);
    expect(text((res.messages[6]!.message as { value: { content: Uint8Array } }).value.content)).toBe("6");
    // Streamed (eager handlers stream their response), so the telemetry comes through the observer.
    expect(attempts.at(-1)).toMatchObject({ service: "Eager", handler: "three", reason: "completed", eagerRuns: 3 });
  });

  it("without the option, suspends after the first run exactly as before", async () => {
    const res = await invoke(fetch, "/invoke/Stock/three", [start(1), input()], version);
    expect(types(res.messages)).toEqual([R, P, MessageType.Suspension]);
    expect(await attemptHeader("/invoke/Stock/three", [start(1), input()], version)).toMatch(/^suspended; eager-runs=0; waiting-on=completion 1/);
  });

  it("continues past runs and suspends at the sleep", async () => {
    const res = await invoke(fetch, "/invoke/Eager/thenSleep", [start(1), input()], version);
    expect(types(res.messages)).toEqual([R, P, R, P, MessageType.SleepCommand, MessageType.Suspension]);
    expect(attempts.at(-1)).toMatchObject({ reason: "suspended", eagerRuns: 2, suspendedOn: "completion 3" });
  });

  it("does not go eager for a run racing a timer", async () => {
    const res = await invoke(fetch, "/invoke/Eager/raceSleep", [start(1), input()], version);
    expect(types(res.messages)).toEqual([R, MessageType.SleepCommand, P, MessageType.Suspension]);
  });

  it("resolves RestatePromise.all of runs proposed in the attempt", async () => {
    const res = await invoke(fetch, "/invoke/Eager/allRuns", [start(1), input()], version);
    expect(types(res.messages)).toEqual([R, R, P, P, MessageType.OutputCommand, MessageType.End]);
  });

  it("honours the per-run option on a handler without eagerRuns", async () => {
    const res = await invoke(fetch, "/invoke/PerRun/two", [start(1), input()], version);
    expect(types(res.messages)).toEqual([R, P, R, P, MessageType.Suspension]);
  });

  // The server can store a cancel between a run's command and its result while an eager response streams.
  const journalWithCancel = () => [
    start(7),
    input(),
    frame(MessageType.RunCommand, { resultCompletionId: 1, name: "a" }),
    frame(MessageType.SignalNotification, { signalId: 1, void: {} }),
    frame(MessageType.RunCompletion, { completionId: 1, value: { content: json("A") } }),
    frame(MessageType.RunCommand, { resultCompletionId: 2, name: "b" }),
    frame(MessageType.RunCompletion, { completionId: 2, value: { content: json("B") } }),
    frame(MessageType.SleepCommand, { resultCompletionId: 3, wakeUpTime: 1n }),
  ];

  it("replays a cancel stored between an eager run and its result without a mismatch: delivered at the next real wait", async () => {
    const res = await invoke(fetch, "/invoke/Eager/compensating", journalWithCancel(), version);
    expect(types(res.messages)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(text((res.messages[0]!.message as { value: { content: Uint8Array } }).value.content)).toBe('"cancelled at the sleep"');
  });
});

describe("manifest", () => {
  it("keeps eagerRuns out of the discovery manifest (the server rejects unknown fields)", async () => {
    const res = await fetch(new Request("http://x/discover", { headers: { accept: "application/vnd.restate.endpointmanifest.v4+json" } }));
    const manifest = await res.text();
    expect(manifest).toContain('"name":"Eager"');
    expect(manifest).not.toContain("eagerRuns");
  });
});
