// Runs one attempt of a handler on a ready state machine, and maps how user code ends to the terminal frame:
// a value → Output + End; a TerminalError → Output(failure) + End; anything else → ErrorMessage (the server retries).

import { AttemptClosedError, JournalMismatchError } from "../machine/errors.js";
import type { InvocationMachine } from "../machine/invocation-machine.js";
import type { InvocationInput } from "../machine/invocation-input.js";
import { describeKey } from "../machine/notifications.js";
import * as sys from "../machine/syscalls.js";
import { ContextImpl, type InvocationMeta } from "./context-impl.js";
import { RestateError, SUSPENDED_ERROR_CODE, TerminalError, ensureError, failureOf } from "./errors.js";
import type { HandlerEntry } from "../definition/service-model.js";
import type { Request } from "./context-types.js";
import { instantiateHooks, interceptAttempt, type AttemptHooks } from "./hooks.js";
import { LogSource, LoggerContext, RestateLogLevel, logLine, loggerTransportOf } from "./logging.js";
import { INVALID_JSON_PREFIX } from "../serde/json.js";

const EMPTY = new Uint8Array(0);

export interface AttemptResult {
  /**
   * How the attempt ended: "completed", "suspended", "suspended: eager-runs budget of N ms spent" (it stopped
   * continuing eagerly, on purpose) or "failed with code N".
   */
  reason: string;
  /** Awaited ctx.run results used before the server stored them (eager runs). */
  eagerRuns: number;
  /** When suspended: what the attempt was waiting for. */
  suspendedOn?: string;
}

/** Runs the handler until the machine writes its terminal frame. Never rejects. */
export function runAttempt(machine: InvocationMachine, handler: HandlerEntry, meta: Omit<InvocationMeta, "attemptCompletedSignal">): Promise<AttemptResult> {
  const startedAt = Date.now();
  // The abort signal is created only if user code asks for it (AbortController is not free on every runtime).
  let attemptCompleted: AbortController | undefined;
  let closedReason: string | undefined;
  const attemptCompletedSignal = () => {
    if (!attemptCompleted) {
      attemptCompleted = new AbortController();
      if (closedReason !== undefined) attemptCompleted.abort(new Error(`attempt ${closedReason}`));
    }
    return attemptCompleted.signal;
  };
  let ctx: ContextImpl | undefined;
  const closed = new Promise<AttemptResult>((resolve) => {
    machine.whenClosed((reason) => {
      closedReason = reason;
      attemptCompleted?.abort(new Error(`attempt ${reason}`));
      const state = machine.state;
      const suspendedOn = state.name === "closed" ? state.suspendedOn?.map(describeKey).join(", ") : undefined;
      const eager = ctx?.scheduler.eager;
      if (reason === "suspended" && eager?.budgetSpent) reason = `suspended: eager-runs budget of ${handler.execution.eagerRunsBudgetMs} ms spent`;
      resolve({ reason, eagerRuns: eager?.count ?? 0, ...(suspendedOn ? { suspendedOn } : {}) });
    });
  });
  const logger = loggerTransportOf(handler);
  let context: ContextImpl;
  let hooks: AttemptHooks;
  try {
    context = ctx = new ContextImpl(machine, { ...meta, attemptCompletedSignal, logger });
  } catch (e) {
    machine.failInternal("cannot create the handler context", ensureError(e));
    return closed;
  }
  // The attempt's lifecycle lines, with the official SDK's texts, levels and source (JOURNAL), through the
  // endpoint's logger; they are never marked as replayed (one line per attempt). Straight to the transport: no
  // Console object per attempt.
  let logContext: LoggerContext | undefined;
  const systemLog: JournalLog = (level, message, ...rest) => {
    logContext ??= new LoggerContext(meta.input.debugId, meta.service, meta.handler, meta.input.key || undefined);
    logLine(logger, { source: LogSource.JOURNAL, level, replaying: false, context: logContext }, message, rest);
  };
  systemLog(RestateLogLevel.INFO, machine.isReplaying ? "Replaying invocation." : "Starting invocation.");
  machine.whenClosed((reason) => {
    if (reason === "completed") return; // logged where the output is written (success) or below (terminal failure)
    if (reason === "suspended") systemLog(RestateLogLevel.INFO, "Invocation suspended");
    else if (isFirstFailure(machine, meta.input)) systemLog(RestateLogLevel.WARN, retryHint(handler));
  });
  try {
    hooks = instantiateHooks(handler.execution.hooks, () => context.request() as Request);
  } catch (e) {
    endWithError(machine, e, handler, systemLog);
    return closed;
  }
  context.runInterceptor = hooks.run;
  const budget = handler.execution.eagerRunsBudgetMs;
  if (budget !== undefined) context.scheduler.eager.deadline = startedAt + budget;
  // Rejects when the attempt ends (suspension, failure): interceptors waiting on next() unwind instead of hanging.
  const attemptEnded = hooks.handler && new Promise<never>((_, reject) => machine.whenClosed((reason) => reject(attemptEndError(machine, reason))));
  attemptEnded?.catch(() => {});

  // Decoding the input, the handler and encoding its output: what the handler interceptor wraps.
  let output: Uint8Array | undefined;
  const body = async () => {
    let input: unknown;
    try {
      input = handler.input.deserialize(meta.input.body);
    } catch (e) {
      // Bad input will not get better with retries: answer the caller with 400.
      // The official SDK's wording (the parser's own message after the prefix), so that callers and tests matching
      // on it see the same failure.
      const reason = ensureError(e).message.replace(INVALID_JSON_PREFIX, "");
      throw new TerminalError(`Failed to deserialize input: ${reason}`, { errorCode: 400 });
    }
    let value: unknown;
    try {
      value = await handler.fn(context, input);
      // Once per attempt, on success only: durable operations the handler started and forgot to await.
      const floating = context.floating();
      if (floating) systemLog(RestateLogLevel.WARN, floating);
    } finally {
      await context.scheduler.whenRunsIdle();
    }
    if (machine.isClosed) return;
    try {
      output = handler.output.serialize(value);
    } catch (e) {
      const err = ensureError(e);
      throw Object.assign(new Error(`Cannot serialize the output of ${meta.service}/${meta.handler}: ${err.message}`, { cause: err }), { stack: err.stack });
    }
  };

  Promise.resolve()
    .then(() => (hooks.handler && attemptEnded ? interceptAttempt(hooks.handler, body, attemptEnded) : body()))
    .then(
      () => {
        if (machine.isClosed) return;
        // No output only when an interceptor swallowed the handler's error: that makes the attempt a success.
        sys.output(machine, { value: output ?? EMPTY });
        machine.end();
        systemLog(RestateLogLevel.INFO, "Invocation completed successfully.");
      },
      (thrown) => endWithError(machine, thrown, handler, systemLog),
    )
    .catch((e) => endWithError(machine, e, handler, systemLog));
  return closed;
}

