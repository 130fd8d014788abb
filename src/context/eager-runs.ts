// Eager runs (request-response mode, opt-in): the results this attempt proposed for its own ctx.run calls, usable by
// an await made only of such runs, so N sequential runs cost one attempt instead of N+1.
//
// Why this stays deterministic: in request-response mode nothing reaches the endpoint during the attempt, and the
// server stores each proposal right after its RunCommand, in write order. Only awaits whose every leaf is an eager run
// may use these results; anything involving a timer, call, awakeable, promise or signal suspends as usual. On replay,
// such an await resolves from the journal even if a cancel signal was stored before the run's result (the server can
// append a cancel while the eager response streams): the attempt that first ran the code never saw that cancel either.

import type { NotificationKey, NotificationResult, NotificationStore, StoredNotification } from "../machine/notifications.js";
import type { NotificationLookup, PromiseNode } from "./promise-node.js";

export class EagerRuns implements NotificationLookup {
  /** Completion keys of runs created with eager execution enabled (the same set on every attempt). */
  readonly #eagerKeys = new Set<NotificationKey>();
  /** Results proposed in this attempt, with the position they take in the server's order. */
  readonly #proposed = new Map<NotificationKey, StoredNotification>();

  readonly #store: NotificationStore;
  /** When this attempt stops continuing eagerly (epoch ms; the handler's eagerRunsBudget), and whether it did. */
  deadline: number | undefined;
  budgetSpent = false;

  constructor(store: NotificationStore) {this.#store = store; }

  markEager(key: NotificationKey): void {
    this.#eagerKeys.add(key);
  }

  /** Records a proposal; in request-response mode nothing else can arrive, so proposal order is the journal order. */
  recordProposal(key: NotificationKey, result: NotificationResult): void {
    if (!this.#eagerKeys.has(key) || this.#store.has(key)) return;
    this.#proposed.set(key, { seq: this.#store.size + this.#proposed.size, result });
  }

  /** How many awaited run results this attempt used before the server stored them. */
  get count(): number {
    return this.#proposed.size;
  }

  /** Whether an await of eager runs may still continue in this attempt (false once its budget is spent). */
  mayContinue(): boolean {
    if (this.deadline !== undefined && !this.budgetSpent && Date.now() >= this.deadline) this.budgetSpent = true;
    return !this.budgetSpent;
  }

  /** An await made only of eager runs. */
  isEagerAwait(node: PromiseNode): boolean {
    const keys = node.leafKeys();
    return keys.length > 0 && keys.every((k) => this.#eagerKeys.has(k));
  }

  get(key: NotificationKey): StoredNotification | undefined {
    return this.#store.get(key) ?? this.#proposed.get(key);
  }

  has(key: NotificationKey): boolean {
    return this.#store.has(key) || this.#proposed.has(key);
  }
}
