import { describe, expect, it } from "vitest";
import { MessageType } from "../../../src/protocol/message-types.js";
import { ProtocolError } from "../../../src/protocol/errors.js";
import { REQUESTED_ACK_FLAG } from "../../../src/protocol/frame.js";
import * as sys from "../../../src/machine/syscalls.js";
import { JournalMismatchError, AttemptClosedError, UnsupportedFeatureError } from "../../../src/machine/errors.js";
import { Combinator } from "../../../src/machine/await-tree.js";
import { CANCEL_KEY, completionKey } from "../../../src/machine/notifications.js";
import { frame, input, json, machineWith, start, text } from "./support.js";

describe("phases", () => {
  it("waits for Start and every announced entry before user code may run", () => {
    const { machine } = machineWith(6, start(2), input());
    expect(machine.state.name).toBe("waiting-replay-entries");
    expect(machine.isReady).toBe(false);
    machine.pushFrame({ type: MessageType.SleepCommand, flags: 0, payload: new Uint8Array([0x58, 0x01]) });
    expect(machine.state.name).toBe("replaying");
  });

  it("goes straight to processing when the journal holds only the input", async () => {
    const { machine } = machineWith(6, start(1), input("Bob"));
    expect(machine.state.name).toBe("processing");
    expect(text((await machine.readInput()).body)).toBe('"Bob"');
  });

  it("rejects a first frame that is not a StartMessage", () => {
    expect(() => machineWith(6, input())).toThrow(/expected StartMessage as the first frame, got InputCommand/);
  });

  it("rejects a journal that does not begin with the input", () => {
    expect(() => machineWith(6, start(1), frame(MessageType.SleepCommand, { resultCompletionId: 1 }))).toThrow(
      /must start with an InputCommand/,
    );
  });

  it("rejects known_entries = 0", () => {
    expect(() => machineWith(6, start(0))).toThrow(ProtocolError);
  });

  it("reports a body that ends before the announced entries", () => {
    const { machine } = machineWith(6, start(3), input());
    expect(() => machine.closeInput()).toThrow(/ended after 1 of the 3 journal entries/);
  });

  it("rejects a command after the replay", () => {
    const { machine } = machineWith(6, start(1), input());
    expect(() => machine.pushFrame({ type: MessageType.SleepCommand, flags: 0, payload: new Uint8Array(0) })).toThrow(
      /SleepCommand is not allowed after the journal replay/,
    );
  });
});

describe("commands and ids", () => {
  it("allocates completion ids in call order: call takes two, send one", () => {
    const { machine, messages } = machineWith(6, start(1), input());
    const call = sys.call(machine, { service: "S", handler: "h" }, json(1), "");
    const send = sys.send(machine, { service: "S", handler: "h" }, json(2), undefined, "");
    const sleepKey = sys.sleep(machine, 1000, "nap");
    expect([call.invocationIdKey, call.resultKey, send.invocationIdKey, sleepKey]).toEqual([1, 2, 3, 4]);
    const out = messages();
    expect(out.map((m) => m.type)).toEqual([MessageType.CallCommand, MessageType.OneWayCallCommand, MessageType.SleepCommand]);
    expect(out[0]!.message).toMatchObject({ serviceName: "S", handlerName: "h", invocationIdNotificationIdx: 1, resultCompletionId: 2 });
    expect(out[2]!.message).toMatchObject({ wakeUpTime: 1000n, resultCompletionId: 4, name: "nap" });
  });

  it("derives awakeable ids from the invocation id and the signal index (first is 17)", () => {
    const { machine, written } = machineWith(6, start(1, { id: hex("3bf40e3c70ae7e2c475319032c1696c38d8ad9c764087459") }), input());
    const a = sys.awakeable(machine);
    expect(a.id).toBe("sign_1O_QOPHCufixHUxkDLBaWw42K2cdkCHRZAAAAEQ");
    expect(a.key).toBe(-17);
    expect(sys.awakeable(machine).key).toBe(-18);
    expect(written).toHaveLength(0); // creating an awakeable writes no frame
  });

  it("asks for an ack on run proposals only from V7 on", () => {
    for (const [version, flags] of [[6, 0], [7, REQUESTED_ACK_FLAG]] as const) {
      const { machine, written } = machineWith(version, start(1), input());
      const run = sys.run(machine, "step");
      machine.proposeRunCompletion(run.completionId, { value: json(1) });
      const header = new DataView(written[1]!.buffer, written[1]!.byteOffset);
      expect(header.getUint16(0)).toBe(MessageType.ProposeRunCompletion);
      expect(header.getUint16(2)).toBe(flags);
    }
  });

  it("resolves a V7 run from its cached proposal when the ack arrives, in arrival order", () => {
    const { machine } = machineWith(7, start(1), input());
    const run = sys.run(machine, "step");
    machine.proposeRunCompletion(run.completionId, { value: json("v") });
    expect(machine.notifications.has(run.key)).toBe(false);
    machine.pushFrame(raw(frame(MessageType.ProposeRunCompletionAck, { completionId: run.completionId })));
    expect(machine.notifications.get(run.key)?.result).toEqual({ tag: "value", value: json("v") });
  });

  it("treats an ack for a run it did not propose as a protocol violation", () => {
    const { machine } = machineWith(7, start(1), input());
    expect(() => machine.pushFrame(raw(frame(MessageType.ProposeRunCompletionAck, { completionId: 9 })))).toThrow(
      /completion 9, which this attempt did not propose/,
    );
  });

  it("refuses scopes before V7 with a message that says how to enable V7", () => {
    const { machine } = machineWith(6, start(1), input());
    expect(() => sys.call(machine, { service: "S", handler: "h", scope: "t1" }, json(1), "")).toThrow(UnsupportedFeatureError);
  });
});

