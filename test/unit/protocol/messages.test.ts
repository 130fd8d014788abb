import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ProtocolError } from "../../../src/protocol/errors.js";
import { FRAME_HEADER_SIZE, REQUESTED_ACK_FLAG, encodeFrame, type RawFrame } from "../../../src/protocol/frame.js";
import {
  BuiltInSignal,
  CombinatorType,
  ErrorBehavior,
  type Future,
  type NotificationTemplate,
  type RunCommandMessage,
} from "../../../src/protocol/generated/protocol.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { decodeMessage, encodeMessage, type Message } from "../../../src/protocol/messages.js";
import { bytesToHex, hexToBytes } from "./support/vectors.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Top-level [fieldNumber, wireType] pairs of a payload, in wire order (test-only scanner). */
function wireTags(payload: Uint8Array): Array<[number, number]> {
  const tags: Array<[number, number]> = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = payload[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return result;
    }
  };
  while (pos < payload.length) {
    const tag = varint();
    const wt = tag & 7;
    tags.push([Math.floor(tag / 8), wt]);
    if (wt === 0) varint();
    else if (wt === 2) {
      const length = varint();
      pos += length;
    }
    else throw new Error(`unexpected wire type ${wt}`);
  }
  return tags;
}

function payloadOf(frame: Uint8Array): Uint8Array {
  return frame.subarray(FRAME_HEADER_SIZE);
}

function raw(type: number, payloadHex: string, flags = 0): RawFrame {
  return { type, flags, payload: hexToBytes(payloadHex) };
}

describe("annotated examples of MESSAGES.md", () => {
  it("OutputCommand success", () => {
    const frame = encodeMessage(MessageType.OutputCommand, { value: { content: utf8('"Hello Alice"') } });
    expect(bytesToHex(frame)).toBe("0401000000000011" + "720f0a0d2248656c6c6f20416c69636522");
    expect(bytesToHex(encodeMessage(MessageType.End, {}))).toBe("0003000000000000");
  });

  it("V7 run + suspension", () => {
    expect(bytesToHex(encodeMessage(MessageType.RunCommand, { resultCompletionId: 1, name: "step" }))).toBe(
      "0411000000000008" + "580162047374657" + "0",
    );
    expect(
      bytesToHex(encodeMessage(MessageType.ProposeRunCompletion, { resultCompletionId: 1, value: utf8("1") }, REQUESTED_ACK_FLAG)),
    ).toBe("0005800000000005" + "0801720131");
    const awaitingOn: Future = {
      waitingCompletions: [1],
      waitingSignals: [1],
      combinatorType: CombinatorType.FIRST_COMPLETED,
    };
    expect(bytesToHex(encodeMessage(MessageType.Suspension, { awaitingOn }))).toBe(
      "000100000000000a" + "22080a0101120101" + "2801",
    );
  });

  it("V6 suspension uses the flat packed lists", () => {
    const frame = encodeMessage(MessageType.Suspension, { waitingCompletions: [1], waitingSignals: [1] });
    expect(bytesToHex(payloadOf(frame))).toBe("0a0101120101");
  });

  it("terminal failure", () => {
    expect(bytesToHex(encodeMessage(MessageType.OutputCommand, { failure: { code: 409, message: "nope" } }))).toBe(
      "040100000000000b" + "7a09089903120" + "46e6f7065",
    );
  });

  it("notifications", () => {
    const sleep = decodeMessage(raw(0x800c, "08022200"));
    expect(sleep).toEqual({
      type: MessageType.SleepCompletion,
      flags: 0,
      message: expect.objectContaining({ completionId: 2, void: {} }),
    });
    const signal = decodeMessage(raw(0xfbff, "10112a0a0a087b2278223a34327d"));
    expect(signal.message).toMatchObject({ signalId: 17, value: { content: utf8('{"x":42}') } });
    const cancel = decodeMessage(raw(0xfbff, "10012200"));
    expect(cancel.message).toMatchObject({ signalId: BuiltInSignal.CANCEL, void: {} });
    expect(bytesToHex(encodeMessage(MessageType.ProposeRunCompletionAck, { completionId: 1 }))).toBe("00070000000000020801");
  });
});

