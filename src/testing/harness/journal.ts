// Builders for journals as restate-server stores and sends them: a Start message, the InputCommand, commands and
// their notifications, each encoded as one protocol frame with the real codecs. The harness builds its attempts with
// them, the unit tests build request bodies with them, and users can write a journal by hand and replay it:
//
//   const journal = recordedJournal([inputFrame("ada"), runFrame(1, "greet"), runCompletionFrame(1, "hi")]);
//   const run = await runHandler(greeter, "greet", { replay: journal });
//
// Values are JSON-encoded (as the default serde does) unless given as a Uint8Array, which is taken as raw bytes.
// Portable: no Node built-ins, so it runs on Workers, Deno and Bun as well.

import { FrameDecoder, type RawFrame } from "../../protocol/frame.js";
import { MessageType } from "../../protocol/message-types.js";
import { decodeMessage, encodeMessage, type Message } from "../../protocol/messages.js";
import type { NotificationTemplate, StartMessage } from "../../protocol/generated/protocol.js";

export { MessageType };
export type { Message };

const utf8 = new TextEncoder();

/** An opaque recorded journal: the encoded InputCommand and every entry after it, as the server would store them. */
export interface RecordedJournal {
  readonly frames: readonly Uint8Array[];
  readonly protocolVersion: number;
}

/** A journal to pass as `runHandler(..., { replay })`, from frames built here (input first). */
export function recordedJournal(frames: readonly Uint8Array[], protocolVersion = 6): RecordedJournal {
  return { frames: [...frames], protocolVersion };
}

/** A value as the default JSON serde writes it; a Uint8Array is kept as raw bytes. */
export function json(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : utf8.encode(JSON.stringify(value));
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Any message as one frame (`type` is a MessageType), e.g. `frame(MessageType.SetStateCommand, { key, value })`. */
export function frame(type: number, message: Record<string, unknown>, flags = 0): Uint8Array {
  return encodeMessage(type, message as never, flags);
}

/** The invocation id and debug id the harness uses when the caller names none (arbitrary but stable). */
export const HARNESS_INVOCATION_ID = Uint8Array.from({ length: 24 }, (_, i) => (i * 53 + 7) & 0xff);
export const HARNESS_DEBUG_ID = "inv_1perdureHarness00000000000000";
export const HARNESS_RANDOM_SEED = 0x5eed_1234_abcd_0001n;

/** The Start message that opens an attempt: `knownEntries` entries follow it (the input included). */
export function startFrame(knownEntries: number, fields: Partial<StartMessage> = {}): Uint8Array {
  return encodeMessage(MessageType.Start, {
    id: HARNESS_INVOCATION_ID,
    debugId: HARNESS_DEBUG_ID,
    knownEntries,
    partialState: true,
    randomSeed: HARNESS_RANDOM_SEED,
    ...fields,
  });
}

/** The journal's first entry: the handler's input, with the invocation's headers. */
export function inputFrame(value: unknown, headers: Record<string, string> = {}): Uint8Array {
  const list = Object.entries(headers).map(([key, v]) => ({ key, value: v }));
  return encodeMessage(MessageType.InputCommand, { headers: list, value: { content: json(value) } });
}

export function runFrame(completionId: number, name: string): Uint8Array {
  return encodeMessage(MessageType.RunCommand, { resultCompletionId: completionId, name });
}

export function sleepFrame(completionId: number, wakeUpTime = 1_800_000_000_000n, name?: string): Uint8Array {
  return encodeMessage(MessageType.SleepCommand, { wakeUpTime, resultCompletionId: completionId, ...(name ? { name } : {}) });
}

/** A request-response call; `invocationIdIdx` is the completion id of its invocation-id notification. */
export function callFrame(service: string, handler: string, parameter: unknown, invocationIdIdx: number, resultId: number, key?: string): Uint8Array {
  return encodeMessage(MessageType.CallCommand, {
    serviceName: service,
    handlerName: handler,
    parameter: json(parameter),
    invocationIdNotificationIdx: invocationIdIdx,
    resultCompletionId: resultId,
    ...(key !== undefined ? { key } : {}),
  });
}

/** A notification (completion or signal) of `type`, e.g. `notificationFrame(MessageType.SleepCompletion, {...})`. */
export function notificationFrame(type: number, fields: NotificationTemplate): Uint8Array {
  return encodeMessage(type, fields);
}

export const runCompletionFrame = (id: number, value: unknown): Uint8Array =>
  notificationFrame(MessageType.RunCompletion, { completionId: id, value: { content: json(value) } });
/** A run that failed terminally (what the server records once the retry policy gave up or a TerminalError). */
export const runFailureFrame = (id: number, code: number, message: string): Uint8Array =>
  notificationFrame(MessageType.RunCompletion, { completionId: id, failure: { code, message } });
export const sleepCompletionFrame = (id: number): Uint8Array => notificationFrame(MessageType.SleepCompletion, { completionId: id, void: {} });
export const callCompletionFrame = (id: number, value: unknown): Uint8Array =>
  notificationFrame(MessageType.CallCompletion, { completionId: id, value: { content: json(value) } });
export const callInvocationIdFrame = (id: number, invocationId: string): Uint8Array =>
  notificationFrame(MessageType.CallInvocationIdCompletion, { completionId: id, invocationId });
/** A signal by id (1 is cancellation, 17 and up are awakeables); without a value it carries void. */
export const signalFrame = (id: number, value?: unknown): Uint8Array =>
  notificationFrame(MessageType.SignalNotification, value === undefined ? { signalId: id, void: {} } : { signalId: id, value: { content: json(value) } });

/** Every message in a byte stream (frames may be split across chunks); throws on a partial or undecodable frame. */
export function decodeFrames(chunks: readonly Uint8Array[]): Message[] {
  const decoder = new FrameDecoder();
  const out: Message[] = [];
  for (const c of chunks) for (const f of decoder.push(c)) out.push(decodeMessage(f));
  decoder.finish();
  return out;
}

/** The single frame in `bytes`, undecoded. */
export function rawFrame(bytes: Uint8Array): RawFrame {
  const decoder = new FrameDecoder();
  const [first] = decoder.push(bytes);
  decoder.finish();
  return first!;
}

export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.trim();
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new TypeError(`not a hex string: ${clean.slice(0, 40)}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
