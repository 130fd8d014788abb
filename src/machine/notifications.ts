// Notifications received from the server, keyed by what they complete, with their arrival order.
// The arrival order (seq) is what makes combinators deterministic: on replay the server sends
// notifications in the order it stored them, so "which finished first" is decided by seq, never by timing.

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

export class NotificationStore {
  private readonly entries = new Map<NotificationKey, StoredNotification>();
  private nextSeq = 0;

  /** Records a notification. A second notification for the same key keeps the first (the server never sends two). */
  add(key: NotificationKey, result: NotificationResult): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, { seq: this.nextSeq++, result });
  }

  get(key: NotificationKey): StoredNotification | undefined {
    return this.entries.get(key);
  }

  has(key: NotificationKey): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
