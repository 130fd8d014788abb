// Executes a ctx.run closure and hands its outcome to the machine: a value or a terminal error becomes the run's
// journaled result; any other error, and a result that cannot be serialized, goes to the machine, which applies the
// run's retry policy (InvocationMachine.failRun).

import { ErrorCode } from "../protocol/errors.js";
import { serializeFor } from "./guardrails.js";
import type { InvocationMachine } from "../machine/invocation-machine.js";
import type { RunHandle } from "../machine/syscalls.js";
import type { RunRetryPolicy } from "../machine/run-retry.js";
import { durationToMs, type Duration } from "./duration.js";
import { RetryableError, TerminalError, ensureError, failureOf } from "./errors.js";
import type { Scheduler } from "./scheduler.js";
import type { Serde } from "../serde/index.js";

export interface RunRetryOptions {
  maxRetryAttempts?: number;
  maxRetryDuration?: Duration | number;
  initialRetryInterval?: Duration | number;
  maxRetryInterval?: Duration | number;
  retryIntervalFactor?: number;
}

/** The user's retry options in milliseconds (durations are checked here, where a bad one fails the run). */
function retryPolicy(o: RunRetryOptions): RunRetryPolicy {
  const ms = (d: Duration | number | undefined) => (d === undefined ? undefined : durationToMs(d));
  return {
    maxAttempts: o.maxRetryAttempts,
    maxDurationMs: ms(o.maxRetryDuration),
    initialIntervalMs: ms(o.initialRetryInterval),
    maxIntervalMs: ms(o.maxRetryInterval),
    factor: o.retryIntervalFactor,
  };
}

export function executeRun<T>(
  machine: InvocationMachine,
  scheduler: Scheduler,
  handle: RunHandle,
  name: string,
  action: () => T | Promise<T>,
  serde: Serde<T>,
  opts: RunRetryOptions,
  asTerminalError?: (error: unknown) => TerminalError | undefined,
): void {
  scheduler.runStarted();
  const startedAt = Date.now();
  const settle = async () => {
    let value: T;
    try {
      value = await action();
    } catch (thrown) {
      failRun(machine, handle, mapToTerminal(thrown, asTerminalError), opts, Date.now() - startedAt);
      return;
    }
    if (machine.isClosed) return;
    let bytes: Uint8Array;
    try {
      bytes = serializeFor(`ctx.run('${name}') result`, value, (v) => serde.serialize(v));
    } catch (thrown) {
      // The run fails under its retry policy (exhausted: the failure is journaled); retrying re-executes the closure
      // and fails the same way, so the error says so and the retries are not silent.
      const error = ensureError(thrown);
      error.message += " (retries fail the same way)";
      failRun(machine, handle, error, opts, Date.now() - startedAt);
      return;
    }
    machine.proposeRunCompletion(handle.completionId, { value: bytes });
  };
  settle()
    .catch((e) => machine.failInternal(`ctx.run '${name}'`, ensureError(e)))
    .finally(() => scheduler.runFinished());
}

/** The handler's asTerminalError applies to what a closure throws: a mapped error is the run's journaled failure. */
function mapToTerminal(thrown: unknown, asTerminalError: ((error: unknown) => TerminalError | undefined) | undefined): unknown {
  if (thrown instanceof TerminalError || !asTerminalError) return thrown;
  try {
    return asTerminalError(thrown) ?? thrown;
  } catch {
    return thrown;
  }
}

function failRun(machine: InvocationMachine, handle: RunHandle, thrown: unknown, opts: RunRetryOptions, tookMs: number): void {
  if (machine.isClosed) return;
  if (thrown instanceof TerminalError) {
    machine.proposeRunCompletion(handle.completionId, { failure: { tag: "failure", failure: failureOf(thrown) } });
    return;
  }
  const error = ensureError(thrown);
  const retryable = error instanceof RetryableError;
  machine.failRun(
    handle,
    {
      code: retryable ? error.code : ErrorCode.INTERNAL,
      message: error.message,
      stack: error.stack,
      retryAfterMs: retryable && error.retryAfter !== undefined ? durationToMs(error.retryAfter) : undefined,
    },
    retryPolicy(opts),
    tookMs,
  );
}
