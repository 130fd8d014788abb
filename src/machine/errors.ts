// Errors the state machine raises. Each carries the protocol error code it ends the attempt with.

import { ErrorCode } from "../protocol/errors.js";

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
