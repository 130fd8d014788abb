// Named signals as streams, explicit cancellation (restate.internal.ContextInternal), constant RestatePromises and
// attempt limits, driven through the fetch handler with hand-built journals (protocol messages in, messages out).

import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, input, invoke, json, start, text } from "../machine/support.js";

const messageOf = <T>(m: { message: unknown }) => m.message as T;
const outputValue = (m: { message: unknown }) => JSON.parse(text(messageOf<{ value: { content: Uint8Array } }>(m).value.content));
const named = (name: string, value: unknown) => frame(MessageType.SignalNotification, { signalName: name, value: { content: json(value) } });
/** The request body: a StartMessage announcing the entries that follow, then the entries. */
const journal = (...entries: Uint8Array[]) => [start(entries.length), ...entries];
const cancelSignal = () => frame(MessageType.SignalNotification, { signalId: 1, void: {} });

const streams = restate.service({
  name: "Streams",
  handlers: {
    reader: async (ctx: restate.Context) => {
      const seen: number[] = [];
      for (;;) {
        const v = await ctx.signal<number>("stream");
        if (v < 0) return seen;
        seen.push(v);
      }
    },
    withTimeout: async (ctx: restate.Context) => {
      const first = await restate.RestatePromise.race([ctx.signal<string>("s"), ctx.sleep(10).map(() => "timeout")]);
      const second = await ctx.signal<string>("s");
      return [first, second];
    },
    twoAtOnce: async (ctx: restate.Context) => restate.RestatePromise.all([ctx.signal<string>("x"), ctx.signal<string>("x")]),
  },
});

describe("named signals are streams", () => {
  const { fetch } = restate.endpoint().bind(streams).handler();

  it("each ctx.signal(name) reads the next signal of that name, in delivery order, and a reader loop ends", async () => {
    const res = await invoke(fetch, "/invoke/Streams/reader", journal(input(), named("stream", 1), named("stream", 2), named("stream", -1)));
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(outputValue(res.messages[0]!)).toEqual([1, 2]);
  });

  it("a reader waiting for more suspends on the signal name", async () => {
    const res = await invoke(fetch, "/invoke/Streams/reader", journal(input(), named("stream", 7)));
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.Suspension]);
    expect(messageOf<{ waitingNamedSignals: string[] }>(res.messages[0]!).waitingNamedSignals).toEqual(["stream"]);
  });

  it("a signal that arrives after a race was decided is kept for the next read (as on every replay)", async () => {
    const res = await invoke(fetch, "/invoke/Streams/withTimeout", journal(input(),
      frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n }),
      frame(MessageType.SleepCompletion, { completionId: 1, void: {} }),
      named("s", "A"),
    ));
    expect(outputValue(res.messages[0]!)).toEqual(["timeout", "A"]);
  });

  it("a signal that arrived before the race's other branch wins the race and is read once", async () => {
    const res = await invoke(fetch, "/invoke/Streams/withTimeout", journal(input(),
      frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n }),
      named("s", "A"),
      frame(MessageType.SleepCompletion, { completionId: 1, void: {} }),
      named("s", "B"),
    ));
    expect(outputValue(res.messages[0]!)).toEqual(["A", "B"]);
  });

  it("two reads of one name in one combinator take two signals", async () => {
    const res = await invoke(fetch, "/invoke/Streams/twoAtOnce", journal(input(), named("x", "1"), named("x", "2")));
    expect(outputValue(res.messages[0]!)).toEqual(["1", "2"]);
  });
});

const cancellable = restate.service({
  name: "Explicit",
  options: { explicitCancellation: true },
  handlers: {
    sleepThrough: async (ctx: restate.Context) => {
      await ctx.sleep(100);
      return "slept";
    },
    raceCancel: async (ctx: restate.Context) => {
      const internal = ctx as restate.internal.ContextInternal;
      const first = internal.cancellation();
      if (first !== internal.cancellation()) throw new Error("cancellation() must hand out the same promise until it resolves");
      const winner = await restate.RestatePromise.race([ctx.sleep(100_000).map(() => "slept"), first.map(() => "cancelled")]);
      const next = internal.cancellation();
      return { winner, fresh: next !== first, processing: internal.isProcessing() };
    },
    cancelCalls: async (ctx: restate.Context) => {
      const internal = ctx as restate.internal.ContextInternal;
      const call = ctx.genericCall({ service: "Other", method: "slow", parameter: new Uint8Array(0) });
      await internal.cancellation();
      const cancelled = await internal.cancelPreviousCalls();
      try {
        await call;
        return { cancelled, call: "ok" };
      } catch (e) {
        return { cancelled, call: (e as restate.TerminalError).code };
      }
    },
  },
});

