// Executes a ctx.run closure and turns its outcome into a run proposal or an attempt failure.
// A terminal error becomes the run's journaled result. Any other error is retried: with a retry policy we compute the
// next delay ourselves and hand it to the server; once the policy is exhausted the failure is journaled as terminal.

import { ErrorCode } from "../protocol/errors.js";
import { serializeFor } from "./guardrails.js";
import type { InvocationMachine } from "../machine/invocation-machine.js";
import type { RunHandle } from "../machine/syscalls.js";
import { MessageType } from "../protocol/message-types.js";
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

const DEFAULT_INITIAL_INTERVAL_MS = 50;
const DEFAULT_MAX_INTERVAL_MS = 10_000;
const DEFAULT_FACTOR = 2;

function hasPolicy(o: RunRetryOptions): boolean {
  return (
    o.maxRetryAttempts !== undefined ||
    o.maxRetryDuration !== undefined ||
    o.initialRetryInterval !== undefined ||
    o.maxRetryInterval !== undefined ||
    o.retryIntervalFactor !== undefined
  );
}

export type RetryDecision = { retry: true; delayMs: number | undefined } | { retry: false };

/**
 * attempt = this run's execution number (1-based) in the current retry loop; elapsedMs = time spent in it.
 * Without any policy option, the server's own retry policy applies (delay undefined, never exhausted).
 */
export function decideRetry(opts: RunRetryOptions, attempt: number, elapsedMs: number, retryAfterMs?: number): RetryDecision {
  if (!hasPolicy(opts)) return { retry: true, delayMs: retryAfterMs };
  if (opts.maxRetryAttempts !== undefined && attempt >= opts.maxRetryAttempts) return { retry: false };
  if (opts.maxRetryDuration !== undefined && elapsedMs >= durationToMs(opts.maxRetryDuration)) return { retry: false };
  const initial = opts.initialRetryInterval !== undefined ? durationToMs(opts.initialRetryInterval) : DEFAULT_INITIAL_INTERVAL_MS;
  const max = opts.maxRetryInterval !== undefined ? durationToMs(opts.maxRetryInterval) : DEFAULT_MAX_INTERVAL_MS;
  const factor = opts.retryIntervalFactor ?? DEFAULT_FACTOR;
  const computed = Math.min(initial * Math.pow(factor, attempt - 1), max);
  return { retry: true, delayMs: retryAfterMs ?? computed };
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
      failRun(machine, handle, name, mapToTerminal(thrown, asTerminalError), opts, Date.now() - startedAt);
      return;
    }
    if (machine.state === "closed") return;
    let bytes: Uint8Array;
    try {
      bytes = serializeFor(`ctx.run('${name}') result`, value, (v) => serde.serialize(v));
    } catch (thrown) {
      const e = ensureError(thrown);
      // Retrying re-executes the closure and fails the same way: say so, so the retries are not silent.
      machine.fail({ code: ErrorCode.INTERNAL, message: `${e.message} (retries fail the same way)`, stacktrace: e.stack, related: related(handle, name) });
      return;
    }
    machine.proposeRunCompletion(handle.completionId, { value: bytes });
  };
  settle()
    .catch((e) => machine.fail({ code: ErrorCode.INTERNAL, message: `ctx.run '${name}': ${ensureError(e).message}` }))
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

function related(handle: RunHandle, name: string) {
  return { index: handle.commandIndex, name, type: MessageType.RunCommand };
}

function failRun(machine: InvocationMachine, handle: RunHandle, name: string, thrown: unknown, opts: RunRetryOptions, tookMs: number): void {
  if (machine.state === "closed") return;
  if (thrown instanceof TerminalError) {
    machine.proposeRunCompletion(handle.completionId, { failure: { tag: "failure", failure: failureOf(thrown) } });
    return;
  }
  const error = ensureError(thrown);
  const start = machine.startMessage;
  const previousAttempts = handle.firstNewEntry ? (start.retryCountSinceLastStoredEntry ?? 0) : 0;
  const previousMs = handle.firstNewEntry ? Number(start.durationSinceLastStoredEntry ?? 0n) : 0;
  const retryAfter = error instanceof RetryableError && error.retryAfter !== undefined ? durationToMs(error.retryAfter) : undefined;
  const decision = decideRetry(opts, previousAttempts + 1, previousMs + tookMs, retryAfter);
  if (decision.retry) {
    machine.fail({
      code: error instanceof RetryableError ? error.code : ErrorCode.INTERNAL,
      message: `ctx.run '${name}' failed: ${error.message}`,
      stacktrace: error.stack,
      nextRetryDelayMs: decision.delayMs,
      related: related(handle, name),
    });
    return;
  }
  const attempts = previousAttempts + 1;
  const terminal = new TerminalError(`ctx.run '${name}' failed after ${attempts} attempt(s): ${error.message}`, { errorCode: ErrorCode.INTERNAL });
  machine.proposeRunCompletion(handle.completionId, { failure: { tag: "failure", failure: failureOf(terminal) } });
}
