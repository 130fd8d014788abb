import { describe, expect, it } from "vitest";
import {
  MessageType,
  describeMessageType,
  isCommand,
  isControl,
  isKnownMessageType,
  isNotification,
  messageTypeName,
} from "../../../src/protocol/message-types.js";

describe("MessageType", () => {
  it("has the ids of MESSAGES.md §2", () => {
    expect(MessageType).toMatchObject({
      Start: 0x0000, Suspension: 0x0001, Error: 0x0002, End: 0x0003, CommandAck: 0x0004,
      ProposeRunCompletion: 0x0005, AwaitingOn: 0x0006, ProposeRunCompletionAck: 0x0007,
      InputCommand: 0x0400, OutputCommand: 0x0401, GetLazyStateCommand: 0x0402, SetStateCommand: 0x0403,
      ClearStateCommand: 0x0404, ClearAllStateCommand: 0x0405, GetLazyStateKeysCommand: 0x0406,
      GetEagerStateCommand: 0x0407, GetEagerStateKeysCommand: 0x0408, GetPromiseCommand: 0x0409,
      PeekPromiseCommand: 0x040a, CompletePromiseCommand: 0x040b, SleepCommand: 0x040c, CallCommand: 0x040d,
      OneWayCallCommand: 0x040e, SendSignalCommand: 0x0410, RunCommand: 0x0411, AttachInvocationCommand: 0x0412,
      GetInvocationOutputCommand: 0x0413, CompleteAwakeableCommand: 0x0414,
      GetLazyStateCompletion: 0x8002, GetLazyStateKeysCompletion: 0x8006, GetPromiseCompletion: 0x8009,
      PeekPromiseCompletion: 0x800a, CompletePromiseCompletion: 0x800b, SleepCompletion: 0x800c,
      CallCompletion: 0x800d, CallInvocationIdCompletion: 0x800e, RunCompletion: 0x8011,
      AttachInvocationCompletion: 0x8012, GetInvocationOutputCompletion: 0x8013, SignalNotification: 0xfbff,
    });
    expect(Object.keys(MessageType)).toHaveLength(8 + 20 + 12);
    expect(new Set(Object.values(MessageType)).size).toBe(40);
  });

  it("names types, and unknown ids by number", () => {
    expect(messageTypeName(0x0411)).toBe("RunCommand");
    expect(messageTypeName(0x8011)).toBe("RunCompletion");
    expect(messageTypeName(0xfbff)).toBe("SignalNotification");
    expect(messageTypeName(0x1234)).toBe("unknown message type 0x1234");
    expect(messageTypeName(0x40f)).toBe("unknown message type 0x040F");
    expect(describeMessageType(0x0400)).toBe("0x0400 InputCommand");
    expect(describeMessageType(0x040d)).toBe("0x040D CallCommand");
    expect(describeMessageType(0xabcd)).toBe("unknown message type 0xABCD");
  });

  it("classifies by namespace", () => {
    for (const [name, id] of Object.entries(MessageType)) {
      const kind = name.endsWith("Command") ? "command" : /Completion$|^SignalNotification$/.test(name) && id >= 0x8000 ? "notification" : "control";
      expect([isControl(id), isCommand(id), isNotification(id)], name).toEqual([
        kind === "control", kind === "command", kind === "notification",
      ]);
      expect(isKnownMessageType(id)).toBe(true);
    }
    // Ranges, not the catalogue: unknown ids in a namespace still belong to it.
    expect(isCommand(0x040f)).toBe(true);
    expect(isCommand(0x7fff)).toBe(true);
    expect(isCommand(0x8000)).toBe(false);
    expect(isNotification(0x8000)).toBe(true);
    expect(isNotification(0xfc00)).toBe(false);
    expect(isControl(0x03ff)).toBe(true);
    expect(isKnownMessageType(0x040f)).toBe(false);
  });
});
