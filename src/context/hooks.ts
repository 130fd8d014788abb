// Hooks: the `hooks` option's providers are called once per attempt with the invocation's request, and their
// interceptors wrap (1) the attempt — decoding the input, running the handler, encoding the output — and (2) each
// ctx.run closure that really executes (a run whose result is already journaled is skipped, and so is its
// interceptor). The first provider's interceptor is the outermost (service hooks wrap handler hooks).
// Interceptors decide the outcome like handler code does: a TerminalError fails the invocation, anything else is
// retried. When the attempt ends while the handler waits (suspension), `next()` rejects so interceptors can close
// what they opened (spans, timers) and rethrow.

import type { Request } from "./context-types.js";
import type { Hooks, HooksProvider } from "../definition/types.js";

export type HandlerInterceptor = (next: () => Promise<void>) => Promise<void>;
export type RunInterceptor = (name: string, next: () => Promise<void>) => Promise<void>;

export interface AttemptHooks {
  /** Undefined when no hook intercepts the handler. */
  handler: HandlerInterceptor | undefined;
  /** Undefined when no hook intercepts ctx.run. */
  run: RunInterceptor | undefined;
}

const NO_HOOKS: AttemptHooks = { handler: undefined, run: undefined };

/** Calls every provider for this attempt (they may throw: the caller treats that as the attempt's error). */
export function instantiateHooks(providers: readonly HooksProvider[], requestOf: () => Request): AttemptHooks {
  if (providers.length === 0) return NO_HOOKS;
  const request = requestOf();
  const hooks: Hooks[] = providers.map((provide) => provide({ request }) ?? {});
  const handlers = hooks.map((h) => h.interceptor?.handler).filter(isFunction) as HandlerInterceptor[];
  const runs = hooks.map((h) => h.interceptor?.run).filter(isFunction) as RunInterceptor[];
  return {
    handler: handlers.length === 0 ? undefined : (next) => chain(handlers.map((h) => (_: undefined, n) => h(n)), undefined, next),
    run: runs.length === 0 ? undefined : (name, next) => chain(runs, name, next),
  };
}

/** Runs `interceptors[0](arg, () => interceptors[1](arg, … () => body()))`, each `next` callable once. */
function chain<A>(
  interceptors: ((arg: A, next: () => Promise<void>) => Promise<void>)[],
  arg: A,
  body: () => Promise<void>,
): Promise<void> {
  const step = (i: number): Promise<void> => {
    if (i === interceptors.length) return body();
    let called = false;
    const next = () => {
      if (called) return Promise.reject(new Error("an interceptor called next() more than once"));
      called = true;
      return step(i + 1);
    };
    return Promise.resolve().then(() => interceptors[i]!(arg, next));
  };
  return step(0);
}

/**
 * Runs `body` inside the handler interceptor. Both `next()` and the interceptor's own promise give up when
 * `attemptEnded` rejects, so a suspended attempt unwinds the interceptors instead of leaving them waiting forever.
 */
export async function interceptAttempt(interceptor: HandlerInterceptor, body: () => Promise<void>, attemptEnded: Promise<never>): Promise<void> {
  let bodyRan = false;
  const next = () => {
    bodyRan = true;
    return Promise.race([body(), attemptEnded]);
  };
  await Promise.race([interceptor(next), attemptEnded]);
  if (!bodyRan) throw new Error("the handler interceptor returned without calling next(): the handler did not run");
}

/** `action` wrapped in the run interceptor: the interceptor sees the closure's errors and may replace them. */
export function interceptRun<T>(interceptor: RunInterceptor | undefined, name: string, action: () => T | Promise<T>): () => T | Promise<T> {
  if (interceptor === undefined) return action;
  return async () => {
    let ran = false;
    let result: T;
    await interceptor(name, async () => {
      ran = true;
      result = await action();
    });
    if (!ran) throw new Error(`the run interceptor returned without calling next(): ctx.run '${name}' did not execute`);
    return result!;
  };
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === "function";
}
