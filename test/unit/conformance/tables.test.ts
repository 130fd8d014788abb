// Hand-written message-in / message-out tables for situations the captures do not cover but the protocol defines
// (STATE_MACHINE.md): journal mismatches (570), broken request bodies (571), notifications found in the replay,
// combinators resolved by journal order, V7 suspension trees, and cancellation.
// Request bodies are built with the protocol layer's encoder; expected frames are built the same way and compared
// byte for byte (with the same narrow normalisations as the captures, e.g. a new SleepCommand's wake-up time).

import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { REQUESTED_ACK_FLAG, encodeFrame, type RawFrame } from "../../../src/protocol/frame.js";
import { CombinatorType, type ErrorMessage, type SuspensionMessage } from "../../../src/protocol/generated/protocol.js";
import { MessageType, messageTypeName } from "../../../src/protocol/message-types.js";
import { decodeMessage, encodeMessage } from "../../../src/protocol/messages.js";
import { compareFrames } from "./support/compare.js";
import { canonicalFuture, type CanonicalFuture } from "./support/futures.js";
import {
  call,
  callDone,
  input,
  json,
  notification,
  run,
  runDone,
  signal,
  sleep,
  sleepDone,
  start,
} from "./support/journal.js";
import { invokeFrames } from "./support/replay.js";
import { counter, greeter } from "./support/services.js";
import { splitFrames } from "./support/wire.js";

const SHORT_MS = 10;
const LONG_MS = 20;

const table = restate.service({
  name: "Table",
  handlers: {
    runB: async (ctx: restate.Context) => {
      await ctx.run("b", () => 1);
      return "done";
    },
    callHello: async (ctx: restate.Context, name: string) => ctx.serviceClient(greeter).hello(name),
    raceSleeps: async (ctx: restate.Context) => {
      const short = ctx.sleep(SHORT_MS).map(() => "short");
      const long = ctx.sleep(LONG_MS).map(() => "long");
      return restate.RestatePromise.race([short, long]);
    },
    allSleeps: async (ctx: restate.Context) => {
      await restate.RestatePromise.all([ctx.sleep(SHORT_MS), ctx.sleep(LONG_MS)]);
      return "both";
    },
    sleepOnce: async (ctx: restate.Context) => {
      await ctx.sleep(SHORT_MS);
      return "slept";
    },
    // Two awakeables (signals 17 and 18) under one combinator; creating them writes no frame.
    combine: async (ctx: restate.Context, kind: "race" | "all" | "any" | "allSettled") => {
      const a = ctx.awakeable<string>().promise;
      const b = ctx.awakeable<string>().promise;
      switch (kind) {
        case "race":
          return restate.RestatePromise.race([a, b]);
        case "any":
          return restate.RestatePromise.any([a, b]);
        case "all":
          return restate.RestatePromise.all([a, b]);
        case "allSettled":
          return (await restate.RestatePromise.allSettled([a, b])).map((r) =>
            r.status === "fulfilled" ? r.value : `rejected: ${(r.reason as Error).message}`,
          );
      }
    },
    sleepThenRun: async (ctx: restate.Context) => {
      await ctx.sleep(SHORT_MS);
      await ctx.run("b", () => 1);
      return "done";
    },
  },
});

const { fetch } = restate.endpoint().bind(table).bind(greeter).bind(counter).handler();

function body(...frames: Uint8Array[]): Uint8Array[] {
  return frames;
}

async function send(handler: string, version: number, frames: Uint8Array[], service = "Table") {
  return invokeFrames(fetch, `/invoke/${service}/${handler}`, version, frames);
}

function onlyError(frames: RawFrame[]): ErrorMessage {
  expect(frames.map((f) => messageTypeName(f.type))).toEqual(["Error"]);
  const decoded = decodeMessage(frames[0]!);
  if (decoded.type !== MessageType.Error) throw new Error("unreachable");
  return decoded.message;
}

function suspensionOf(frames: RawFrame[]): SuspensionMessage {
  const last = frames.at(-1)!;
  expect(messageTypeName(last.type)).toBe("Suspension");
  const decoded = decodeMessage(last);
  if (decoded.type !== MessageType.Suspension) throw new Error("unreachable");
  return decoded.message;
}

const output = (value: unknown) => encodeMessage(MessageType.OutputCommand, { value: { content: json(value) } });
const outputFailure = (code: number, message: string) => encodeMessage(MessageType.OutputCommand, { failure: { code, message } });
const end = () => encodeMessage(MessageType.End, {});
const newSleep = (id: number) => encodeMessage(MessageType.SleepCommand, { wakeUpTime: 1n, resultCompletionId: id });