describe("explicitCancellation", () => {
  const { fetch } = restate.endpoint().bind(cancellable).handler();

  it("a cancel signal does not fail awaits", async () => {
    const res = await invoke(fetch, "/invoke/Explicit/sleepThrough", journal(input(),
      frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n }),
      cancelSignal(),
      frame(MessageType.SleepCompletion, { completionId: 1, void: {} }),
    ));
    expect(outputValue(res.messages[0]!)).toBe("slept");
  });

  it("a suspension does not wait for the cancel signal unless the code awaits ctx.cancellation()", async () => {
    const plain = await invoke(fetch, "/invoke/Explicit/sleepThrough", journal(input()));
    expect(plain.messages.map((m) => m.type)).toEqual([MessageType.SleepCommand, MessageType.Suspension]);
    expect(messageOf<{ waitingSignals: number[] }>(plain.messages[1]!).waitingSignals).toEqual([]);
    const racing = await invoke(fetch, "/invoke/Explicit/raceCancel", journal(input()));
    expect(messageOf<{ waitingCompletions: number[]; waitingSignals: number[] }>(racing.messages[1]!)).toMatchObject({
      waitingCompletions: [1],
      waitingSignals: [1],
    });
  });

  it("ctx.cancellation() resolves on the cancel signal; later calls return a fresh promise", async () => {
    const res = await invoke(fetch, "/invoke/Explicit/raceCancel", journal(input(),
      frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n }),
      cancelSignal(),
    ));
    expect(outputValue(res.messages.at(-2)!)).toEqual({ winner: "cancelled", fresh: true, processing: true });
  });

  it("cancelPreviousCalls cancels the calls made so far and returns their ids", async () => {
    const res = await invoke(fetch, "/invoke/Explicit/cancelCalls", journal(input(),
      frame(MessageType.CallCommand, { serviceName: "Other", handlerName: "slow", parameter: new Uint8Array(0), invocationIdNotificationIdx: 1, resultCompletionId: 2 }),
      frame(MessageType.CallInvocationIdCompletion, { completionId: 1, invocationId: "inv_child" }),
      cancelSignal(),
      frame(MessageType.CallCompletion, { completionId: 2, failure: { code: 409, message: "Cancelled" } }),
    ));
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.SendSignalCommand, MessageType.OutputCommand, MessageType.End]);
    expect(messageOf<{ targetInvocationId: string; idx: number }>(res.messages[0]!)).toMatchObject({ targetInvocationId: "inv_child", idx: 1 });
    expect(outputValue(res.messages[1]!)).toEqual({ cancelled: ["inv_child"], call: 409 });
  });

  it("internal.isSuspendedError recognises only the suspension error", () => {
    expect(restate.internal.isSuspendedError(new restate.RestateError("Suspended invocation", { errorCode: 599 }))).toBe(true);
    expect(restate.internal.isSuspendedError(new restate.TerminalError("x"))).toBe(false);
    expect(restate.internal.isSuspendedError(new Error("x"))).toBe(false);
  });
});

const constants = restate.service({
  name: "Consts",
  handlers: {
    go: async () => {
      const resolved = await restate.RestatePromise.resolve(5).orTimeout(10);
      let raced: string;
      try {
        await restate.RestatePromise.race([]).orTimeout(10);
        raced = "resolved";
      } catch (e) {
        raced = e instanceof restate.TimeoutError ? `timeout ${e.code}` : String(e);
      }
      const mapped = await restate.RestatePromise.resolve(2).map((v) => v! * 2);
      const mappedFailure = await restate.RestatePromise.reject(new restate.TerminalError("no")).map((_v, f) => `mapped ${f?.message}`);
      const all = await restate.RestatePromise.all([restate.RestatePromise.resolve(1), restate.RestatePromise.resolve(2)]);
      return { resolved, raced, mapped, mappedFailure, all };
    },
  },
});

describe("constant RestatePromises", () => {
  it("orTimeout and map work on constants as in the official SDK (settled: unchanged; pending: times out at once)", async () => {
    const { fetch } = restate.endpoint().bind(constants).handler();
    const res = await invoke(fetch, "/invoke/Consts/go", journal(input()));
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(outputValue(res.messages[0]!)).toEqual({ resolved: 5, raced: "timeout 408", mapped: 4, mappedFailure: "mapped no", all: [1, 2] });
  });
});

