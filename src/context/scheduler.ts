// Decides, for every await in user code, whether it resolves now, waits for the server, or ends the attempt.
//
// An await resolves as soon as its notifications are in. Otherwise it waits; once user code has nothing left to do
// (checked after a macrotask, when every microtask has run) the machine decides (InvocationMachine.decideAwait):
// keep waiting, suspend on what is awaited, or end with a journal mismatch while the journal still holds commands.

import type { InvocationMachine } from "../machine/invocation-machine.js";
import { CANCEL_KEY, completionKey } from "../machine/notifications.js";
import type { AwaitTree } from "../machine/await-tree.js";
import { CancelledError } from "./errors.js";
import { EagerRuns } from "./eager-runs.js";
import { LeafNode, StreamSession, asAwaitTree, type PromiseNode, type Resolution } from "./promise-node.js";

interface Waiter {
  node: PromiseNode;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const nextMacrotask: (fn: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function"
    ? (fn) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(fn)
    : (fn) => setTimeout(fn, 0);

export class Scheduler {
  #waiters: Waiter[] = [];
  #runningRuns = 0;
  #runsIdle: (() => void)[] = [];
  #settleScheduled = false;
  #cancelDelivered = false;
  /** Called when a cancellation is delivered to user code (to cancel child invocations). */
  onCancelDelivered: (() => void) | undefined;
  /** Run results this attempt may use before they are stored (eager runs, request-response mode). */
  readonly eager: EagerRuns;

  /**
   * explicitCancellation: a cancel signal does not reject awaits (and does not cancel the calls this invocation made);
   * user code reads it through ctx.cancellation().
   */
  readonly #machine: InvocationMachine;

  constructor(
    machine: InvocationMachine,
    readonly explicitCancellation = false,
  ) {
    this.#machine = machine;
    this.eager = new EagerRuns(machine.notifications);
    machine.onRunProposed((id, result) => this.eager.recordProposal(completionKey(id), result));
    machine.onNotification(() => {
      this.#recheckWaiters();
      this.scheduleSettle();
    });
    // Bidirectional: once the server closes its side nothing more can arrive; suspend if we are waiting.
    machine.onInputClosed(() => this.scheduleSettle());
  }

  /** Registers an await of `node`; settles the native promise now if possible. */
  await(node: PromiseNode, resolve: (v: unknown) => void, reject: (e: unknown) => void): void {
    if (this.#machine.isClosed) return; // the attempt is over: this await never settles
    const waiter = { node, resolve, reject };
    if (!this.#trySettle(waiter)) {
      this.#waiters.push(waiter);
      this.scheduleSettle();
    }
  }

  runStarted(): void {
    this.#runningRuns++;
  }

  runFinished(): void {
    this.#runningRuns--;
    if (this.#runningRuns === 0) {
      const idle = this.#runsIdle;
      this.#runsIdle = [];
      for (const f of idle) f();
    }
    this.scheduleSettle();
  }

  /** Resolves once no ctx.run closure is executing (so their proposals are written before the output). */
  whenRunsIdle(): Promise<void> {
    if (this.#runningRuns === 0) return Promise.resolve();
    return new Promise((r) => this.#runsIdle.push(r));
  }

  #trySettle(w: Waiter): boolean {
    const store = this.#machine.notifications;
    const eagerAwait = this.eager.isEagerAwait(w.node);
    // A plain leaf (every ctx.run, sleep, call) reads the store directly; only trees may hold stream leaves.
    const session = w.node instanceof LeafNode ? undefined : new StreamSession(store, store);
    let r: Resolution | undefined = w.node.resolve(session ?? store);
    // Eager: results proposed in this attempt, usable only once nothing more can arrive on the request.
    // Past the attempt's eager-runs budget the await waits instead, and the attempt suspends on purpose.
    if (!r && eagerAwait && this.#machine.isInputClosed && this.eager.mayContinue()) r = w.node.resolve(this.eager);
    const cancel = this.#cancelDelivered || this.explicitCancellation ? undefined : store.get(CANCEL_KEY);
    // An await of eager runs that has its results ignores a cancel stored before them (see eager-runs.ts).
    // `<=`: an await that resolves through the cancel signal itself (ctx.cancellation() without explicitCancellation)
    // is cancelled too, as in the official SDK.
    if (cancel && (!r || cancel.seq <= r.seq) && !(eagerAwait && r)) {
      // Each cancellation is delivered to exactly one await; later awaits proceed (e.g. compensations).
      this.#cancelDelivered = true;
      this.onCancelDelivered?.();
      w.reject(new CancelledError());
      return true;
    }
    if (!r) return false;
    session?.commit(r.seq);
    if (r.outcome.ok) w.resolve(r.outcome.value);
    else w.reject(r.outcome.error);
    return true;
  }

  #recheckWaiters(): boolean {
    if (this.#waiters.length === 0) return false;
    const before = this.#waiters.length;
    this.#waiters = this.#waiters.filter((w) => !this.#trySettle(w));
    return this.#waiters.length !== before;
  }

  /**
   * Looks at the waiters after a macrotask. Without waiters there is nothing to decide (an await that does not
   * settle at once schedules its own look), and nothing is scheduled: a pending macrotask keeps the whole attempt
   * alive until it runs, which is what fully replayed attempts (no waiter at all) would otherwise pay for.
   */
  scheduleSettle(): void {
    if (this.#settleScheduled || this.#waiters.length === 0) return;
    this.#settleScheduled = true;
    nextMacrotask(() => {
      this.#settleScheduled = false;
      this.#settle();
    });
  }

  #settle(): void {
    const m = this.#machine;
    if (m.isClosed) return;
    if (this.#recheckWaiters()) {
      // User code moved on; look again once it has done what it can.
      this.scheduleSettle();
      return;
    }
    if (this.#waiters.length === 0) return;
    const pending = () => {
      const store = m.notifications;
      const trees: AwaitTree[] = [];
      for (const w of this.#waiters) {
        const p = w.node.pending(new StreamSession(store, store));
        if (p !== undefined) trees.push(asAwaitTree(p));
      }
      return trees;
    };
    m.decideAwait(this.#runningRuns > 0, pending, !this.#cancelDelivered && !this.explicitCancellation);
  }
}
