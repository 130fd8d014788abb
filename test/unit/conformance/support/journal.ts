// Builders for hand-written request bodies (Start + journal frames): the journal builders the harness publishes
// (src/testing/harness/journal.ts) with this suite's fixed invocation id, debug id and seed.

import { decodeMessage, type Message } from "../../../../src/protocol/messages.js";
import type { RawFrame } from "../../../../src/protocol/frame.js";
import type { StartMessage } from "../../../../src/protocol/generated/protocol.js";
import {
  callCompletionFrame,
  callFrame,
  inputFrame,
  json,
  notificationFrame,
  runCompletionFrame,
  runFrame,
  signalFrame,
  sleepCompletionFrame,
  sleepFrame,
  startFrame,
} from "../../../../src/testing/harness/journal.js";

export { json };

/** A fixed 24-byte invocation id and its printable form (values are arbitrary but stable). */
export const INVOCATION_ID = Uint8Array.from({ length: 24 }, (_, i) => (i * 37 + 11) & 0xff);
export const DEBUG_ID = "inv_1conformanceTableTest0000000000";

export function start(knownEntries: number, extra: Partial<StartMessage> = {}): Uint8Array {
  return startFrame(knownEntries, { id: INVOCATION_ID, debugId: DEBUG_ID, randomSeed: 1234567890123456789n, ...extra });
}

export const input = (value: unknown): Uint8Array => inputFrame(value);
export const run = runFrame;
export const sleep = sleepFrame;
export const call = (service: string, handler: string, parameter: unknown, invocationIdIdx: number, resultId: number): Uint8Array =>
  callFrame(service, handler, parameter, invocationIdIdx, resultId);
export const notification = notificationFrame;
export const runDone = runCompletionFrame;
export const sleepDone = sleepCompletionFrame;
export const callDone = callCompletionFrame;
export const signal = signalFrame;

/** Decodes every frame of a response; throws on anything undecodable. */
export function decodeAll(frames: RawFrame[]): Message[] {
  return frames.map((f) => decodeMessage(f));
}