const greedy = restate.service({
  name: "Greedy",
  options: { attemptLimits: { maxCommands: 10 } },
  handlers: {
    manySets: async (ctx: restate.Context) => {
      for (let i = 0; i < 20; i++) (ctx as unknown as restate.ObjectContext).set(`k${i}`, i);
      return "done";
    },
    bigValue: restate.handlers.handler({ attemptLimits: { maxMessageBytes: 2048 } }, async (ctx: restate.Context) =>
      ctx.run("big", () => "x".repeat(4096)),
    ),
    unreadSignals: restate.handlers.handler({ attemptLimits: { maxBufferedNotifications: 3 } }, async (ctx: restate.Context) => {
      await ctx.sleep(1000);
      return "slept";
    }),
    fine: async () => "fine",
  },
});

describe("attempt limits", () => {
  const { fetch } = restate.endpoint().bind(greedy).handler();
  const errorOf = (m: { message: unknown }) => messageOf<{ code: number; message: string }>(m);

  it("too many commands end the attempt with an error naming the limit", async () => {
    const res = await invoke(fetch, "/invoke/Greedy/manySets", journal(input()));
    expect(res.messages.filter((m) => m.type === MessageType.SetStateCommand)).toHaveLength(10);
    const last = res.messages.at(-1)!;
    expect(last.type).toBe(MessageType.Error);
    expect(errorOf(last).message).toMatch(/Attempt limit exceeded: .*attemptLimits\.maxCommands/);
  });

  it("a message larger than maxMessageBytes ends the attempt", async () => {
    const res = await invoke(fetch, "/invoke/Greedy/bigValue", journal(input()));
    const last = res.messages.at(-1)!;
    expect(last.type).toBe(MessageType.Error);
    expect(errorOf(last).message).toMatch(/ctx\.run result message of 4\d{3} bytes is larger than 2048 bytes \(attemptLimits\.maxMessageBytes\)/);
  });

  it("unread signals beyond maxBufferedNotifications end the attempt", async () => {
    const res = await invoke(fetch, "/invoke/Greedy/unreadSignals", journal(input(), named("a", 1), named("a", 2), named("b", 3), named("b", 4)));
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
    expect(errorOf(res.messages[0]!).message).toMatch(/more than 3 signals .*attemptLimits\.maxBufferedNotifications/);
  });

  it("the endpoint keeps serving other invocations", async () => {
    const res = await invoke(fetch, "/invoke/Greedy/fine", journal(input()));
    expect(outputValue(res.messages[0]!)).toBe("fine");
  });

  it("limits are checked when the service is defined", () => {
    expect(() => restate.service({ name: "Bad", options: { attemptLimits: { maxCommands: 0 } }, handlers: { h: async () => 1 } })).toThrow(
      /attemptLimits\.maxCommands of service 'Bad' must be a positive integer/,
    );
    expect(() => restate.endpoint().attemptLimits({ maxCommandz: 1 } as never)).toThrow(/unknown limit 'maxCommandz'/);
  });
});

describe("asTerminalError never hangs an attempt", () => {
  class Domain extends Error {}
  const svc = restate.service({
    name: "Mapper",
    options: {
      asTerminalError: (e: unknown) => {
        if (e instanceof Domain) return new restate.TerminalError(`mapped ${e.message}`, { errorCode: 422 });
        throw new Error("mapper broke");
      },
    },
    handlers: {
      inRun: async (ctx: restate.Context) => ctx.run("r", () => {
        throw new Domain("in run");
      }),
      mapperThrows: async () => {
        throw new Error("plain");
      },
    },
  });
  const { fetch } = restate.endpoint().bind(svc).handler();

  it("an error thrown in ctx.run and mapped to a TerminalError is the run's journaled failure", async () => {
    const res = await invoke(fetch, "/invoke/Mapper/inRun", journal(input()));
    const proposal = res.messages.find((m) => m.type === MessageType.ProposeRunCompletion)!;
    expect(messageOf<{ failure: { code: number; message: string } }>(proposal).failure).toMatchObject({ code: 422, message: "mapped in run" });
  });

  it("a mapper that throws leaves the error retryable instead of hanging", async () => {
    const res = await invoke(fetch, "/invoke/Mapper/mapperThrows", journal(input()));
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
    expect(messageOf<{ message: string }>(res.messages[0]!).message).toBe("plain");
  });
});

describe("ctx.cancellation() without explicitCancellation", () => {
  it("is cancelled like any other await (as in the official SDK)", async () => {
    const svc = restate.service({
      name: "Implicit",
      handlers: {
        wait: async (ctx: restate.Context) => {
          try {
            await (ctx as restate.internal.ContextInternal).cancellation();
            return "resolved";
          } catch (e) {
            return e instanceof restate.CancelledError ? "cancelled" : String(e);
          }
        },
      },
    });
    const { fetch } = restate.endpoint().bind(svc).handler();
    const res = await invoke(fetch, "/invoke/Implicit/wait", journal(input(), cancelSignal()));
    expect(outputValue(res.messages[0]!)).toBe("cancelled");
  });
});
