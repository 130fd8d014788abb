// Builders for hand-written request bodies (Start + journal frames), encoded with the protocol layer's encoder.

import { MessageType } from "../../../../src/protocol/message-types.js";
import { decodeMessage, encodeMessage, type Message } from "../../../../src/protocol/messages.js";
import type { RawFrame } from "../../../../src/protocol/frame.js";
import type { NotificationTemplate, StartMessage } from "../../../../src/protocol/generated/protocol.js";

const utf8 = new TextEncoder();

/** A fixed 24-byte invocation id and its printable form (values are arbitrary but stable). */
export const INVOCATION_ID = Uint8Array.from({ length: 24 }, (_, i) => (i * 37 + 11) & 0xff);
export const DEBUG_ID = "inv_1conformanceTableTest0000000000";

export function json(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value));
}

export function start(knownEntries: number, extra: Partial<StartMessage> = {}): Uint8Array {
  return encodeMessage(MessageType.Start, {
    id: INVOCATION_ID,
    debugId: DEBUG_ID,
    knownEntries,
    partialState: true,
    randomSeed: 1234567890123456789n,
    ...extra,
  });
}

export function input(value: unknown): Uint8Array {
  return encodeMessage(MessageType.InputCommand, { value: { content: json(value) } });
}

export function run(completionId: number, name: string): Uint8Array {
  return encodeMessage(MessageType.RunCommand, { resultCompletionId: completionId, name });
}

export function sleep(completionId: number, wakeUpTime = 1_800_000_000_000n, name?: string): Uint8Array {
  return encodeMessage(MessageType.SleepCommand, { wakeUpTime, resultCompletionId: completionId, ...(name ? { name } : {}) });
}

export function call(service: string, handler: string, parameter: unknown, invocationIdIdx: number, resultId: number): Uint8Array {
  return encodeMessage(MessageType.CallCommand, {
    serviceName: service,
    handlerName: handler,
    parameter: json(parameter),
    invocationIdNotificationIdx: invocationIdIdx,
    resultCompletionId: resultId,
  });
}

export function notification(type: number, fields: NotificationTemplate): Uint8Array {
  return encodeMessage(type, fields);
}

export const runDone = (id: number, value: unknown) =>
  notification(MessageType.RunCompletion, { completionId: id, value: { content: json(value) } });
export const sleepDone = (id: number) => notification(MessageType.SleepCompletion, { completionId: id, void: {} });
export const callDone = (id: number, value: unknown) =>
  notification(MessageType.CallCompletion, { completionId: id, value: { content: json(value) } });
export const signal = (id: number, value?: unknown) =>
  notification(MessageType.SignalNotification, value === undefined ? { signalId: id, void: {} } : { signalId: id, value: { content: json(value) } });

/** Decodes every frame of a response; throws on anything undecodable. */
export function decodeAll(frames: RawFrame[]): Message[] {
  return frames.map((f) => decodeMessage(f));
}
