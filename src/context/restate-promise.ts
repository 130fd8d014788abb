// RestatePromise: a native-compatible Promise over a PromiseNode. Awaiting it registers with the scheduler, which
// resolves it from journaled notifications; combinators build trees so the server sees exactly what we wait for.

import type { Duration } from "./duration.js";
import { durationToMs } from "./duration.js";
import { TerminalError } from "./errors.js";
import { CombinatorNode, ConstNode, MapNode, type CombinatorKind, type PromiseNode } from "./promise-node.js";
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
  private settled: Promise<T> | undefined;

  constructor(
    readonly node: PromiseNode,
    readonly owner: PromiseOwner | undefined,
  ) {}

  private native(): Promise<T> {
    if (!this.settled) {
      if (this.owner) {
        const { node, owner } = this;
        this.settled = new Promise<T>((resolve, reject) => owner.scheduler.await(node, resolve as (v: unknown) => void, reject));
      } else {
        // Constants (RestatePromise.resolve/reject) need no server.
        const r = (this.node as ConstNode).resolve(undefined as never)!;
        this.settled = r.outcome.ok ? Promise.resolve(r.outcome.value as T) : Promise.reject(r.outcome.error);
      }
    }
    return this.settled;
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.native().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.native().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.native().finally(onfinally);
  }

  orTimeout(millis: Duration | number): RestatePromise<T> {
    const owner = this.requireOwner("orTimeout");
    const timeout = owner.timeoutNode(durationToMs(millis));
    return new RestatePromiseImpl<T>(new CombinatorNode("race", [this.node, timeout]), owner);
  }

  map<U>(mapper: (value?: T, failure?: TerminalError) => U): RestatePromise<U> {
    const node = new MapNode(this.node, (o) => {
      if (o.ok) return { ok: true, value: mapper(o.value as T, undefined) };
      if (!(o.error instanceof TerminalError)) return o; // not a result failure (e.g. a journal mismatch): pass through
      return { ok: true, value: mapper(undefined, o.error) };
    });
    return new RestatePromiseImpl<U>(node, this.owner);
  }

  private requireOwner(what: string): PromiseOwner {
    if (!this.owner) throw new TypeError(`${what} is not available on a constant RestatePromise`);
    return this.owner;
  }
}

export function isRestatePromise(p: unknown): p is RestatePromise<unknown> {
  return p instanceof RestatePromiseImpl;
}

function combine<R>(kind: CombinatorKind, values: readonly unknown[]): RestatePromise<R> {
  const promises = values.map((v, i) => {
    if (v instanceof RestatePromiseImpl) return v;
    throw new TypeError(`RestatePromise.${kind}: element ${i} is not a RestatePromise (use ctx methods to create them)`);
  });
  const owner = promises.find((p) => p.owner)?.owner;
  return new RestatePromiseImpl<R>(new CombinatorNode(kind, promises.map((p) => p.node)), owner);
}

export const RestatePromise = {
  resolve<T>(value: T): RestatePromise<Awaited<T>> {
    return new RestatePromiseImpl<Awaited<T>>(new ConstNode({ ok: true, value }), undefined);
  },
  reject<T = never>(reason: TerminalError): RestatePromise<T> {
    return new RestatePromiseImpl<T>(new ConstNode({ ok: false, error: reason }), undefined);
  },
  all<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<{ -readonly [P in keyof T]: Awaited<T[P]> }> {
    return combine("all", values);
  },
  race<const T extends readonly RestatePromise<unknown>[]>(values: T): RestatePromise<Awaited<T[number]>> {
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
