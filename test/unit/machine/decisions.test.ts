// The determinism decisions the machine makes on its own, tested without a context: protocol frames in,
// decisions and frames out.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MessageType } from "../../../src/protocol/message-types.js";
import { ProtocolError } from "../../../src/protocol/errors.js";
import { Combinator, type AwaitTree } from "../../../src/machine/await-tree.js";
import { UnsupportedFeatureError } from "../../../src/machine/errors.js";
import { completionKey, type NotificationKey } from "../../../src/machine/notifications.js";
import * as sys from "../../../src/machine/syscalls.js";
import { INVOCATION_ID, decodeAll, frame, input, json, machineWith, start } from "./support.js";
import { InvocationMachine } from "../../../src/machine/invocation-machine.js";
import { FrameDecoder } from "../../../src/protocol/frame.js";
import { ErrorBehavior } from "../../../src/protocol/generated/protocol.js";

const awaiting = (...leaves: NotificationKey[]) => (): AwaitTree[] => [{ combinator: Combinator.FIRST_COMPLETED, leaves, children: [] }];
const raw = (bytes: Uint8Array) => ({
  type: new DataView(bytes.buffer, bytes.byteOffset).getUint16(0),
  flags: new DataView(bytes.buffer, bytes.byteOffset).getUint16(2),
  payload: bytes.subarray(8),
});

describe("decideAwait: what a blocked handler's attempt does", () => {
  it("waits while a ctx.run closure executes or the request body is open, writing nothing", () => {
    const { machine, messages } = machineWith(6, start(1), input());
    const sleep = sys.sleep(machine, 1000, "");
    expect(machine.decideAwait(false, awaiting(sleep), true)).toBe("wait");
    machine.closeInput();
    expect(machine.decideAwait(true, awaiting(sleep), true)).toBe("wait");
    expect(messages().map((m) => m.type)).toEqual([MessageType.SleepCommand]);
    expect(machine.isClosed).toBe(false);
  });

  it("suspends on what is awaited once nothing more can arrive, and records it in the closed state", () => {
    const { machine, messages } = machineWith(6, start(1), input());
    const sleep = sys.sleep(machine, 1000, "");
    machine.closeInput();
    expect(machine.decideAwait(false, awaiting(sleep), true)).toBe("suspend");
    expect(messages().at(-1)).toMatchObject({ type: MessageType.Suspension, message: { waitingCompletions: [1], waitingSignals: [1] } });
    expect(machine.state).toMatchObject({ name: "closed", reason: "suspended", suspendedOn: [completionKey(1)] });
    expect(machine.decideAwait(false, awaiting(sleep), true)).toBeUndefined();
  });

  it("is a journal mismatch when the code awaits something without a result while the journal holds further commands", () => {
    const { machine, messages } = machineWith(
      7,
      start(3),
      input(),
      frame(MessageType.SleepCommand, { resultCompletionId: 1, name: "a" }),
      frame(MessageType.RunCommand, { resultCompletionId: 2, name: "b" }),
    );
    const sleep = sys.sleep(machine, 1000, "a");
    machine.closeInput();
    expect(machine.decideAwait(false, awaiting(sleep), true)).toBe("mismatch");
    const error = messages()[0]!;
    expect(error.type).toBe(MessageType.Error);
    expect(error.message).toMatchObject({ code: 570, relatedCommandIndex: 2 });
    expect((error.message as { message: string }).message).toMatch(/command index 2: the code awaits completion 1, which has no result/);
  });

  it("applies the handler's mismatch behaviour (pause) on V7", () => {
    const written: Uint8Array[] = [];
    const machine = new InvocationMachine(7, (f) => written.push(f), { mismatchBehavior: "pause" });
    const journal = [start(3), input(), frame(MessageType.SleepCommand, { resultCompletionId: 1 }), frame(MessageType.RunCommand, { resultCompletionId: 2 })];
    for (const f of journal) for (const r of new FrameDecoder().push(f)) machine.pushFrame(r);
    sys.sleep(machine, 1, "");
    machine.closeInput();
    expect(machine.decideAwait(false, awaiting(1), true)).toBe("mismatch");
    expect(decodeAll(written)[0]!.message).toMatchObject({ code: 570, behavior: ErrorBehavior.PAUSE });
  });
});

