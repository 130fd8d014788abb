// `perdure/testing/harness`: the offline journal harness on its own, with no Node built-ins in its import graph, so
// it runs unchanged on Node, Workers (workerd), Deno and Bun. Run a handler against a scripted journal (runHandler),
// build or replay a recorded journal (the frame builders of journal.ts), and check journals saved from a server
// against new code (verifyJournals). `perdure/testing` re-exports all of it next to the Node-only server tooling.

export { runHandler } from "./run-handler.js";
export type { HandlerRun, HandlerRunStatus, RecordedJournal, RunHandlerOptions } from "./options.js";
export type { JournalEntry, Pending, ScriptedFailure, ScriptedResult } from "./script.js";
export type { CommandView } from "./commands.js";
export type { AttemptError } from "./frames.js";
export {
  MessageType,
  HARNESS_DEBUG_ID,
  HARNESS_INVOCATION_ID,
  HARNESS_RANDOM_SEED,
  bytesToHex,
  callCompletionFrame,
  callFrame,
  callInvocationIdFrame,
  concatBytes,
  decodeFrames,
  frame,
  hexToBytes,
  inputFrame,
  json,
  notificationFrame,
  rawFrame,
  recordedJournal,
  runCompletionFrame,
  runFailureFrame,
  runFrame,
  signalFrame,
  sleepCompletionFrame,
  sleepFrame,
  startFrame,
} from "./journal.js";
export type { Message } from "./journal.js";
export { verifyJournals, formatReport, IN_FLIGHT_STATUSES } from "./verify-journals.js";
export type { SavedJournal, JournalVerdict, VerdictStatus, VerifyReport } from "./verify-journals.js";