describe("field numbers of MESSAGES.md §3", () => {
  const value = { content: utf8("v") };
  const failure = { code: 500, message: "m", metadata: [{ key: "k", value: "v" }] };
  // [type, message with every non-oneof field set (and one arm per oneof), expected top-level tags]
  const cases: Array<[number, object, Array<[number, number]>]> = [
    [MessageType.Start, {
      id: utf8("id"), debugId: "inv", knownEntries: 1, stateMap: [{ key: utf8("k"), value: utf8("v") }],
      partialState: true, key: "k", retryCountSinceLastStoredEntry: 2, durationSinceLastStoredEntry: 3n,
      randomSeed: 4n, scope: "s", limitKey: "l", idempotencyKey: "i",
    }, [[1, 2], [2, 2], [3, 0], [4, 2], [5, 0], [6, 2], [7, 0], [8, 0], [9, 0], [10, 2], [11, 2], [12, 2]]],
    [MessageType.Suspension, { waitingCompletions: [1], waitingSignals: [2], waitingNamedSignals: ["n"], awaitingOn: {} },
      [[1, 2], [2, 2], [3, 2], [4, 2]]],
    [MessageType.Error, {
      code: 571, message: "m", stacktrace: "s", relatedCommandIndex: 0, relatedCommandName: "n",
      relatedCommandType: 0x0411, nextRetryDelay: 3000n, behavior: ErrorBehavior.PAUSE,
    }, [[1, 0], [2, 2], [3, 2], [4, 0], [5, 2], [6, 0], [8, 0], [9, 0]]],
    [MessageType.End, {}, []],
    [MessageType.CommandAck, { commandIndex: 3 }, [[1, 0]]],
    [MessageType.ProposeRunCompletion, { resultCompletionId: 1, failure }, [[1, 0], [15, 2]]],
    [MessageType.AwaitingOn, { awaitingOn: {}, executingSideEffects: true }, [[1, 2], [2, 0]]],
    [MessageType.ProposeRunCompletionAck, { completionId: 1 }, [[1, 0]]],
    [MessageType.InputCommand, { headers: [{ key: "a", value: "b" }], name: "n", value }, [[1, 2], [12, 2], [14, 2]]],
    [MessageType.OutputCommand, { name: "n", failure }, [[12, 2], [15, 2]]],
    [MessageType.GetLazyStateCommand, { key: utf8("k"), resultCompletionId: 1, name: "n" }, [[1, 2], [11, 0], [12, 2]]],
    [MessageType.SetStateCommand, { key: utf8("k"), value, name: "n" }, [[1, 2], [3, 2], [12, 2]]],
    [MessageType.ClearStateCommand, { key: utf8("k"), name: "n" }, [[1, 2], [12, 2]]],
    [MessageType.ClearAllStateCommand, { name: "n" }, [[12, 2]]],
    [MessageType.GetLazyStateKeysCommand, { resultCompletionId: 1, name: "n" }, [[11, 0], [12, 2]]],
    [MessageType.GetEagerStateCommand, { key: utf8("k"), name: "n", void: {} }, [[1, 2], [12, 2], [13, 2]]],
    [MessageType.GetEagerStateKeysCommand, { name: "n", value: { keys: [utf8("a")] } }, [[12, 2], [14, 2]]],
    [MessageType.GetPromiseCommand, { key: "p", resultCompletionId: 1, name: "n" }, [[1, 2], [11, 0], [12, 2]]],
    [MessageType.PeekPromiseCommand, { key: "p", resultCompletionId: 1, name: "n" }, [[1, 2], [11, 0], [12, 2]]],
    [MessageType.CompletePromiseCommand, { key: "p", completionFailure: failure, resultCompletionId: 1, name: "n" },
      [[1, 2], [3, 2], [11, 0], [12, 2]]],
    [MessageType.SleepCommand, { wakeUpTime: 1795319103217n, resultCompletionId: 2, name: "n" }, [[1, 0], [11, 0], [12, 2]]],
    [MessageType.CallCommand, {
      serviceName: "S", handlerName: "h", parameter: utf8("p"), headers: [{ key: "a", value: "b" }], key: "k",
      idempotencyKey: "i", scope: "s", limitKey: "l", invocationIdNotificationIdx: 1, resultCompletionId: 2, name: "n",
    }, [[1, 2], [2, 2], [3, 2], [4, 2], [5, 2], [6, 2], [7, 2], [8, 2], [10, 0], [11, 0], [12, 2]]],
    [MessageType.OneWayCallCommand, {
      serviceName: "S", handlerName: "h", parameter: utf8("p"), invokeTime: 5n, headers: [{ key: "a", value: "b" }],
      key: "k", idempotencyKey: "i", scope: "s", limitKey: "l", invocationIdNotificationIdx: 3, name: "n",
    }, [[1, 2], [2, 2], [3, 2], [4, 0], [5, 2], [6, 2], [7, 2], [8, 2], [9, 2], [10, 0], [12, 2]]],
    [MessageType.SendSignalCommand, { targetInvocationId: "inv_1", idx: 1, void: {}, entryName: "n" },
      [[1, 2], [2, 0], [4, 2], [12, 2]]],
    [MessageType.SendSignalCommand, { targetInvocationId: "inv_1", name: "sig", failure, entryName: "n" },
      [[1, 2], [3, 2], [6, 2], [12, 2]]],
    [MessageType.RunCommand, { resultCompletionId: 1, name: "n" }, [[11, 0], [12, 2]]],
    [MessageType.AttachInvocationCommand, { invocationId: "inv_1", resultCompletionId: 1, name: "n" }, [[1, 2], [11, 0], [12, 2]]],
    [MessageType.AttachInvocationCommand, {
      idempotentRequestTarget: { serviceName: "S", serviceKey: "k", handlerName: "h", idempotencyKey: "i", scope: "s" },
      resultCompletionId: 1,
    }, [[3, 2], [11, 0]]],
    [MessageType.GetInvocationOutputCommand, { workflowTarget: { workflowName: "W", workflowKey: "k", scope: "s" } },
      [[4, 2]]],
    [MessageType.CompleteAwakeableCommand, { awakeableId: "sign_1", value, name: "n" }, [[1, 2], [2, 2], [12, 2]]],
    [MessageType.CompleteAwakeableCommand, { awakeableId: "sign_1", failure }, [[1, 2], [3, 2]]],
    [MessageType.CallInvocationIdCompletion, { completionId: 1, invocationId: "inv_1" }, [[1, 0], [16, 2]]],
    [MessageType.GetLazyStateKeysCompletion, { completionId: 2, stateKeys: { keys: [utf8("a")] } }, [[1, 0], [17, 2]]],
    [MessageType.SignalNotification, { signalName: "sig", failure }, [[3, 2], [6, 2]]],
    [MessageType.GetLazyStateCompletion, { completionId: 1, value }, [[1, 0], [5, 2]]],
  ];

  it.each(cases.map(([type, msg, tags], i) => [`#${i} 0x${type.toString(16)}`, type, msg, tags] as const))(
    "%s",
    (_label, type, msg, tags) => {
      const frame = encodeMessage(type, msg);
      expect(wireTags(payloadOf(frame))).toEqual(tags);
      // and it decodes back to the same fields
      const decoded = decodeMessage({ type, flags: 0, payload: payloadOf(frame) });
      expect(decoded.message).toMatchObject(msg);
      expect(bytesToHex(encodeMessage(decoded.type, decoded.message))).toBe(bytesToHex(frame));
    },
  );

  it("writes present-but-empty sub-messages (Void, empty Value) as tag + length 0", () => {
    expect(bytesToHex(payloadOf(encodeMessage(MessageType.InputCommand, { value: {} })))).toBe("7200");
    expect(bytesToHex(payloadOf(encodeMessage(MessageType.GetEagerStateCommand, { key: utf8("k"), void: {} })))).toBe(
      "0a016b6a00",
    );
    const decoded = decodeMessage(raw(MessageType.InputCommand, "7200"));
    expect(decoded.message).toMatchObject({ value: { content: new Uint8Array(0) } });
  });

  it("keeps explicit-presence fields set to their default", () => {
    const frame = encodeMessage(MessageType.Error, { code: 570, relatedCommandIndex: 0, nextRetryDelay: 0n });
    expect(wireTags(payloadOf(frame))).toEqual([[1, 0], [4, 0], [8, 0]]);
    const decoded = decodeMessage({ type: MessageType.Error, flags: 0, payload: payloadOf(frame) });
    expect(decoded.message).toMatchObject({ relatedCommandIndex: 0, nextRetryDelay: 0n });
  });

  it("accepts unpacked repeated uint32 as well as packed", () => {
    const decoded = decodeMessage(raw(MessageType.Suspension, "08010811" + "1001"));
    expect(decoded.message).toMatchObject({ waitingCompletions: [1, 17], waitingSignals: [1] });
  });

  it("round-trips u64 values above 2^53 as bigint", () => {
    const frame = encodeMessage(MessageType.Start, { randomSeed: 0xffff_ffff_ffff_ffffn, durationSinceLastStoredEntry: 2n ** 60n });
    const decoded = decodeMessage({ type: MessageType.Start, flags: 0, payload: payloadOf(frame) });
    if (decoded.type !== MessageType.Start) throw new Error("unreachable");
    expect(decoded.message.randomSeed).toBe(18446744073709551615n);
    expect(decoded.message.durationSinceLastStoredEntry).toBe(2n ** 60n);
  });

  it("leaves absent V7 fields undefined and absent proto3 scalars at their defaults", () => {
    const decoded = decodeMessage(raw(MessageType.Start, ""));
    expect(decoded.message).toMatchObject({ knownEntries: 0, debugId: "", randomSeed: 0n, scope: undefined, idempotencyKey: undefined });
  });
});

