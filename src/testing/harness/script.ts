// The scripted journal of the offline harness: recorded results, consumed in order by the commands that need one.
// Each entry may name what it is for (`run: "charge"`, `call: "Payments/charge"`); when the handler issues something
// else there, the entry is recorded as written in the script, so the replay check reports a real journal mismatch.

import { encodeJson } from "../../serde/json.js";
import type { Failure } from "../../protocol/generated/protocol.js";

/** A failure as a TerminalError would carry it: a message, or the full shape. */
export type ScriptedFailure = string | { message: string; code?: number; metadata?: Record<string, string> };

/** What a scripted entry completes with: a JSON value (default: no value), raw bytes, or a failure. */
export interface ScriptedResult {
  /** Encoded as JSON. */
  value?: unknown;
  /** Raw bytes (for handlers or calls with a non-JSON serde); wins over `value`. */
  bytes?: Uint8Array;
  /** The operation fails with a TerminalError (code 500 unless given). */
  failure?: ScriptedFailure;
}

/** Leave the call/promise/attach without a result (it never completes; the handler suspends or a timeout wins). */
export interface Pending {
  pending: true;
}

export type JournalEntry =
  /** Result of a `ctx.run` (its closure does not execute). `true` accepts any name. */
  | ({ run: string | true } & ScriptedResult)
  /** Result of a call, `"Service/handler"` (or `true` for any target). */
  | ({ call: string | true; key?: string } & (ScriptedResult | Pending))
  /** A `ctx.sleep` (or timeout) fires; naming it checks the sleep's name. Sleeps fire anyway when not scripted. */
  | { sleep: string | true }
  /** Value of a durable promise (`ctx.promise(name).get()` / `.peek()`). */
  | ({ promise: string } & (ScriptedResult | Pending))
  /** Result of `ctx.attach(...)` / an invocation output. */
  | ({ attach: true } & (ScriptedResult | Pending))
  /** Resolves (or rejects) the awakeable the handler waits for (the oldest one first). */
  | ({ awakeable: true } & ScriptedResult)
  /** A named signal (`ctx.signal(name)`). */
  | ({ signal: string } & ScriptedResult)
  /** The invocation is cancelled while the handler waits for something. */
  | { cancel: true };

export type EntryKind = "run" | "call" | "sleep" | "promise" | "attach" | "awakeable" | "signal" | "cancel";

export function kindOf(entry: JournalEntry): EntryKind {
  for (const kind of ["run", "call", "sleep", "promise", "attach", "awakeable", "signal", "cancel"] as const) {
    if (kind in entry) return kind;
  }
  throw new TypeError(`not a journal entry: ${JSON.stringify(entry)} (expected one of run, call, sleep, promise, attach, awakeable, signal, cancel)`);
}

export function isPending(entry: JournalEntry): boolean {
  return (entry as Partial<Pending>).pending === true;
}

/** The notification fields (`value` or `failure`) for a scripted result. */
export function resultFields(entry: ScriptedResult, version: number): { value: { content: Uint8Array } } | { failure: Failure } {
  if (entry.failure !== undefined) {
    const f = typeof entry.failure === "string" ? { message: entry.failure } : entry.failure;
    const failure: Failure = { code: f.code ?? 500, message: f.message };
    if (version >= 6 && f.metadata) failure.metadata = Object.entries(f.metadata).map(([key, value]) => ({ key, value }));
    return { failure };
  }
  return { value: { content: entry.bytes ?? encodeJson(entry.value) } };
}

/** The script as a queue; entries are taken from the head only when their kind fits. */
export class ScriptQueue {
  private readonly entries: JournalEntry[];

  constructor(entries: readonly JournalEntry[]) {
    this.entries = [...entries];
    this.entries.forEach(kindOf); // refuse malformed entries up front
  }

  get head(): JournalEntry | undefined {
    return this.entries[0];
  }

  /** Removes and returns the head when it is of `kind`. */
  take(kind: EntryKind): JournalEntry | undefined {
    const head = this.entries[0];
    if (head === undefined || kindOf(head) !== kind) return undefined;
    return this.entries.shift();
  }

  remaining(): JournalEntry[] {
    return [...this.entries];
  }
}
