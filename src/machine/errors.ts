// Errors the state machine raises (each carries the protocol error code it ends the attempt with), what each way
// of failing an attempt tells the server, and the ErrorMessage a failed attempt ends with.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { ErrorBehavior, type ErrorMessage } from "../protocol/generated/protocol.js";
import { MessageType } from "../protocol/message-types.js";
import type { AttemptFailure, RunError, RunHandleFacts } from "./machine-state.js";
import { describeKey, type NotificationKey } from "./notifications.js";

/** Code diverged from the journal (code 570). The message names the entry, what was recorded and what the code did. */
export class JournalMismatchError extends Error {
  readonly code = ErrorCode.JOURNAL_MISMATCH;
  constructor(
    message: string,
    readonly commandIndex: number,
    readonly commandName: string | undefined,
    readonly commandType: number | undefined,
  ) {
    super(message);
    this.name = "JournalMismatchError";
  }
}

/** The feature needs a newer protocol version than the one negotiated with the server (code 573). */
export class UnsupportedFeatureError extends Error {
  readonly code = ErrorCode.UNSUPPORTED_FEATURE;
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedFeatureError";
  }
}

/**
 * Thrown into user code that keeps calling the context after the attempt ended (suspended, failed or finished).
 * Nothing it does can be journaled any more; the server will re-run the code in a new attempt if needed.
 */
export class AttemptClosedError extends Error {
  constructor(readonly reason: string) {
    super(`the invocation attempt is already closed (${reason}); this context call has no effect`);
    this.name = "AttemptClosedError";
  }
}

/** The ErrorMessage that ends a failed attempt (V7 adds whether to pause or fail instead of retrying). */
export function errorMessage(version: number, failure: AttemptFailure): ErrorMessage {
  const msg: ErrorMessage = { code: failure.code, message: failure.message };
  if (failure.stacktrace) msg.stacktrace = failure.stacktrace;
  if (failure.related) {
    msg.relatedCommandIndex = failure.related.index;
    if (failure.related.name !== undefined) msg.relatedCommandName = failure.related.name;
    if (failure.related.type !== undefined) msg.relatedCommandType = failure.related.type;
  }
  if (failure.nextRetryDelayMs !== undefined) msg.nextRetryDelay = BigInt(Math.max(0, Math.round(failure.nextRetryDelayMs)));
  if (failure.behavior && version >= 7) msg.behavior = failure.behavior === "pause" ? ErrorBehavior.PAUSE : ErrorBehavior.FAIL;
  return msg;
}

/** The handler awaits what has no result in the journal while the journal still holds commands (570). */
export function awaitMismatchFailure(index: number, awaited: NotificationKey[]): AttemptFailure {
  return {
    code: ErrorCode.JOURNAL_MISMATCH,
    message:
      `Journal mismatch at command index ${index}: the code awaits ${awaited.map(describeKey).join(", ") || "a result"}, which has no result in the journal, ` +
      "while the journal still holds further commands. The handler code changed or is not deterministic.",
    related: { index },
  };
}

/** A ctx.run closure failed and its retry policy retries it after `delayMs`. */
export function runRetryFailure(run: RunHandleFacts, error: RunError, delayMs: number | undefined): AttemptFailure {
  return {
    code: error.code,
    message: `ctx.run '${run.name}' failed: ${error.message}`,
    stacktrace: error.stack,
    nextRetryDelayMs: delayMs,
    related: { index: run.commandIndex, name: run.name, type: MessageType.RunCommand },
  };
}

/**
 * The handler ended with an error that is not terminal: the server retries the invocation. The error's own
 * status code is kept when it is one (400–599), unsupported features answer 573.
 */
export function retryableFailure(error: Error): AttemptFailure {
  const own = (error as { code?: unknown }).code;
  const code =
    error instanceof UnsupportedFeatureError
      ? ErrorCode.UNSUPPORTED_FEATURE
      : typeof own === "number" && own >= 400 && own < 600
        ? own
        : ErrorCode.INTERNAL;
  return { code, message: error.message || error.name, stacktrace: error.stack };
}

/** The request body broke the protocol or could not be read. */
export function inputFailure(error: Error): AttemptFailure {
  return error instanceof ProtocolError
    ? { code: error.code, message: `Protocol violation: ${error.message}` }
    : { code: ErrorCode.PROTOCOL_VIOLATION, message: `Cannot read the request body: ${error.message}` };
}