describe("failRun: what a failed ctx.run becomes under its retry policy", () => {
  it("asks the server to retry after the policy's next delay, counting the retries recorded in the StartMessage", () => {
    const { machine, messages } = machineWith(
      6,
      start(2, { retryCountSinceLastStoredEntry: 2, durationSinceLastStoredEntry: 100n }),
      input(),
      frame(MessageType.RunCommand, { resultCompletionId: 1, name: "charge" }),
    );
    const run = sys.run(machine, "charge");
    expect(run.firstNewEntry).toBe(true);
    const decision = machine.failRun(run, { code: 500, message: "boom" }, { initialIntervalMs: 100, factor: 2, maxAttempts: 5 }, 10);
    // Third execution: 100 * 2^2.
    expect(decision).toEqual({ retry: true, delayMs: 400 });
    expect(messages()[0]).toMatchObject({
      type: MessageType.Error,
      message: { code: 500, message: "ctx.run 'charge' failed: boom", relatedCommandIndex: 1, relatedCommandName: "charge", nextRetryDelay: 400n },
    });
  });

  it("journals the failure as the run's terminal result once the policy is exhausted", () => {
    const { machine, messages } = machineWith(6, start(2, { retryCountSinceLastStoredEntry: 2 }), input(), frame(MessageType.RunCommand, { resultCompletionId: 1, name: "charge" }));
    const run = sys.run(machine, "charge");
    expect(machine.failRun(run, { code: 500, message: "boom" }, { maxAttempts: 3 }, 0)).toEqual({ retry: false });
    const out = messages();
    expect(out.map((m) => m.type)).toEqual([MessageType.ProposeRunCompletion]);
    expect(out[0]!.message).toMatchObject({ resultCompletionId: 1, failure: { code: 500, message: "ctx.run 'charge' failed after 3 attempt(s): boom" } });
    expect(machine.isClosed).toBe(false);
  });

  it("ignores the StartMessage's counters for a run that is not where the previous attempt stopped", () => {
    const { machine } = machineWith(6, start(1, { retryCountSinceLastStoredEntry: 9 }), input());
    sys.sleep(machine, 1, "");
    const run = sys.run(machine, "later");
    expect(run.firstNewEntry).toBe(false);
    expect(machine.failRun(run, { code: 500, message: "x" }, { maxAttempts: 2 }, 0)).toEqual({ retry: true, delayMs: 50 });
  });

  it("leaves the delay to the server without a policy, unless the error asks for one", () => {
    const { machine, messages } = machineWith(6, start(1), input());
    const run = sys.run(machine, "r");
    expect(machine.failRun(run, { code: 503, message: "busy", retryAfterMs: 1234 }, {}, 0)).toEqual({ retry: true, delayMs: 1234 });
    expect(messages().at(-1)!.message).toMatchObject({ code: 503, nextRetryDelay: 1234n });
  });
});

describe("readInput: the invocation's input as one value", () => {
  it("carries id, key, headers, body, the server's seed and the retry counters", async () => {
    const { machine } = machineWith(
      6,
      start(1, { key: "k1", retryCountSinceLastStoredEntry: 3, durationSinceLastStoredEntry: 1500n, randomSeed: 77n }),
      frame(MessageType.InputCommand, { headers: [{ key: "x-a", value: "b" }], value: { content: json("in") } }),
    );
    const input = await machine.readInput();
    expect(input).toMatchObject({ debugId: "inv_test", key: "k1", randomSeed: 77n, retry: { count: 3, durationMs: 1500 } });
    expect(input.id).toEqual(INVOCATION_ID);
    expect(input.headers).toEqual([{ key: "x-a", value: "b" }]);
    expect(new TextDecoder().decode(input.body)).toBe('"in"');
  });

  it("derives the V5 seed from the invocation id (SHA-256, first 8 bytes big-endian)", async () => {
    const { machine } = machineWith(5, start(1, { randomSeed: 77n }), input());
    const digest = createHash("sha256").update(INVOCATION_ID).digest();
    expect((await machine.readInput()).randomSeed).toBe(digest.readBigUInt64BE(0));
  });
});

describe("listeners and intent-named endings", () => {
  it("calls every notification listener (no single slot to overwrite)", () => {
    const { machine } = machineWith(7, start(1), input());
    const calls: string[] = [];
    machine.onNotification(() => calls.push("a"));
    machine.onNotification(() => calls.push("b"));
    const proposals: number[] = [];
    machine.onRunProposed((id) => proposals.push(id));
    const run = sys.run(machine, "r");
    machine.proposeRunCompletion(run.completionId, { value: json(1) });
    machine.pushFrame(raw(frame(MessageType.ProposeRunCompletionAck, { completionId: run.completionId })));
    expect(calls).toEqual(["a", "b"]);
    expect(proposals).toEqual([1]);
  });

  it("tells input listeners when the server closes the request body", () => {
    const { machine } = machineWith(6, start(1), input());
    let closed = 0;
    machine.onInputClosed(() => closed++);
    machine.closeInput();
    machine.closeInput();
    expect(closed).toBe(1);
  });

  it("maps a non-terminal handler error to its own status code, 573 for unsupported features, 500 otherwise", () => {
    const cases: [Error, number][] = [
      [Object.assign(new Error("teapot"), { code: 418 }), 418],
      [new UnsupportedFeatureError("needs V7"), 573],
      [Object.assign(new Error("odd"), { code: 200 }), 500],
    ];
    for (const [error, code] of cases) {
      const { machine, messages } = machineWith(6, start(1), input());
      machine.failRetryable(error);
      expect(messages()[0]!.message).toMatchObject({ code, message: error.message });
      expect(machine.state).toMatchObject({ name: "closed", failure: { code } });
    }
  });

  it("names protocol violations and unreadable bodies", () => {
    const a = machineWith(6, start(1), input());
    a.machine.failInput(new ProtocolError("bad frame"));
    expect(a.messages()[0]!.message).toMatchObject({ code: 571, message: "Protocol violation: bad frame" });
    const b = machineWith(6, start(1), input());
    b.machine.failInput(new Error("reset"));
    expect(b.messages()[0]!.message).toMatchObject({ code: 571, message: "Cannot read the request body: reset" });
  });
});