/**
 * What interceptors waiting on next() see when the attempt ends under them: a suspension (or a dropped connection)
 * is a RestateError with code 599 (restate.internal.isSuspendedError), as in the official SDK; a failure keeps its reason.
 */
function attemptEndError(machine: InvocationMachine, reason: string): Error {
  if (reason === "suspended" || reason.startsWith("abandoned")) {
    return new RestateError("Suspended invocation", { errorCode: SUSPENDED_ERROR_CODE, cause: new AttemptClosedError(reason) });
  }
  const failure = machine.failure;
  if (failure) return new RestateError(failure.message, { errorCode: failure.code, cause: new AttemptClosedError(reason) });
  return new AttemptClosedError(reason);
}

function finishWithFailure(machine: InvocationMachine, error: TerminalError): void {
  sys.output(machine, { failure: failureOf(error) });
  machine.end();
}

/** One lifecycle line of the attempt, at `level`. */
type JournalLog = (level: RestateLogLevel, message: unknown, ...rest: unknown[]) => void;

function endWithError(machine: InvocationMachine, thrown: unknown, handler: HandlerEntry, log: JournalLog): void {
  if (machine.isClosed) return; // suspended, mismatched or finished already: nothing to add
  if (thrown instanceof AttemptClosedError || thrown instanceof JournalMismatchError) return;
  let converted: TerminalError | undefined;
  try {
    converted = handler.execution?.asTerminalError?.(thrown);
  } catch (e) {
    // A throwing mapper must not leave the attempt hanging: the original error stays retryable, and we say why.
    log(RestateLogLevel.WARN, "asTerminalError threw while mapping an error; the error is retried as it is:", e);
  }
  if (thrown instanceof TerminalError || converted) {
    const terminal = (converted ?? thrown) as TerminalError;
    log(RestateLogLevel.WARN, "Error when processing a Restate context operation.\n", terminal);
    try {
      finishWithFailure(machine, (converted ?? thrown) as TerminalError);
    } catch (e) {
      if (!(e instanceof AttemptClosedError || e instanceof JournalMismatchError)) throw e;
    }
    return;
  }
  const error = ensureError(thrown);
  log(RestateLogLevel.WARN, "Error when processing a Restate context operation.\n", error);
  machine.failRetryable(error);
}

/** The first failed attempt since the journal last grew (the server counts retries from the last stored entry). */
function isFirstFailure(machine: InvocationMachine, input: InvocationInput): boolean {
  const failure = machine.failure;
  return !!failure && !failure.behavior && !input.retry.count;
}

/** One hint per invocation on its first retryable failure: how to stop retrying, and the retry policy in force. */
export function retryHint(handler: HandlerEntry): string {
  const p = handler.options.retryPolicy;
  return `Retrying this invocation. Throw a TerminalError to stop retrying; retryPolicy: ${p ? JSON.stringify(p) : "the service's or server's default"}`;
}