describe("typing", () => {
  it("discriminates decoded messages by type", () => {
    const msg: Message = decodeMessage(raw(MessageType.RunCommand, "5801"));
    if (msg.type === MessageType.RunCommand) {
      expectTypeOf(msg.message).toEqualTypeOf<RunCommandMessage>();
      expect(msg.message.resultCompletionId).toBe(1);
    } else {
      throw new Error("wrong discriminant");
    }
    const notification = decodeMessage(raw(MessageType.CallInvocationIdCompletion, "0801"));
    if (notification.type === MessageType.CallInvocationIdCompletion) {
      expectTypeOf(notification.message).toEqualTypeOf<NotificationTemplate>();
    }
  });

  it("checks message shapes for statically known type ids", () => {
    // @ts-expect-error RunCommandMessage has no `awakeableId`
    expect(() => encodeMessage(MessageType.RunCommand, { awakeableId: "x" })).not.toThrow();
    // A wide `number` type id accepts any object (runtime lookup).
    const type: number = MessageType.RunCommand;
    expect(bytesToHex(encodeMessage(type, { resultCompletionId: 1 }))).toBe("04110000000000025801");
  });
});

describe("errors", () => {
  it("unknown type id → ProtocolError naming it", () => {
    for (const type of [0x0008, 0x03ff, 0x040f, 0x0415, 0x8000, 0x8014, 0xfc00, 0xffff]) {
      expect(() => decodeMessage(raw(type, ""))).toThrow(ProtocolError);
    }
    expect(() => decodeMessage(raw(0x1234, "0801"))).toThrow(
      "cannot decode a frame of unknown message type 0x1234 (2-byte payload): not a message type of service protocol V5–V7",
    );
    expect(() => encodeMessage(0x1234, {})).toThrow(RangeError);
  });

  it.each([
    ["truncated varint", MessageType.RunCommand, "58"],
    ["truncated length-delimited field", MessageType.InputCommand, "720a0a03"],
    ["truncated nested message", MessageType.InputCommand, "7203" + "0a05aa"],
    ["zero tag", MessageType.Start, "0801" + "00" + "1001"],
    ["end-group tag followed by more fields", MessageType.Start, "0c" + "0801"],
    ["invalid wire type 7", MessageType.RunCommand, "5f"],
    ["start-group without end", MessageType.RunCommand, "0b"],
    ["varint longer than 10 bytes", MessageType.RunCommand, "58ffffffffffffffffffffff01"],
  ])("%s → ProtocolError", (_label, type, hex) => {
    let caught: unknown;
    try {
      decodeMessage(raw(type, hex));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).code).toBe(571);
    expect((caught as ProtocolError).message).toMatch(/^malformed 0x[0-9A-F]{4} \w+ payload \(\d+ bytes\): .*offset -?\d+/);
  });

  it("deeply nested Futures hit the recursion limit as a ProtocolError", () => {
    let nested = new Uint8Array(0);
    for (let i = 0; i < 150; i++) {
      const prefix = [0x22, ...varintBytes(nested.length)];
      const next = new Uint8Array(prefix.length + nested.length);
      next.set(prefix);
      next.set(nested, prefix.length);
      nested = next;
    }
    // AwaitingOn{awaiting_on (field 1) = Future{nested_futures (field 4) = …}}
    const payload = new Uint8Array([0x0a, ...varintBytes(nested.length), ...nested]);
    expect(() => decodeMessage({ type: MessageType.AwaitingOn, flags: 0, payload })).toThrow(/recursion limit/);
  });

  it("random payloads for every type decode or fail with ProtocolError, never anything else", () => {
    const types = Object.values(MessageType);
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 64 }), (type, payload) => {
        try {
          const decoded = decodeMessage({ type, flags: 0, payload });
          expect(decoded.type).toBe(type);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("the shared writer recovers after an encoder throws", () => {
    expect(() => encodeMessage(MessageType.Start, { debugId: "x", randomSeed: 2n ** 64n })).toThrow(/too large/);
    expect(() => encodeMessage(MessageType.RunCommand, { resultCompletionId: -1 })).toThrow();
    expect(bytesToHex(encodeMessage(MessageType.RunCommand, { resultCompletionId: 1 }))).toBe("04110000000000025801");
  });

  it("encodes large messages, then small ones, correctly", () => {
    const big = new Uint8Array(3 * 1024 * 1024).fill(7);
    const frame = encodeMessage(MessageType.OutputCommand, { value: { content: big } });
    // header + (tag, 4-byte length) of the Value + (tag, 4-byte length) of its content + content
    expect(frame.length).toBe(FRAME_HEADER_SIZE + 5 + 5 + big.length);
    const decoded = decodeMessage({ type: MessageType.OutputCommand, flags: 0, payload: payloadOf(frame) });
    if (decoded.type !== MessageType.OutputCommand) throw new Error("unreachable");
    // (Buffer.equals: a deep-equality matcher on 3 MiB is needlessly slow.)
    expect(Buffer.from(decoded.message.value!.content!).equals(big)).toBe(true);
    expect(bytesToHex(encodeMessage(MessageType.End, {}))).toBe("0003000000000000");
    // Successive frames are independent arrays (the writer's buffer is not shared with results).
    const a = encodeMessage(MessageType.RunCommand, { resultCompletionId: 1 });
    const b = encodeMessage(MessageType.RunCommand, { resultCompletionId: 2 });
    expect(bytesToHex(a)).toBe("04110000000000025801");
    expect(bytesToHex(b)).toBe("04110000000000025802");
  });

  it("passes flags through and rejects flags outside u16", () => {
    const frame = encodeMessage(MessageType.ProposeRunCompletion, { resultCompletionId: 1, value: new Uint8Array(0) }, REQUESTED_ACK_FLAG);
    expect(decodeMessage({ type: 5, flags: REQUESTED_ACK_FLAG, payload: payloadOf(frame) }).flags).toBe(REQUESTED_ACK_FLAG);
    expect(() => encodeMessage(MessageType.End, {}, 0x1_0000)).toThrow(RangeError);
    expect(bytesToHex(encodeFrame(5, 0x8000, payloadOf(frame)))).toBe(bytesToHex(frame));
  });
});

function varintBytes(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