/** Compares response frames with expected whole frames (header + payload), with normalisation (a) for sleeps. */
function expectFrames(actual: RawFrame[], expected: Uint8Array[], window: { startedAt: number; finishedAt: number }, sleeps: number[] = []) {
  const cmp = compareFrames(splitFrames(new Uint8Array(expected.flatMap((f) => [...f]))), actual, { sleepDurationsMs: sleeps, window });
  expect(cmp.violations).toEqual([]);
  expect(cmp.actual).toEqual(cmp.expected);
}

describe.each([6, 7])("protocol V%i", (version) => {
  describe("journal mismatch → ErrorMessage 570 naming the command", () => {
    it("recorded RunCommand 'a', code runs 'b'", async () => {
      const { result, frames } = await send("runB", version, body(start(2), input(null), run(1, "a")));
      expect(result.status).toBe(200);
      const error = onlyError(frames);
      expect(error.code).toBe(570);
      expect(error.relatedCommandIndex).toBe(1); // InputCommand is 0
      expect(error.relatedCommandType).toBe(MessageType.RunCommand);
      // The command as the journal (and so the server's UI) knows it.
      expect(error.relatedCommandName).toBe("a");
      expect(error.message).toMatch(/index 1\b/);
      expect(error.message).toMatch(/["']a["']/);
      expect(error.message).toMatch(/["']b["']/);
    });

    it("recorded SleepCommand, code calls ctx.run", async () => {
      const { frames } = await send("runB", version, body(start(2), input(null), sleep(1)));
      const error = onlyError(frames);
      expect(error.code).toBe(570);
      expect(error.relatedCommandIndex).toBe(1);
      expect(error.relatedCommandType).toBe(MessageType.SleepCommand);
      expect(error.message).toMatch(/index 1\b/);
      expect(error.message).toMatch(/Sleep/);
      expect(error.message).toMatch(/Run/);
    });

    it("code awaits a sleep that has no result while the journal still holds later commands", async () => {
      // The previous attempt could only have written RunCommand 'b' after the sleep completed (§3.2).
      const { frames } = await send("sleepThenRun", version, body(start(3), input(null), sleep(1), run(2, "b")));
      const error = onlyError(frames);
      expect(error.code).toBe(570);
      expect(error.message).toMatch(/completion 1/);
    });
  });

  describe("broken request bodies → ErrorMessage 571 and nothing else", () => {
    const whole = [start(1), input(null)];
    const cases: [string, Uint8Array[]][] = [
      ["the body ends before known_entries frames", [start(3), input(null), run(1, "b")]],
      ["the first frame is not a StartMessage", [input(null), start(1)]],
      ["the body ends inside a frame", [start(1), input(null).subarray(0, input(null).length - 1)]],
      ["the body ends inside a frame header", [start(1), input(null).subarray(0, 5)]],
      ["an unknown control message type (0x0100) in the journal", [start(2), input(null), encodeFrame(0x0100, 0, new Uint8Array(0))]],
      ["an unknown message type as the first frame", [encodeFrame(0x03ff, 0, new Uint8Array(0)), ...whole]],
      ["an empty body", []],
      ["a StartMessage announcing 0 journal entries", [start(0)]],
      ["a journal that does not begin with an InputCommand", [start(2), run(1, "b"), input(null)]],
      ["a command after the announced journal entries", [...whole, run(1, "b")]],
      ["a payload that is not valid protobuf", [start(2), input(null), encodeFrame(MessageType.RunCommand, 0, Uint8Array.of(0x58))]],
      ["a frame header declaring a 4 GiB payload", [start(2), input(null), Uint8Array.of(0x04, 0x11, 0, 0, 0xff, 0xff, 0xff, 0xff)]],
    ];
    it.each(cases)("%s", async (_name, frames) => {
      const { result, frames: out } = await send("runB", version, frames);
      expect(result.status).toBe(200);
      expect(result.contentType).toBe(`application/vnd.restate.invocation.v${version}`);
      expect(onlyError(out).code).toBe(571);
    });
  });

  describe("notifications in the replay", () => {
    it("the result of an awaited call (without its invocation-id notification) → Output", async () => {
      const journal = body(start(3), input("Ann"), call("Greeter", "hello", "Ann", 1, 2), callDone(2, "Hello Ann"));
      const { result, frames } = await send("callHello", version, journal);
      expectFrames(frames, [output("Hello Ann"), end()], result);
    });

    it("a replayed run result is used without running the closure again", async () => {
      const { result, frames } = await send("runB", version, body(start(3), input(null), run(1, "b"), runDone(1, 1)));
      expectFrames(frames, [output("done"), end()], result);
    });

    it("a replayed run failure is rethrown as the terminal error it was", async () => {
      const failed = notification(MessageType.RunCompletion, { completionId: 1, failure: { code: 422, message: "bad" } });
      const { result, frames } = await send("runB", version, body(start(3), input(null), run(1, "b"), failed));
      expectFrames(frames, [outputFailure(422, "bad"), end()], result);
    });

    it("a recorded RunCommand without its result: the closure runs again and proposes (§6.2)", async () => {
      const { result, frames } = await send("runB", version, body(start(2), input(null), run(1, "b")));
      const propose = encodeMessage(MessageType.ProposeRunCompletion, { resultCompletionId: 1, value: json(1) }, version >= 7 ? REQUESTED_ACK_FLAG : 0);
      const suspension: SuspensionMessage =
        version >= 7
          ? { awaitingOn: { waitingCompletions: [1], waitingSignals: [1], combinatorType: CombinatorType.FIRST_COMPLETED } }
          : { waitingCompletions: [1], waitingSignals: [1] };
      expectFrames(frames, [propose, encodeMessage(MessageType.Suspension, suspension)], result);
    });

    it("a recorded GetEagerStateCommand's value is used, not the (empty) state map", async () => {
      const recorded = encodeMessage(MessageType.GetEagerStateCommand, { key: new TextEncoder().encode("count"), value: { content: json(5) } });
      const journal = body(start(2, { partialState: false, key: "k" }), input(3), recorded);
      const { result, frames } = await send("add", version, journal, "Counter");
      const set = encodeMessage(MessageType.SetStateCommand, { key: new TextEncoder().encode("count"), value: { content: json(8) } });
      expectFrames(frames, [set, output(8), end()], result);
    });
  });

  describe("combinators resolve by journal order, not by timing", () => {
    const both = (first: number, second: number) =>
      body(start(5), input(null), sleep(1), sleep(2), sleepDone(first), sleepDone(second));
    it.each([
      ["long sleep's notification first → the long sleep wins the race", both(2, 1), "long"],
      ["short sleep's notification first → the short sleep wins the race", both(1, 2), "short"],
      ["only the long sleep completed", body(start(4), input(null), sleep(1), sleep(2), sleepDone(2)), "long"],
    ])("race: %s", async (_name, journal, winner) => {
      const { result, frames } = await send("raceSleeps", version, journal);
      expectFrames(frames, [output(winner), end()], result);
    });

    it("all: both notifications in the replay → Output", async () => {
      const { result, frames } = await send("allSleeps", version, both(2, 1));
      expectFrames(frames, [output("both"), end()], result);
    });
  });

  describe("combinators over awakeables resolve by journal order", () => {
    const rejected = (id: number) =>
      notification(MessageType.SignalNotification, { signalId: id, failure: { code: 418, message: "no" } });
    const journal = (kind: string, notifications: Uint8Array[]) =>
      body(start(1 + notifications.length), input(kind), ...notifications);
    it.each([
      ["race: 18 then 17 → 18's value", "race", [signal(18, "B"), signal(17, "A")], output("B")],
      ["race: 17 rejected first → its failure", "race", [rejected(17), signal(18, "B")], outputFailure(418, "no")],
      ["any: 17 rejected, then 18 → 18's value", "any", [rejected(17), signal(18, "B")], output("B")],
      ["any: 18 then 17 → 18's value", "any", [signal(18, "B"), signal(17, "A")], output("B")],
      ["all: both, in reverse order → values in argument order", "all", [signal(18, "B"), signal(17, "A")], output(["A", "B"])],
      ["all: 18 rejected, 17 pending → the failure", "all", [rejected(18)], outputFailure(418, "no")],
      ["allSettled: both settled → per-argument outcomes", "allSettled", [signal(18, "B"), rejected(17)], output(["rejected: no", "B"])],
    ])("%s", async (_name, kind, notifications, expected) => {
      const { result, frames } = await send("combine", version, journal(kind, notifications));
      expectFrames(frames, [expected, end()], result);
    });
  });

  describe("suspension", () => {
    const inner = (type: CombinatorType): CanonicalFuture => ({
      combinator: CombinatorType.FIRST_COMPLETED,
      leaves: ["signal 1"],
      children: [{ combinator: type, leaves: ["signal 17", "signal 18"], children: [] }],
    });
    it.each<[string, CanonicalFuture]>([
      ["race", { combinator: CombinatorType.FIRST_COMPLETED, leaves: ["signal 1", "signal 17", "signal 18"], children: [] }],
      ["all", inner(CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED)],
      ["any", inner(CombinatorType.FIRST_SUCCEEDED_OR_ALL_FAILED)],
      ["allSettled", inner(CombinatorType.ALL_COMPLETED)],
    ])("%s over two awakeables: the tree names the combinator, with the cancel signal added", async (kind, tree) => {
      const { frames } = await send("combine", version, body(start(1), input(kind)));
      expect(frames.map((f) => messageTypeName(f.type))).toEqual(["Suspension"]);
      const s = suspensionOf(frames);
      if (version >= 7) {
        expect([s.waitingCompletions ?? [], s.waitingSignals ?? []]).toEqual([[], []]); // reserved in V7
        expect(canonicalFuture(s.awaitingOn!)).toEqual(tree);
      } else {
        expect(s.awaitingOn).toBeUndefined();
        expect([...(s.waitingSignals ?? [])].sort((x, y) => x - y)).toEqual([1, 17, 18]);
        expect(s.waitingCompletions ?? []).toEqual([]);
      }
    });

    it("all over two new sleeps: both commands, then suspend on both plus cancel", async () => {
      const { result, frames } = await send("allSleeps", version, body(start(1), input(null)));
      const suspension: SuspensionMessage =
        version >= 7
          ? {
              // The shape the TS SDK uses: FIRST_COMPLETED(cancel, ALL_SUCCEEDED_OR_FIRST_FAILED(1, 2)).
              awaitingOn: {
                waitingSignals: [1],
                nestedFutures: [{ waitingCompletions: [1, 2], combinatorType: CombinatorType.ALL_SUCCEEDED_OR_FIRST_FAILED }],
                combinatorType: CombinatorType.FIRST_COMPLETED,
              },
            }
          : { waitingCompletions: [1, 2], waitingSignals: [1] };
      expectFrames(
        frames,
        [newSleep(1), newSleep(2), encodeMessage(MessageType.Suspension, suspension)],
        result,
        [SHORT_MS, LONG_MS],
      );
    });

    it("all with one sleep completed in the replay: waits on the other plus cancel", async () => {
      const journal = body(start(4), input(null), sleep(1), sleep(2), sleepDone(1));
      const { frames } = await send("allSleeps", version, journal);
      expect(frames.map((f) => messageTypeName(f.type))).toEqual(["Suspension"]);
      const s = suspensionOf(frames);
      if (version >= 7) {
        expect(s.waitingCompletions ?? []).toEqual([]);
        expect(canonicalFuture(s.awaitingOn!)).toEqual({
          combinator: CombinatorType.FIRST_COMPLETED,
          leaves: ["completion 2", "signal 1"],
          children: [],
        });
      } else {
        expect(s.awaitingOn).toBeUndefined();
        expect([s.waitingCompletions, s.waitingSignals]).toEqual([[2], [1]]);
      }
    });

    it("race over two new sleeps: waits on either plus cancel", async () => {
      const { frames } = await send("raceSleeps", version, body(start(1), input(null)));
      expect(frames.map((f) => messageTypeName(f.type))).toEqual(["SleepCommand", "SleepCommand", "Suspension"]);
      const s = suspensionOf(frames);
      if (version >= 7) {
        expect(canonicalFuture(s.awaitingOn!)).toEqual({
          combinator: CombinatorType.FIRST_COMPLETED,
          leaves: ["completion 1", "completion 2", "signal 1"],
          children: [],
        });
      } else {
        expect([s.waitingCompletions, s.waitingSignals]).toEqual([[1, 2], [1]]);
      }
    });
  });

  describe("cancellation (signal 1) in the replay → Output failure 409 'Cancelled'", () => {
    it.each([
      ["awaiting a sleep", "sleepOnce", body(start(3), input(null), sleep(1), signal(1))],
      ["awaiting all of two sleeps, one of them done", "allSleeps", body(start(5), input(null), sleep(1), sleep(2), sleepDone(1), signal(1))],
    ])("%s", async (_name, handler, journal) => {
      const { result, frames } = await send(handler, version, journal);
      expectFrames(frames, [outputFailure(409, "Cancelled"), end()], result);
    });

    it("a sleep completed before the cancel signal still wins (journal order)", async () => {
      const journal = body(start(4), input(null), sleep(1), sleepDone(1), signal(1));
      const { result, frames } = await send("sleepOnce", version, journal);
      expectFrames(frames, [output("slept"), end()], result);
    });
  });
});
