// Frame-by-frame comparison of perdure's response body with a captured one, with explicit, narrow normalisations.
// Everything not listed here must be byte-identical: message types, their order, flags and payload bytes.
//
// Normalisations (each applies to one message type only, and each checks what it normalises):
//  (a) SleepCommand.wake_up_time (field 1): an absolute wall-clock time (now + duration), different on every run.
//      perdure's value must lie in [request start + duration, response end + duration]; the captured field bytes are
//      then spliced in its place, so all other bytes (and the field's position) are still compared.
//  (b) ErrorMessage.stacktrace (field 3) of a thrown plain Error: free text naming source files and line numbers of
//      the capture machine. perdure must send a non-empty stacktrace that mentions the error message; the field is
//      then removed from both sides. The code, message and related-command fields stay compared.
//  (c) AwaitingOnMessage (V7, 0x0006): an optional hint the TS SDK sends; perdure need not send it. Captured ones are
//      dropped; any that perdure sends must be byte-identical to one of the captured ones.

import type { RawFrame } from "../../../../src/protocol/frame.js";
import { MessageType, messageTypeName } from "../../../../src/protocol/message-types.js";
import { decodeMessage } from "../../../../src/protocol/messages.js";
import { bytesToHex, fieldBytes, replaceField, scanFields, withoutField } from "./wire.js";

export interface CompareRules {
  /** Sleep durations (ms) of the handler, in order of the SleepCommands perdure writes; enables (a). */
  sleepDurationsMs?: number[];
  /** Window of the attempt (ms since epoch), for (a). */
  window?: { startedAt: number; finishedAt: number };
  /** The handler throws a plain Error: enables (b). */
  plainErrorStacktrace?: boolean;
}

export interface FrameView {
  type: string;
  flags: string;
  payload: string;
  decoded: string;
}

export interface Comparison {
  expected: FrameView[];
  actual: FrameView[];
  /** Checks a normalisation made before normalising; must be empty. */
  violations: string[];
  /** Human-readable list of normalisations applied (for the report). */
  applied: string[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function printable(bytes: Uint8Array): string {
  try {
    const text = utf8.decode(bytes);
    if (/^[\x20-\x7e]*$/.test(text)) return text;
  } catch {
    // not UTF-8
  }
  return "0x" + bytesToHex(bytes);
}

/** A readable rendering of a frame's decoded fields (bytes as text when printable, u64 as decimal). */
export function describeFrame(frame: RawFrame): string {
  try {
    const { message } = decodeMessage(frame);
    return JSON.stringify(message, (_k, v: unknown) =>
      v instanceof Uint8Array ? printable(v) : typeof v === "bigint" ? v.toString() : v,
    );
  } catch (e) {
    return `<undecodable: ${(e as Error).message}>`;
  }
}

function view(frame: RawFrame): FrameView {
  return {
    type: messageTypeName(frame.type),
    flags: "0x" + frame.flags.toString(16).padStart(4, "0"),
    payload: bytesToHex(frame.payload),
    decoded: describeFrame(frame),
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function compareFrames(expectedAll: RawFrame[], actualAll: RawFrame[], rules: CompareRules = {}): Comparison {
  const violations: string[] = [];
  const applied: string[] = [];

  // (c) AwaitingOn
  const droppedAwaitingOn = expectedAll.filter((f) => f.type === MessageType.AwaitingOn);
  if (droppedAwaitingOn.length > 0) applied.push(`(c) dropped ${droppedAwaitingOn.length} captured AwaitingOn frame(s)`);
  const expected = expectedAll.filter((f) => f.type !== MessageType.AwaitingOn);
  const actual: RawFrame[] = [];
  for (const f of actualAll) {
    if (f.type !== MessageType.AwaitingOn) {
      actual.push({ ...f });
      continue;
    }
    if (!droppedAwaitingOn.some((e) => e.flags === f.flags && sameBytes(e.payload, f.payload))) {
      violations.push(`perdure sent an AwaitingOn frame that the capture does not have: ${describeFrame(f)}`);
    }
  }

  let sleepIndex = 0;
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (e.type !== a.type) continue; // the type difference shows in the comparison itself

    if (e.type === MessageType.SleepCommand) {
      // (a) wake_up_time
      const duration = rules.sleepDurationsMs?.[sleepIndex++];
      const wake = scanFields(a.payload).find((f) => f.field === 1)?.varint;
      if (duration === undefined || rules.window === undefined) {
        violations.push(`frame ${i}: SleepCommand without a declared sleep duration for normalisation (a)`);
        continue;
      }
      if (wake === undefined) {
        violations.push(`frame ${i}: SleepCommand without wake_up_time`);
        continue;
      }
      const lo = BigInt(rules.window.startedAt + duration);
      const hi = BigInt(rules.window.finishedAt + duration);
      if (wake < lo || wake > hi) {
        violations.push(`frame ${i}: SleepCommand.wake_up_time ${wake} outside [${lo}, ${hi}] (now + ${duration} ms)`);
        continue;
      }
      actual[i] = { ...a, payload: replaceField(a.payload, 1, fieldBytes(e.payload, 1)) };
      applied.push(`(a) frame ${i}: SleepCommand.wake_up_time ${wake} (in window) replaced by the captured value`);
    }

    if (e.type === MessageType.Error && rules.plainErrorStacktrace) {
      // (b) stacktrace
      const trace = scanFields(a.payload).find((f) => f.field === 3);
      const message = scanFields(a.payload).find((f) => f.field === 2);
      const traceText = trace ? new TextDecoder().decode(a.payload.subarray(trace.valueStart, trace.end)) : "";
      const messageText = message ? new TextDecoder().decode(a.payload.subarray(message.valueStart, message.end)) : "";
      if (traceText.length === 0 || !traceText.includes(messageText)) {
        violations.push(`frame ${i}: ErrorMessage.stacktrace missing or not mentioning the message: ${JSON.stringify(traceText)}`);
      }
      actual[i] = { ...a, payload: withoutField(a.payload, 3) };
      expected[i] = { ...e, payload: withoutField(e.payload, 3) };
      applied.push(`(b) frame ${i}: ErrorMessage.stacktrace removed from both sides`);
    }
  }

  return { expected: expected.map(view), actual: actual.map(view), violations, applied };
}
