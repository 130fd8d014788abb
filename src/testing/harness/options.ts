// What runHandler takes and what it reports.

import type { CommandView } from "./commands.js";
import type { AttemptError } from "./frames.js";
import type { RecordedJournal } from "./journal.js";
import type { JournalEntry } from "./script.js";

export type { RecordedJournal };

export interface RunHandlerOptions {
  /** The handler's input (serialized with the handler's input serde). */
  input?: unknown;
  /** Raw input bytes instead of `input`. */
  inputBytes?: Uint8Array;
  /** Object or workflow key (default `"test-key"` for keyed services). */
  key?: string;
  /** Initial state of the object/workflow key, JSON-encoded (a Uint8Array value is taken as raw bytes). */
  state?: Record<string, unknown>;
  /** Serve state lazily (as with `enableLazyState`): each get is a round trip answered from `state`. */
  lazyState?: boolean;
  /** Recorded results, in the order the handler needs them. */
  journal?: JournalEntry[];
  /** Start from a journal recorded by an earlier run (e.g. with the previous version of the handler). */
  replay?: RecordedJournal;
  /** Headers of the invocation (`ctx.request().headers`). */
  headers?: Record<string, string>;
  /** Service protocol version spoken (default 6, what a stock restate-server 1.7 negotiates). */
  protocolVersion?: 5 | 6 | 7;
  /** Seed of `ctx.rand` (V6+). */
  randomSeed?: bigint;
  /** Attempts after a retryable error before giving up with status "error" (default 0). */
  retries?: number;
  /** Replay the recorded journal once more at the end to check determinism (default true). */
  verifyReplay?: boolean;
  /** Safety net against handlers that never settle their journal (default 100). */
  maxAttempts?: number;
  /**
   * Replay the recorded journal only (used by `verifyJournals`): past its end no closure runs and nothing fires —
   * a new `ctx.run` fails with a TerminalError instead of executing, a new sleep never completes.
   */
  noNewEffects?: boolean;
}

export type HandlerRunStatus = "completed" | "failed" | "error" | "mismatch" | "suspended";

export interface HandlerRun<O = unknown> {
  /**
   * completed: returned a value · failed: ended with a TerminalError · error: threw a retryable error (the server
   * would retry) · mismatch: journal mismatch (code 570) · suspended: waits for something the script does not provide.
   */
  status: HandlerRunStatus;
  /** The returned value (status completed), decoded with the handler's output serde. */
  output?: O;
  /** The TerminalError the invocation ended with (status failed). */
  failure?: { code: number; message: string; metadata: Record<string, string> };
  /** The attempt's error (status error or mismatch). */
  error?: AttemptError;
  /** What the handler waits for (status suspended), e.g. `completion 3 (call Payments/charge)`. */
  waitingOn?: string[];
  /** Every command the handler issued, in journal order (the input excluded). */
  commands: CommandView[];
  /** The state of the key after the run (initial state with every set/clear applied), JSON-decoded. */
  state: Record<string, unknown>;
  /** Script entries nothing asked for. */
  unusedJournal: JournalEntry[];
  /** HTTP attempts it took (each suspension or retry starts a new one). */
  attempts: number;
  /** The journal as recorded, to replay it later (`replay` option) against changed code. */
  journal: RecordedJournal;
}

/** How a run ended, before the journal-wide facts (commands, state, …) are added. */
export type RunResult = Omit<HandlerRun, "commands" | "state" | "unusedJournal" | "attempts" | "journal">;
