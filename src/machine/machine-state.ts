// The data of the invocation state machine: its states (a discriminated union, each carrying what belongs to that
// phase), the decisions it answers and the options it is built with. Types only.

import type { AttemptLimits } from "./limits.js";
import type { NotificationKey } from "./notifications.js";

/** Where the attempt is, with the data that belongs to that phase. */
export type MachineState =
  | { readonly name: "waiting-start" }
  | { readonly name: "waiting-replay-entries"; readonly expected: number; readonly received: number }
  | { readonly name: "replaying"; readonly queue: readonly RecordedCommand[]; readonly position: number }
  | { readonly name: "processing" }
  | {
      readonly name: "closed";
      readonly reason: string;
      /** The ErrorMessage the attempt ended with, if it failed. */
      readonly failure: AttemptFailure | undefined;
      /** When it suspended: the notifications it waits for. */
      readonly suspendedOn?: readonly NotificationKey[];
    };

/**
 * What an attempt whose handler awaits something without a result must do (decideAwait):
 * wait (a ctx.run closure is executing, or the request body is still open and more may arrive), suspend on the
 * awaited notifications (the closed state's `suspendedOn` lists them), or — still replaying, so the journal holds
 * further commands the code did not reach — end with a journal mismatch (570).
 */
export type AwaitDecision = "wait" | "suspend" | "mismatch";

export interface MachineOptions {
  /** How journal mismatches end the attempt (the handler's `onJournalMismatchErrors`); pause and fail from V7 on. */
  mismatchBehavior?: MismatchBehavior;
  /** What this attempt may accumulate; exceeding one ends the attempt with an ErrorMessage naming it. */
  limits?: AttemptLimits;
}

/** A failed ctx.run execution, as the context saw it. */
export interface RunError {
  code: number;
  message: string;
  stack?: string;
  /** A delay the error asked for (RetryableError.retryAfter). */
  retryAfterMs?: number;
}

/** What a ctx.run is, for the machine: its completion id, command index and whether it is the retried entry. */
export interface RunHandleFacts {
  completionId: number;
  commandIndex: number;
  name: string;
  firstNewEntry: boolean;
}

export interface RecordedCommand {
  readonly type: number;
  // The decoded generated message; its shape depends on `type`.
  readonly message: Record<string, any>;
}

export interface AttemptFailure {
  code: number;
  message: string;
  stacktrace?: string;
  nextRetryDelayMs?: number;
  related?: { index: number; name?: string; type?: number };
  /** V7: pause or fail the invocation instead of retrying it (ignored by older protocol versions). */
  behavior?: "pause" | "fail";
}

/** What to do with journal mismatches (the handler's `onJournalMismatchErrors` option). */
export type MismatchBehavior = "retry" | "pause" | "fail";
