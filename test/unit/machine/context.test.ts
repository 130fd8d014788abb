// The context layer driven through the fetch handler with hand-built journals: run retries, combinators in journal
// order, timeouts, cancellation, and guards.

import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { decideRunRetry } from "../../../src/machine/run-retry.js";
import { frame, input, invoke, json, start, text } from "./support.js";

let flakyCalls = 0;
const svc = restate.service({
  name: "S",
  handlers: {
    flaky: async (ctx: restate.Context) =>
      ctx.run(
        "flaky",
        () => {
          flakyCalls++;
          throw new Error("boom");
        },
        { maxRetryAttempts: 3, initialRetryInterval: 100 },
      ),
    flakyDefault: async (ctx: restate.Context) =>
      ctx.run("flaky", () => {
        throw new Error("boom");
      }),
    race: async (ctx: restate.Context) => {
      const a = ctx.sleep(10).map(() => "a");
      const b = ctx.sleep(10).map(() => "b");
      return restate.RestatePromise.race([a, b]);
    },
    all: async (ctx: restate.Context) => restate.RestatePromise.all([ctx.sleep(10), ctx.sleep(20)]),
    timeout: async (ctx: restate.Context) => {
      try {
        await ctx.awakeable<string>().promise.orTimeout(50);
        return "resolved";
      } catch (e) {
        return e instanceof restate.TimeoutError ? `timeout ${e.code}` : `other ${String(e)}`;
      }
    },
    cancellable: async (ctx: restate.Context) => {
      try {
        await ctx.sleep(100_000);
        return "slept";
      } catch (e) {
        if (!(e instanceof restate.CancelledError)) throw e;
        await ctx.run("compensate", () => "undone");
        return "compensated";
      }
    },
    randInRun: async (ctx: restate.Context) => ctx.run("r", () => ctx.rand.random()),
    combinatorOfRuns: async (ctx: restate.Context) => {
      const [x, y] = await restate.RestatePromise.all([ctx.run("x", () => 1), ctx.run("y", () => 2)]);
      return x + y;
    },
  },
});
const { fetch } = restate.endpoint().bind(svc).handler();

function messageOf<T>(m: { message: unknown }) {
  return m.message as T;
}

describe("ctx.run retries", () => {
  it("asks the server to retry with the policy's delay while attempts remain", async () => {
    flakyCalls = 0;
    const res = await invoke(fetch, "/invoke/S/flaky", [start(1, { retryCountSinceLastStoredEntry: 1 }), input()]);
    expect(flakyCalls).toBe(1);
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.RunCommand, MessageType.Error]);
    const err = messageOf<{ code: number; message: string; nextRetryDelay: bigint; relatedCommandIndex: number; relatedCommandName: string }>(res.messages[1]!);
    expect(err).toMatchObject({ code: 500, nextRetryDelay: 200n, relatedCommandIndex: 1, relatedCommandName: "flaky" });
    expect(err.message).toContain("boom");
  });

  it("journals a terminal failure when the attempts are exhausted", async () => {
    // Third execution of the closure (retry count 2 since the RunCommand was stored).
    const res = await invoke(fetch, "/invoke/S/flaky", [
      start(2, { retryCountSinceLastStoredEntry: 2 }),
      input(),
      frame(MessageType.RunCommand, { resultCompletionId: 1, name: "flaky" }),
    ]);
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.ProposeRunCompletion, MessageType.Suspension]);
    expect(messageOf<{ failure: { code: number; message: string } }>(res.messages[0]!).failure.message).toMatch(/after 3 attempt\(s\): boom/);
  });

  it("leaves the delay to the server without a policy", async () => {
    const res = await invoke(fetch, "/invoke/S/flakyDefault", [start(1), input()]);
    expect(messageOf<{ nextRetryDelay?: bigint }>(res.messages[1]!).nextRetryDelay).toBeUndefined();
  });

  it("computes exponential delays capped by the maximum interval", () => {
    const policy = { initialIntervalMs: 100, factor: 3, maxIntervalMs: 500 };
    expect([1, 2, 3].map((n) => decideRunRetry(policy, n, 0))).toEqual([
      { retry: true, delayMs: 100 },
      { retry: true, delayMs: 300 },
      { retry: true, delayMs: 500 },
    ]);
    expect(decideRunRetry({ maxDurationMs: 1000 }, 2, 1500)).toEqual({ retry: false });
  });

  it("refuses ctx.rand inside a run closure", async () => {
    const res = await invoke(fetch, "/invoke/S/randInRun", [start(1), input()]);
    const err = messageOf<{ message: string }>(res.messages[res.messages.length - 1]!);
    expect(err.message).toContain("ctx.rand() was called inside the ctx.run('r') closure");
  });
});

