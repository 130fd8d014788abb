// Errors the state machine raises (each carries the protocol error code it ends the attempt with), and the
// ErrorMessage a failed attempt ends with.

import { ErrorCode } from "../protocol/errors.js";
import { ErrorBehavior, type ErrorMessage } from "../protocol/generated/protocol.js";
import type { AttemptFailure } from "./machine-state.js";

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
