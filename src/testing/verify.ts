// Determinism check before a deploy: the journals of invocations still in flight on a restate-server (read from its
// introspection: `sys_invocation` + the stored protocol messages in `sys_journal.raw`) are replayed offline against
// the new code with the journal harness. An invocation whose journal the new code does not follow would hit a
// journal mismatch (570) once deployed; each one is listed with the command index, what the journal recorded and
// what the code does now. Journals can be saved as JSON and replayed later (CI without a server).
//
//   const report = await verifyInFlight("http://127.0.0.1:9070", [greeter, checkout]);
//   if (!report.ok) console.log(formatReport(report).join("\n"));

import { serviceEntryOf } from "../context/definitions.js";
import { encodeFrame } from "../protocol/frame.js";
import { MessageType, isCommand } from "../protocol/message-types.js";
import { query, sqlString } from "../local/admin.js";
import { commandView } from "./harness/commands.js";
import { decodeFrame, entryOf } from "./harness/frames.js";
import { runHandler } from "./harness/run-handler.js";

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

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function unhex(text: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(text)) throw new TypeError(`not hex: ${text.slice(0, 40)}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Fetches the journals of the invocations in flight (by default: suspended, backing-off, paused, running). */
export async function fetchInFlightJournals(adminUrl: string, statuses: readonly string[] = IN_FLIGHT_STATUSES): Promise<SavedJournal[]> {
  const invocations = await query(
    adminUrl,
    `SELECT id, target, target_service_name, target_service_key, target_handler_name, status, pinned_service_protocol_version ` +
      `FROM sys_invocation WHERE status IN (${statuses.map(sqlString).join(", ")}) ORDER BY created_at`,
  );
  const out: SavedJournal[] = [];
  for (const row of invocations) {
    const id = String(row.id);
    const rows = await query(adminUrl, `SELECT index, entry_type, name, raw FROM sys_journal WHERE id = ${sqlString(id)} ORDER BY index`);
    const journal: SavedJournal = {
      invocationId: id,
      target: String(row.target ?? ""),
      service: String(row.target_service_name ?? ""),
      handler: String(row.target_handler_name ?? ""),
      status: String(row.status ?? ""),
      protocolVersion: Number(row.pinned_service_protocol_version ?? 6) || 6,
      entries: rows.map((r) => ({ index: Number(r.index), entryType: String(r.entry_type ?? ""), name: String(r.name ?? ""), raw: String(r.raw ?? "") })),
    };
    if (typeof row.target_service_key === "string" && row.target_service_key !== "") journal.key = row.target_service_key;
    out.push(journal);
  }
  return out;
}

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
    const frame = encodeFrame(type, 0, unhex(entry.raw));
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

/** fetchInFlightJournals + verifyJournals. */
export async function verifyInFlight(adminUrl: string, definitions: ReadonlyArray<{ name: string }>): Promise<VerifyReport & { journals: SavedJournal[] }> {
  const journals = await fetchInFlightJournals(adminUrl);
  return { ...(await verifyJournals(journals, definitions)), journals };
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