describe("combinators resolve in journal order", () => {
  for (const [order, winner] of [[[1, 2], "a"], [[2, 1], "b"]] as const) {
    it(`race picks the first notification in the journal (${order.join(",")} → ${winner})`, async () => {
      const res = await invoke(fetch, "/invoke/S/race", [
        start(5),
        input(),
        frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n }),
        frame(MessageType.SleepCommand, { resultCompletionId: 2, wakeUpTime: 1n }),
        frame(MessageType.SleepCompletion, { completionId: order[0], void: {} }),
        frame(MessageType.SleepCompletion, { completionId: order[1], void: {} }),
      ]);
      expect(text(messageOf<{ value: { content: Uint8Array } }>(res.messages[0]!).value.content)).toBe(`"${winner}"`);
    });
  }

  it("suspends on every pending leaf of an all()", async () => {
    const res = await invoke(fetch, "/invoke/S/all", [start(1), input()], 7);
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.SleepCommand, MessageType.SleepCommand, MessageType.Suspension]);
    expect(messageOf<{ awaitingOn: unknown }>(res.messages[2]!).awaitingOn).toMatchObject({
      waitingSignals: [1],
      nestedFutures: [{ waitingCompletions: [1, 2], combinatorType: 4 }],
    });
  });

  it("proposes both runs of an all() before suspending", async () => {
    const res = await invoke(fetch, "/invoke/S/combinatorOfRuns", [start(1), input()]);
    expect(res.messages.map((m) => m.type)).toEqual([
      MessageType.RunCommand,
      MessageType.RunCommand,
      MessageType.ProposeRunCompletion,
      MessageType.ProposeRunCompletion,
      MessageType.Suspension,
    ]);
  });
});

describe("timeouts and cancellation", () => {
  it("orTimeout races the promise against a timer and fails with TimeoutError (408)", async () => {
    const res = await invoke(fetch, "/invoke/S/timeout", [
      start(3),
      input(),
      frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n }),
      frame(MessageType.SleepCompletion, { completionId: 1, void: {} }),
    ]);
    expect(text(messageOf<{ value: { content: Uint8Array } }>(res.messages[0]!).value.content)).toBe('"timeout 408"');
  });

  it("delivers a cancellation to the pending await once, so compensations can run", async () => {
    const res = await invoke(fetch, "/invoke/S/cancellable", [
      start(3),
      input(),
      frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n }),
      frame(MessageType.SignalNotification, { signalId: 1, void: {} }),
    ]);
    // The compensation run is proposed; the suspension no longer waits for the (delivered) cancel signal.
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion, MessageType.Suspension]);
    expect(messageOf<{ waitingCompletions: number[]; waitingSignals: number[] }>(res.messages[2]!)).toMatchObject({
      waitingCompletions: [2],
      waitingSignals: [],
    });
  });
});

void json;

describe("options", () => {
  const pausing = restate.service({
    name: "P",
    options: { onJournalMismatchErrors: "pause" },
    handlers: { go: async (ctx: restate.Context) => ctx.run("now-b", () => 1) },
  });
  const recorded = [start(2), input(), frame(MessageType.RunCommand, { resultCompletionId: 1, name: "was-a" })];

  it("onJournalMismatchErrors pauses the invocation on V7, and falls back to retries on V6", async () => {
    const { fetch: f } = restate.endpoint().bind(pausing).handler();
    const v7 = await invoke(f, "/invoke/P/go", recorded, 7);
    expect(messageOf<{ code: number; behavior: number }>(v7.messages[0]!)).toMatchObject({ code: 570, behavior: 1 });
    const v6 = await invoke(f, "/invoke/P/go", recorded, 6);
    expect(messageOf<{ code: number; behavior?: number }>(v6.messages[0]!)).toMatchObject({ code: 570, behavior: 0 });
  });

  it("builds endpoints with every official option (explicitCancellation is honoured, not refused)", () => {
    const explicit = restate.service({ name: "E", options: { explicitCancellation: true }, handlers: { h: async () => 1 } });
    expect(() => restate.endpoint().bind(explicit).handler()).not.toThrow();
    // Hooks are supported now: the same configuration builds.
    const hooked = restate.service({ name: "H", options: { hooks: [() => ({})] }, handlers: { h: async () => 1 } });
    expect(() => restate.createEndpointHandler({ services: [hooked] })).not.toThrow();
  });
});

describe("deterministic random seed", () => {
  const rand = restate.service({ name: "R", handlers: { r: async (ctx: restate.Context) => ctx.rand.uuidv4() } });
  const { fetch: f } = restate.endpoint().bind(rand).handler();
  const out = async (version: number, extra: Record<string, unknown>) =>
    text(messageOf<{ value: { content: Uint8Array } }>((await invoke(f, "/invoke/R/r", [start(1, extra), input()], version)).messages[0]!).value.content);

  it("uses the server's seed from V6 on", async () => {
    expect(await out(6, { randomSeed: 1n })).not.toBe(await out(6, { randomSeed: 2n }));
  });

  it("derives the seed from the invocation id on V5 (no seed field there)", async () => {
    const a = await out(5, { randomSeed: 0n, id: new Uint8Array(24).fill(1) });
    expect(await out(5, { randomSeed: 0n, id: new Uint8Array(24).fill(1) })).toBe(a);
    expect(await out(5, { randomSeed: 0n, id: new Uint8Array(24).fill(2) })).not.toBe(a);
  });
});
