// The harness's replay-only mode (`noNewEffects`, used by verifyJournals): the recorded journal is replayed and
// nothing new takes effect past its end. A new `ctx.run` gets a failed completion instead of running its closure, and
// a new sleep never fires, so checking old journals against new code executes no side effect of the new code.

import { MessageType } from "../../protocol/message-types.js";
import { entryOf, type Entry } from "./frames.js";

const NOT_EXECUTED = { code: 500, message: "not executed: past the end of the recorded journal" };

/** The notifications for a command written past the journal's end, or undefined when the command is not an effect. */
export function replayOnlyAnswer(type: number, m: Record<string, any>): Entry[] | undefined {
  if (type === MessageType.SleepCommand) return [];
  if (type === MessageType.RunCommand) return [entryOf(MessageType.RunCompletion, { completionId: m.resultCompletionId, failure: NOT_EXECUTED })];
  return undefined;
}
