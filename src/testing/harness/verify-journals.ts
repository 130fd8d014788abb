// Replaying journals saved from a restate-server against new code (the portable half of `perdure verify`): each
// saved journal (the stored protocol messages, hex) is replayed offline with the harness in replay-only mode, and an
// invocation whose journal the new code does not follow — it would hit a journal mismatch (570) once deployed — is
// reported with the command index, what the journal recorded and what the code does now. No server and no Node
// built-ins: saved journals can be checked in CI, or inside workerd, Deno or Bun. Fetching them from a running server
// is src/testing/verify.ts.

import { serviceEntryOf } from "../../definition/builders.js";
import { encodeFrame } from "../../protocol/frame.js";
import { MessageType, isCommand } from "../../protocol/message-types.js";
import { commandView } from "./commands.js";
import { decodeFrame, entryOf } from "./frames.js";
import { hexToBytes } from "./journal.js";
import { runHandler } from "./run-handler.js";

/** One in-flight invocation's journal as the server stores it; plain JSON, so it can be saved to a file. */
export interface SavedJournal {
  invocationId: string;
  /** `Service/handler` or `Object/key/handler`. */
  target: string;
  service: string;
  handler: string;
  key?: string;
  /** Status when fetched: suspended, backing-off, paused, running. */
  status: string;
  /** Service protocol version the invocation is pinned to. */
  protocolVersion: number;
  /** Journal entries in order: the server's type name (`Command: Sleep`), entry name, message bytes as hex. */
  entries: Array<{ index: number; entryType: string; name: string; raw: string }>;
}

export type VerdictStatus = "compatible" | "mismatch" | "missing-handler" | "unreadable";

export interface JournalVerdict {
  invocationId: string;
  target: string;
  /** The invocation's status on the server. */
  serverStatus: string;
  status: VerdictStatus;
  /** Command index (the input is 0) where the new code diverges. */
  commandIndex?: number;
  /** The recorded command at that index, e.g. `sleep` or `run "charge"`. */
  recorded?: string;
  /** What the new code does there, e.g. `RunCommand named 'new-step'`. */
  now?: string;
  /** One sentence: why. */
  detail: string;
}

export interface VerifyReport {
  /** True when no in-flight invocation would break. */
  ok: boolean;
  verdicts: JournalVerdict[];
  /** The verdicts that are not `compatible`. */
  problems: JournalVerdict[];
}

/** Statuses whose invocations have a journal the new code must follow. */
export const IN_FLIGHT_STATUSES = ["suspended", "backing-off", "paused", "running"] as const;

/** `Command: Sleep` → SleepCommand, `Notification: CallInvocationId` → CallInvocationIdCompletion, signals. */
export function messageTypeOfEntry(entryType: string): number | undefined {
  const m = /^(Command|Notification):\s*(\w+)$/.exec(entryType.trim());
  if (!m) return undefined;
  const [, kind, name] = m;
  const table = MessageType as Record<string, number>;
  if (kind === "Command") return table[`${name}Command`];
  if (name === "Signal") return MessageType.SignalNotification;
  return table[`${name}Completion`] ?? table[`${name}Notification`];
}

/** `Journal mismatch at command index 1: the journal has X, but the code issued Y. …` → its parts. */
export function parseMismatch(message: string): { index?: number; detail: string; now?: string } {
  const m = /Journal mismatch at command index (\d+):\s*(.+?)\.(?:\s+The handler|\s*$)/s.exec(message);
  if (!m) return { detail: message };
  const detail = m[2]!;
  const now = /but the code issued (.+)$/.exec(detail)?.[1] ?? /the code awaits (.+?), which/.exec(detail)?.[1];
  return now !== undefined ? { index: Number(m[1]), detail, now } : { index: Number(m[1]), detail };
}

