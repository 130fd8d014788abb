// Notifications received from the server, keyed by what they complete, with their arrival order.
// The arrival order (seq) is what makes combinators deterministic: on replay the server sends
// notifications in the order it stored them, so "which finished first" is decided by seq, never by timing.

import { ProtocolError } from "../protocol/errors.js";
import type { NotificationTemplate } from "../protocol/generated/protocol.js";

/**
 * Identifies something that can be awaited:
 * - a completion id (positive integer, allocated per command),
 * - a signal id (stored as its negation: -1 is CANCEL, -17 the first awakeable),
 * - a named signal (the string "n:" + name).
 */
export type NotificationKey = number | string;

export const CANCEL_SIGNAL_ID = 1;
export const FIRST_AWAKEABLE_SIGNAL_ID = 17;

export const completionKey = (id: number): NotificationKey => id;
export const signalKey = (id: number): NotificationKey => -id;
export const namedSignalKey = (name: string): NotificationKey => "n:" + name;
export const CANCEL_KEY = signalKey(CANCEL_SIGNAL_ID);

export interface FailureResult {
  code: number;
  message: string;
  metadata: { key: string; value: string }[];
}

export type NotificationResult =
  | { tag: "void" }
  | { tag: "value"; value: Uint8Array }
  | { tag: "failure"; failure: FailureResult }
  | { tag: "invocationId"; invocationId: string }
  | { tag: "stateKeys"; keys: string[] };

export interface StoredNotification {
  seq: number;
  result: NotificationResult;
}

export function describeKey(key: NotificationKey): string {
  if (typeof key === "string") return `named signal '${key.slice(2)}'`;
  if (key === CANCEL_KEY) return "the cancel signal";
  if (key < 0) return `signal ${-key}`;
  return `completion ${key}`;
}

/**
 * Notifications that can arrive more than once under the same key (named signals, the cancel signal): each arrival is
 * one item of a FIFO stream, consumed by the awaits that read the stream, in the order user code reads it.
 */
interface Stream {
  items: StoredNotification[];
  /** Index of the first unconsumed item. */
  head: number;
}

export class NotificationStore {
  readonly #entries = new Map<NotificationKey, StoredNotification>();
  /** Created on the first stream item (cancel or named signal): most attempts have none. */
  #streams: Map<NotificationKey, Stream> | undefined;
  #nextSeq = 0;
  /** Stream items received and not consumed yet, over all streams (bounded by the machine's limits). */
  bufferedStreamItems = 0;

  /** Records a notification. A second notification for the same key keeps the first (the server never sends two). */
  add(key: NotificationKey, result: NotificationResult): void {
    if (key === CANCEL_KEY) {
      // Every cancel signal counts for explicit cancellation (ctx.cancellation() reads them one by one).
      const item = { seq: this.#nextSeq++, result };
      this.#pushStreamItem(key, item);
      if (!this.#entries.has(key)) this.#entries.set(key, item);
      return;
    }
    if (this.#entries.has(key)) return;
    this.#entries.set(key, { seq: this.#nextSeq++, result });
  }

  /** Records one arrival of a named signal: named signals are streams (every ctx.signal(name) reads the next one). */
  addNamed(name: string, result: NotificationResult): void {
    this.#pushStreamItem(namedSignalKey(name), { seq: this.#nextSeq++, result });
  }

  get(key: NotificationKey): StoredNotification | undefined {
    return this.#entries.get(key);
  }

  has(key: NotificationKey): boolean {
    return this.#entries.has(key);
  }

  get size(): number {
    return this.#nextSeq;
  }

  /** The `offset`-th unconsumed item of a stream (0 = the oldest), without consuming it. */
  peekStream(key: NotificationKey, offset: number): StoredNotification | undefined {
    const s = this.#streams?.get(key);
    return s ? s.items[s.head + offset] : undefined;
  }

  /** Consumes the oldest unconsumed item of a stream. */
  takeStream(key: NotificationKey): StoredNotification | undefined {
    const s = this.#streams?.get(key);
    if (!s || s.head >= s.items.length) return undefined;
    const item = s.items[s.head]!;
    s.items[s.head++] = undefined as never; // drop the reference: a long stream must not keep every value alive
    this.bufferedStreamItems--;
    if (s.head === s.items.length) this.#streams!.delete(key);
    else if (s.head > 1024 && s.head * 2 > s.items.length) {
      s.items = s.items.slice(s.head);
      s.head = 0;
    }
    return item;
  }

  #pushStreamItem(key: NotificationKey, item: StoredNotification): void {
    const streams = (this.#streams ??= new Map());
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { items: [], head: 0 }));
    s.items.push(item);
    this.bufferedStreamItems++;
  }
}

const utf8 = new TextDecoder();

/** The result a notification carries, as stored. */
export function notificationResult(n: NotificationTemplate): NotificationResult {
  if (n.value != null) return { tag: "value", value: n.value.content ?? new Uint8Array(0) };
  if (n.failure != null) {
    return {
      tag: "failure",
      failure: { code: n.failure.code ?? 0, message: n.failure.message ?? "", metadata: (n.failure.metadata ?? []).map((m) => ({ key: m.key ?? "", value: m.value ?? "" })) },
    };
  }
  if (n.invocationId != null) return { tag: "invocationId", invocationId: n.invocationId };
  if (n.stateKeys != null) return { tag: "stateKeys", keys: (n.stateKeys.keys ?? []).map((k) => utf8.decode(k)) };
  if (n.void != null) return { tag: "void" };
  throw new ProtocolError("notification without a result (void, value, failure, invocation id or state keys)");
}