describe("replay", () => {
  it("replays recorded commands without writing them, then writes new ones", () => {
    const { machine, messages } = machineWith(
      6,
      start(3),
      input(),
      frame(MessageType.RunCommand, { resultCompletionId: 1, name: "a" }),
      frame(MessageType.RunCompletion, { completionId: 1, value: { content: json(5) } }),
    );
    expect(machine.state.name).toBe("replaying");
    const run = sys.run(machine, "a");
    expect(run.needsExecution).toBe(false);
    expect(machine.state.name).toBe("processing");
    sys.sleep(machine, 5, "");
    expect(messages().map((m) => m.type)).toEqual([MessageType.SleepCommand]);
  });

  it("re-executes a recorded run without a result, and counts it as the retried entry", () => {
    const { machine } = machineWith(6, start(2, { retryCountSinceLastStoredEntry: 2 }), input(), frame(MessageType.RunCommand, { resultCompletionId: 1, name: "a" }));
    const run = sys.run(machine, "a");
    expect(run).toMatchObject({ needsExecution: true, firstNewEntry: true });
  });

  it("reports a different run name as a journal mismatch naming the index and both names", () => {
    const { machine, messages } = machineWith(6, start(2), input(), frame(MessageType.RunCommand, { resultCompletionId: 1, name: "charge" }));
    let error: unknown;
    try {
      sys.run(machine, "refund");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JournalMismatchError);
    const out = messages();
    expect(out).toHaveLength(1);
    expect(out[0]!.type).toBe(MessageType.Error);
    const msg = out[0]!.message as { code: number; message: string; relatedCommandIndex: number; relatedCommandName: string };
    expect(msg.code).toBe(570);
    expect(msg.relatedCommandIndex).toBe(1);
    expect(msg.relatedCommandName).toBe("charge");
    expect(msg.message).toMatch(/command index 1/);
    expect(msg.message).toMatch(/RunCommand named 'charge'.*name: journal has "charge", code now has "refund"/);
    expect(machine.state.name).toBe("closed");
  });

  it("reports a different command type as a journal mismatch", () => {
    const { machine, messages } = machineWith(6, start(2), input(), frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 5n }));
    expect(() => sys.run(machine, "x")).toThrow(JournalMismatchError);
    expect((messages()[0]!.message as { message: string }).message).toMatch(/journal has SleepCommand, but the code issued RunCommand named 'x'/);
  });

  it("compares call targets and payloads", () => {
    const recorded = frame(MessageType.CallCommand, { serviceName: "A", handlerName: "h", parameter: json(1), invocationIdNotificationIdx: 1, resultCompletionId: 2 });
    const { machine, messages } = machineWith(6, start(2), input(), recorded);
    expect(() => sys.call(machine, { service: "A", handler: "h" }, json(2), "")).toThrow(JournalMismatchError);
    expect((messages()[0]!.message as { message: string }).message).toMatch(/different parameter: journal has "1", code now has "2"/);
  });

  it("does not compare a sleep's wake-up time", () => {
    const { machine } = machineWith(6, start(2), input(), frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 5n }));
    expect(() => sys.sleep(machine, 999999, "")).not.toThrow();
  });

  it("serves state from a recorded eager read, not from the current state", () => {
    const { machine } = machineWith(
      6,
      start(2, { partialState: false, stateMap: [{ key: json("k").subarray(1, 2), value: json(99) }] }),
      input(),
      frame(MessageType.GetEagerStateCommand, { key: new TextEncoder().encode("count"), value: { content: json(5) } }),
    );
    const read = sys.getState(machine, "count");
    expect(read).toEqual({ ready: true, value: json(5) });
  });
});