/** Frames to replay: every stored entry, plus a failed completion for a run still in progress (so it never re-runs). */
function framesOf(journal: SavedJournal): { frames: Uint8Array[]; commands: Array<{ type: number; message: Record<string, any> }> } {
  const frames: Uint8Array[] = [];
  const commands: Array<{ type: number; message: Record<string, any> }> = [];
  const runs = new Set<number>();
  const completed = new Set<number>();
  for (const entry of journal.entries) {
    const type = messageTypeOfEntry(entry.entryType);
    if (type === undefined) {
      if (/^(Command|Notification):/.test(entry.entryType)) throw new Error(`journal entry ${entry.index} has a type perdure cannot replay: ${entry.entryType}`);
      continue; // not a protocol entry: nothing the code replays
    }
    const frame = encodeFrame(type, 0, hexToBytes(entry.raw));
    const { message } = decodeFrame(frame);
    frames.push(frame);
    if (isCommand(type)) commands.push({ type, message });
    if (type === MessageType.RunCommand) runs.add(message.resultCompletionId);
    if (type === MessageType.RunCompletion) completed.add(message.completionId);
  }
  for (const id of runs) {
    if (completed.has(id)) continue;
    frames.push(entryOf(MessageType.RunCompletion, { completionId: id, failure: { code: 500, message: "in progress when the journal was taken" } }).frame);
  }
  return { frames, commands };
}

/** Replays each journal against `definitions` (the new code's services) and says which ones would break. */
export async function verifyJournals(journals: readonly SavedJournal[], definitions: ReadonlyArray<{ name: string }>): Promise<VerifyReport> {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const verdicts: JournalVerdict[] = [];
  for (const journal of journals) {
    const base = { invocationId: journal.invocationId, target: journal.target, serverStatus: journal.status };
    const definition = byName.get(journal.service);
    if (!definition || !serviceEntryOf(definition).handlers.has(journal.handler)) {
      verdicts.push({ ...base, status: "missing-handler", detail: `the new code has no ${definition ? `handler ${journal.handler} in ${journal.service}` : `service ${journal.service}`}` });
      continue;
    }
    let replay;
    try {
      replay = framesOf(journal);
    } catch (err) {
      verdicts.push({ ...base, status: "unreadable", detail: `cannot decode the stored journal: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    const options = {
      replay: { frames: replay.frames, protocolVersion: journal.protocolVersion },
      verifyReplay: false,
      noNewEffects: true,
      maxAttempts: 5,
      ...(journal.key !== undefined ? { key: journal.key } : {}),
    };
    let run;
    try {
      run = await runHandler(definition, journal.handler, options);
    } catch (err) {
      verdicts.push({ ...base, status: "compatible", detail: `replayed the whole journal (then: ${err instanceof Error ? err.message : String(err)})` });
      continue;
    }
    if (run.status !== "mismatch") {
      verdicts.push({ ...base, status: "compatible", detail: `replays all ${replay.commands.length} recorded command(s)` });
      continue;
    }
    const parsed = parseMismatch(run.error?.message ?? "");
    const index = parsed.index ?? run.error?.command?.index;
    const recordedCommand = index !== undefined ? replay.commands[index] : undefined;
    const verdict: JournalVerdict = { ...base, status: "mismatch", detail: parsed.detail };
    if (index !== undefined) verdict.commandIndex = index;
    if (recordedCommand) verdict.recorded = commandView(index!, recordedCommand.type, recordedCommand.message).summary;
    if (parsed.now !== undefined) verdict.now = parsed.now;
    verdicts.push(verdict);
  }
  const problems = verdicts.filter((v) => v.status !== "compatible");
  return { ok: problems.length === 0, verdicts, problems };
}

/** Readable lines: one per invocation that would break, then a summary line. */
export function formatReport(report: VerifyReport): string[] {
  const lines: string[] = [];
  for (const v of report.problems) {
    lines.push(`✗ ${v.invocationId} ${v.target} (${v.serverStatus})`);
    if (v.status === "mismatch") {
      const at = v.commandIndex !== undefined ? `command #${v.commandIndex}` : "a command";
      if (v.now !== undefined) lines.push(`    ${at}: the journal recorded ${v.recorded ?? "?"}, the code now issues ${v.now}`);
      else lines.push(`    ${at} (recorded: ${v.recorded ?? "?"}): ${v.detail}`);
    } else {
      lines.push(`    ${v.detail}`);
    }
  }
  const n = report.verdicts.length;
  lines.push(
    report.ok
      ? `✓ ${n} in-flight invocation(s) checked: the new code replays every journal`
      : `${report.problems.length} of ${n} in-flight invocation(s) would break: keep the old code path until they finish, or cancel/kill them first`,
  );
  return lines;
}
