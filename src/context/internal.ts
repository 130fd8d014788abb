// `restate.internal`: the official SDK's experimental extras, with the same names. ContextImpl implements
// ContextInternal, so `ctx as restate.internal.ContextInternal` works on every handler context.

import type { Context, InvocationId } from "./context-types.js";
import { RestateError, SUSPENDED_ERROR_CODE } from "./errors.js";
import type { RestatePromise } from "./restate-promise.js";

/** @experimental Context members beyond the public Context interface. */
export interface ContextInternal extends Context {
  /** True while executing new code, false while replaying. Never branch on it: that breaks determinism. */
  isProcessing(): boolean;
  /**
   * Resolves (with undefined) when the invocation is cancelled. Needs the `explicitCancellation` option; without it
   * cancellation fails the pending awaits instead. The same promise is returned until it resolves, then a new one.
   */
  cancellation(): RestatePromise<void>;
  /** Cancels the calls made so far by this handler (with `explicitCancellation`; otherwise resolves to []). */
  cancelPreviousCalls(): RestatePromise<InvocationId[]>;
}

/**
 * True when the error only says that the attempt is ending without a failure (suspension, or the connection was
 * dropped): what a handler interceptor sees from `next()` then.
 */
export function isSuspendedError(e: unknown): boolean {
  return e instanceof RestateError && e.code === SUSPENDED_ERROR_CODE;
}
