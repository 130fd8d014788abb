// Frame-level helpers of the offline harness: encoding and decoding journal entries with the protocol codecs, and
// reading what a SuspensionMessage or an ErrorMessage says.

import { FrameDecoder } from "../../protocol/frame.js";
import { messageTypeName } from "../../protocol/message-types.js";
import { decodeMessage, encodeMessage } from "../../protocol/messages.js";
import type { Future, SuspensionMessage } from "../../protocol/generated/protocol.js";

export { concatBytes as concat, rawFrame } from "./journal.js";

const utf8 = new TextEncoder();

/** One journal entry (command or notification) as the server would store it: decoded, and its encoded frame. */
export interface Entry {
  type: number;
  message: Record<string, any>;
  frame: Uint8Array;
}

export function decodeFrame(bytes: Uint8Array): { type: number; message: Record<string, any> } {
  const decoder = new FrameDecoder();
  const [frame] = decoder.push(bytes);
  decoder.finish();
  const msg = decodeMessage(frame!);
  return { type: msg.type, message: msg.message as Record<string, any> };
}

export function entryOf(type: number, message: Record<string, any>): Entry {
  return { type, message, frame: encodeMessage(type, message as never) };
}

export interface Waiting {
  completions: number[];
  signals: number[];
  named: string[];
}

export function waitingOf(s: SuspensionMessage): Waiting {
  const out: Waiting = { completions: [...(s.waitingCompletions ?? [])], signals: [...(s.waitingSignals ?? [])], named: [...(s.waitingNamedSignals ?? [])] };
  const walk = (f: Future | undefined) => {
    if (!f) return;
    out.completions.push(...(f.waitingCompletions ?? []));
    out.signals.push(...(f.waitingSignals ?? []));
    out.named.push(...(f.waitingNamedSignals ?? []));
    for (const nested of f.nestedFutures ?? []) walk(nested);
  };
  walk(s.awaitingOn);
  return out;
}

export interface AttemptError {
  code: number;
  message: string;
  command?: { index: number; name?: string; type?: string };
}

export function errorOf(m: Record<string, any>): AttemptError {
  const error: AttemptError = { code: m.code ?? 0, message: m.message ?? "" };
  if (m.relatedCommandIndex !== undefined) {
    error.command = { index: m.relatedCommandIndex };
    if (m.relatedCommandName) error.command.name = m.relatedCommandName;
    if (m.relatedCommandType !== undefined) error.command.type = messageTypeName(m.relatedCommandType);
  }
  return error;
}

export function encodeState(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : utf8.encode(JSON.stringify(value));
}

export function splitTarget(target: string): [string, string] {
  const slash = target.lastIndexOf("/");
  if (slash <= 0) throw new TypeError(`a scripted call names its target as "Service/handler", got ${JSON.stringify(target)}`);
  return [target.slice(0, target.indexOf("/")), target.slice(slash + 1)];
}

export function fakeInvocationId(n: number): string {
  return `inv_1harnessCall${String(n).padStart(18, "0")}`;
}