describe("state", () => {
  it("reads eagerly from a complete state map, absent keys as void", () => {
    const { machine, messages } = machineWith(6, start(1, { partialState: false, stateMap: [{ key: enc("a"), value: json(1) }] }), input());
    expect(sys.getState(machine, "a")).toEqual({ ready: true, value: json(1) });
    expect(sys.getState(machine, "b")).toEqual({ ready: true, value: null });
    expect(sys.getStateKeys(machine)).toEqual({ ready: true, value: ["a"] });
    expect(messages().map((m) => m.type)).toEqual([MessageType.GetEagerStateCommand, MessageType.GetEagerStateCommand, MessageType.GetEagerStateKeysCommand]);
  });

  it("reads lazily when the state map is partial, and locally after set/clear", () => {
    const { machine, messages } = machineWith(6, start(1, { partialState: true }), input());
    expect(sys.getState(machine, "a")).toEqual({ ready: false, key: completionKey(1) });
    sys.setState(machine, "b", json(2));
    expect(sys.getState(machine, "b")).toEqual({ ready: true, value: json(2) });
    sys.clearState(machine, "b");
    expect(sys.getState(machine, "b")).toEqual({ ready: true, value: null });
    expect(sys.getStateKeys(machine).ready).toBe(false);
    sys.clearAllState(machine);
    expect(sys.getStateKeys(machine)).toEqual({ ready: true, value: [] });
    expect(messages().map((m) => m.type)).toEqual([
      MessageType.GetLazyStateCommand,
      MessageType.SetStateCommand,
      MessageType.GetEagerStateCommand,
      MessageType.ClearStateCommand,
      MessageType.GetEagerStateCommand,
      MessageType.GetLazyStateKeysCommand,
      MessageType.ClearAllStateCommand,
      MessageType.GetEagerStateKeysCommand,
    ]);
  });
});

describe("terminal frames", () => {
  it("suspends with flat lists on V6, always adding the cancel signal", () => {
    const { machine, messages } = machineWith(6, start(1), input());
    machine.suspend([{ combinator: Combinator.ALL_SUCCEEDED_OR_FIRST_FAILED, leaves: [1, -17, "n:go"], children: [] }], true);
    expect(messages()[0]!.message).toEqual({ waitingCompletions: [1], waitingSignals: [17, 1], waitingNamedSignals: ["go"] });
  });

  it("suspends with the future tree on V7, nesting non-race combinators under the cancel race", () => {
    const { machine, messages } = machineWith(7, start(1), input());
    machine.suspend([{ combinator: Combinator.ALL_SUCCEEDED_OR_FIRST_FAILED, leaves: [1, 2], children: [] }], true);
    expect(messages()[0]!.message).toMatchObject({
      awaitingOn: {
        waitingCompletions: [],
        waitingSignals: [1],
        combinatorType: Combinator.FIRST_COMPLETED,
        nestedFutures: [{ waitingCompletions: [1, 2], combinatorType: Combinator.ALL_SUCCEEDED_OR_FIRST_FAILED }],
      },
    });
  });

  it("flattens a single await on V7 exactly like the captured SDK did", () => {
    const { machine, written } = machineWith(7, start(1), input());
    machine.suspend([{ combinator: Combinator.FIRST_COMPLETED, leaves: [1], children: [] }], true);
    expect(Buffer.from(written[0]!).toString("hex")).toBe("000100000000000a22080a0101120101" + "2801");
  });

  it("writes nothing after the terminal frame and refuses further commands", () => {
    const { machine, messages } = machineWith(6, start(1), input());
    sys.output(machine, { value: json("done") });
    machine.end();
    machine.failInternal("late", new Error("too late"));
    expect(() => sys.sleep(machine, 1, "")).toThrow(AttemptClosedError);
    expect(messages().map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
  });

  it("writes failure metadata only from V6 on", () => {
    for (const [version, expected] of [[5, undefined], [6, [{ key: "k", value: "v" }]]] as const) {
      const { machine, messages } = machineWith(version, start(1), input());
      sys.output(machine, { failure: { code: 422, message: "bad", metadata: [{ key: "k", value: "v" }] } });
      const failure = (messages()[0]!.message as { failure: { metadata?: unknown[] } }).failure;
      expect(failure.metadata?.length ? failure.metadata : undefined).toEqual(expected);
    }
  });

  it("records the cancel signal under its own key", () => {
    const { machine } = machineWith(6, start(2), input(), frame(MessageType.SignalNotification, { signalId: 1, void: {} }));
    expect(machine.hasPendingCancel()).toBe(true);
    expect(machine.notifications.get(CANCEL_KEY)?.result).toEqual({ tag: "void" });
  });
});

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}
function enc(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
function raw(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return { type: view.getUint16(0), flags: view.getUint16(2), payload: bytes.subarray(8) };
}
