// RestatePromise: a native-compatible Promise over a PromiseNode. Awaiting it registers with the scheduler, which
// resolves it from journaled notifications; combinators build trees so the server sees exactly what we wait for.

import type { Duration } from "./duration.js";
import { durationToMs } from "./duration.js";
import { TerminalError, TimeoutError } from "./errors.js";
import { CombinatorNode, ConstNode, MapNode, NeverNode, type CombinatorKind, type NotificationLookup, type PromiseNode } from "./promise-node.js";
import type { Scheduler } from "./scheduler.js";

/** What a promise needs from its invocation: the scheduler, and a timer for orTimeout. */
export interface PromiseOwner {
  readonly scheduler: Scheduler;
  timeoutNode(ms: number): PromiseNode;
}

export type RestatePromise<T> = Promise<T> & {
  orTimeout(millis: Duration | number): RestatePromise<T>;
  map<U>(mapper: (value?: T, failure?: TerminalError) => U): RestatePromise<U>;
};

export class RestatePromiseImpl<T> implements Promise<T> {
  readonly [Symbol.toStringTag] = "Promise";
  #settled: Promise<T> | undefined;
  /** Combined into another promise (no field initialiser: set only when it happens, never on the replay path). */
  declare used?: boolean;

  /** Awaited, or combined into another promise. */
  get consumed(): boolean {
    return !!(this.#settled || this.used);
  }

  constructor(
    readonly node: PromiseNode,
    readonly owner: PromiseOwner | undefined,
  ) {}

  #native(): Promise<T> {
    if (!this.#settled) {
      if (this.owner) {
        const { node, owner } = this;
        this.#settled = new Promise<T>((resolve, reject) => owner.scheduler.await(node, resolve as (v: unknown) => void, reject));
      } else {
        // Constants (RestatePromise.resolve/reject, combinators of constants) need no server; a pending constant
        // (RestatePromise.race([])) never settles, as in the official SDK.
        const r = this.node.resolve(NO_NOTIFICATIONS);
        if (!r) this.#settled = new Promise<T>(() => {});
        else this.#settled = r.outcome.ok ? Promise.resolve(r.outcome.value as T) : Promise.reject(r.outcome.error);
      }
    }
    return this.#settled;
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#native().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.#native().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#native().finally(onfinally);
  }

  orTimeout(millis: Duration | number): RestatePromise<T> {
    // A constant has no timer to race: a settled one is returned as is, a pending one times out at once (as the
    // official SDK does).
    if (!this.owner) {
      if (this.node.resolve(NO_NOTIFICATIONS)) return this;
      return new RestatePromiseImpl<T>(new ConstNode({ ok: false, error: new TimeoutError() }), undefined);
    }
    const owner = this.owner;
    this.used = true;
    const timeout = owner.timeoutNode(durationToMs(millis));
    return new RestatePromiseImpl<T>(new CombinatorNode("race", [this.node, timeout]), owner);
  }

  map<U>(mapper: (value?: T, failure?: TerminalError) => U): RestatePromise<U> {
    this.used = true;
    const node = new MapNode(this.node, (o) => {
      if (o.ok) return { ok: true, value: mapper(o.value as T, undefined) };
      if (!(o.error instanceof TerminalError)) return o; // not a result failure (e.g. a journal mismatch): pass through
      return { ok: true, value: mapper(undefined, o.error) };
    });
    return new RestatePromiseImpl<U>(node, this.owner);
  }

}

/** Constants resolve without any notification. */
const NO_NOTIFICATIONS: NotificationLookup = { get: () => undefined, has: () => false };

/** Whether `p` was made by a ctx method (a journaled promise), as the official SDK's guard. */
export function isRestatePromise<T>(p: Promise<T>): p is RestatePromise<T>;
export function isRestatePromise(p: unknown): p is RestatePromise<unknown>;
export function isRestatePromise(p: unknown): p is RestatePromise<unknown> {
  return p instanceof RestatePromiseImpl;
}

function combine<R>(kind: CombinatorKind, values: readonly unknown[]): RestatePromise<R> {
  const promises = values.map((v, i) => {
    if (v instanceof RestatePromiseImpl) return (v.used = true), v;
    throw new TypeError(`RestatePromise.${kind}: element ${i} is not a RestatePromise (use ctx methods to create them)`);
  });
  const owner = promises.find((p) => p.owner)?.owner;
  return new RestatePromiseImpl<R>(new CombinatorNode(kind, promises.map((p) => p.node)), owner);
}

export const RestatePromise = {
  resolve<T>(value: T): RestatePromise<Awaited<T>> {
    if (value instanceof RestatePromiseImpl) return value as RestatePromise<Awaited<T>>;
    return new RestatePromiseImpl<Awaited<T>>(new ConstNode({ ok: true, value }), undefined);
  },
  reject<T = never>(reason: TerminalError): RestatePromise<T> {
    return new RestatePromiseImpl<T>(new ConstNode({ ok: false, error: reason }), undefined);
  },
  all<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<{ -readonly [P in keyof T]: Awaited<T[P]> }> {
    return combine("all", values);
  },
  race<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<Awaited<T[number]>> {
    // Racing nothing never settles (like Promise.race([])); orTimeout on it times out at once.
    if (values.length === 0) return new RestatePromiseImpl(new NeverNode(), undefined);
    return combine("race", values);
  },
  any<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<Awaited<T[number]>> {
    return combine("any", values);
  },
  allSettled<const T extends readonly RestatePromise<unknown>[]>(
    values: T,
  ): RestatePromise<{ -readonly [P in keyof T]: PromiseSettledResult<Awaited<T[P]>> }> {
    return combine("allSettled", values);
  },
};

/** @deprecated the old name of RestatePromise, kept for source compatibility. */
export const CombineablePromise = RestatePromise;
