// Reading a finished run off its journal: how it ended (output or TerminalError), the commands it issued, the state
// of its key, and the verdict of the final determinism replay.

import type { HandlerEntry } from "../../definition/builders.js";
import { MessageType, isCommand } from "../../protocol/message-types.js";
import { commandView, valueOf, type CommandView } from "./commands.js";
import { errorOf, type Entry } from "./frames.js";
import type { RunResult } from "./options.js";

const utf8d = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** The result of a run that wrote End: its last OutputCommand's value or failure. */
export function endResult(journal: readonly Entry[], handler: HandlerEntry): RunResult {
  const output = [...journal].reverse().find((e) => e.type === MessageType.OutputCommand)?.message;
  if (output?.failure) {
    const f = output.failure;
    const metadata = Object.fromEntries(((f.metadata ?? []) as { key?: string; value?: string }[]).map((x) => [x.key ?? "", x.value ?? ""]));
    return { status: "failed", failure: { code: f.code ?? 0, message: f.message ?? "", metadata } };
  }
  return { status: "completed", output: handler.output.deserialize(output?.value?.content ?? EMPTY) };
}

/** The commands in journal order, numbered as the protocol numbers them (the input is command 0, left out). */
export function commandViews(journal: readonly Entry[]): CommandView[] {
  const views: CommandView[] = [];
  let index = 0;
  for (const e of journal) {
    if (!isCommand(e.type)) continue;
    if (e.type !== MessageType.InputCommand) views.push(commandView(index, e.type, e.message));
    index++;
  }
  return views;
}

/** The initial state with every set/clear of the journal applied. */
export function finalState(journal: readonly Entry[], initial: Record<string, unknown> = {}): Record<string, unknown> {
  const state: Record<string, unknown> = { ...initial };
  for (const { type, message } of journal) {
    if (type === MessageType.SetStateCommand) state[utf8d.decode(message.key ?? EMPTY)] = valueOf(message.value?.content);
    else if (type === MessageType.ClearStateCommand) delete state[utf8d.decode(message.key ?? EMPTY)];
    else if (type === MessageType.ClearAllStateCommand) for (const k of Object.keys(state)) delete state[k];
  }
  return state;
}

/**
 * The verdict of replaying the whole recorded journal once more: undefined when the handler replayed it exactly,
 * otherwise the mismatch (or error) that replay ended with, or the new entries it issued past the journal's end.
 */
export function replayVerdict(check: { entries: Entry[]; terminal: { type: number; message: Record<string, any> } | undefined }): RunResult | undefined {
  const replayError = check.terminal?.type === MessageType.Error ? errorOf(check.terminal.message) : undefined;
  if (replayError) return { status: replayError.code === 570 ? "mismatch" : "error", error: replayError };
  if (check.entries.length === 0) return undefined;
  const extra = check.entries.map((e) => commandView(0, e.type, e.message).summary).join(", ");
  return {
    status: "mismatch",
    error: { code: 570, message: `Replaying the recorded journal, the handler issued new entries after the last recorded one (${extra}): it is not deterministic.` },
  };
}
