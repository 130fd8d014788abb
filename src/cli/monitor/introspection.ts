// What `perdure dev` and `perdure verify` read from restate-server's own introspection (admin API `POST /query`,
// SQL over the `sys_*` tables of restate-server 1.7.12) and its service registry (`GET /services/{name}`).
// Column names were taken from the server itself (`SELECT * FROM sys_invocation` / `sys_journal`).
import { query, sqlString, type Row } from "../../local/admin.js";

/** One row of `sys_invocation`, reduced to what the console explains. */
export interface InvocationRow {
  id: string;
  /** `Service/handler` or `Object/key/handler`. */
  target: string;
  service: string;
  handler: string;
  /** pending, scheduled, ready, running, backing-off, suspended, paused, completed (as the server names them). */
  status: string;
  /** Attempts made so far (0 or absent before the first). */
  retryCount: number;
  nextRetryAt?: string;
  /** `[code Name] message\nstack…` of the last failed attempt. */
  lastFailure?: string;
  lastFailureCode?: string;
  /** The journal command the last failure relates to (index, type such as `Run`, name). */
  failedCommand?: { index?: number; type?: string; name?: string };
  waitingForCompletions: number[];
  waitingForSignals: number[];
  completionResult?: "success" | "failure";
  completionFailure?: string;
  journalSize: number;
  createdAt?: string;
  modifiedAt?: string;
  completedAt?: string;
  pinnedDeploymentId?: string;
}

const INVOCATION_COLUMNS = [
  "id",
  "target",
  "target_service_name",
  "target_handler_name",
  "status",
  "retry_count",
  "next_retry_at",
  "last_failure",
  "last_failure_error_code",
  "last_failure_related_command_index",
  "last_failure_related_command_name",
  "last_failure_related_command_type",
  "suspended_waiting_for_completions",
  "suspended_waiting_for_signals",
  "completion_result",
  "completion_failure",
  "journal_size",
  "created_at",
  "modified_at",
  "completed_at",
  "pinned_deployment_id",
].join(", ");

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : typeof v === "string" && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number).filter((n) => !Number.isNaN(n)) : []);

export function invocationOf(row: Row): InvocationRow {
  const failedIndex = num(row.last_failure_related_command_index);
  const failedType = str(row.last_failure_related_command_type);
  const failedName = str(row.last_failure_related_command_name);
  const inv: InvocationRow = {
    id: String(row.id),
    target: String(row.target ?? ""),
    service: String(row.target_service_name ?? ""),
    handler: String(row.target_handler_name ?? ""),
    status: String(row.status ?? "unknown"),
    retryCount: num(row.retry_count) ?? 0,
    waitingForCompletions: nums(row.suspended_waiting_for_completions),
    waitingForSignals: nums(row.suspended_waiting_for_signals),
    journalSize: num(row.journal_size) ?? 0,
  };
  const optional: Partial<InvocationRow> = {
    nextRetryAt: str(row.next_retry_at),
    lastFailure: str(row.last_failure),
    lastFailureCode: str(row.last_failure_error_code),
    completionResult: row.completion_result === "success" || row.completion_result === "failure" ? row.completion_result : undefined,
    completionFailure: str(row.completion_failure),
    createdAt: str(row.created_at),
    modifiedAt: str(row.modified_at),
    completedAt: str(row.completed_at),
    pinnedDeploymentId: str(row.pinned_deployment_id),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (inv as unknown as Record<string, unknown>)[k] = v;
  if (failedIndex !== undefined || failedType || failedName) {
    inv.failedCommand = {};
    if (failedIndex !== undefined) inv.failedCommand.index = failedIndex;
    if (failedType) inv.failedCommand.type = failedType;
    if (failedName) inv.failedCommand.name = failedName;
  }
  return inv;
}

/** Invocations not completed yet, plus those completed at or after `completedSince` (ISO time). */
export async function readInvocations(adminUrl: string, completedSince: string): Promise<InvocationRow[]> {
  const rows = await query(
    adminUrl,
    `SELECT ${INVOCATION_COLUMNS} FROM sys_invocation WHERE status <> 'completed' OR completed_at >= ${sqlString(completedSince)}`,
  );
  return rows.map(invocationOf);
}

/** Invocations still in flight (not completed, not merely scheduled for later). */
export async function readInFlight(adminUrl: string, statuses: readonly string[]): Promise<InvocationRow[]> {
  const list = statuses.map(sqlString).join(", ");
  const rows = await query(adminUrl, `SELECT ${INVOCATION_COLUMNS} FROM sys_invocation WHERE status IN (${list}) ORDER BY created_at`);
  return rows.map(invocationOf);
}

/** One row of `sys_journal`: a command or notification of an invocation's journal. */
export interface JournalRow {
  index: number;
  /** e.g. `Command: Sleep`, `Notification: CallInvocationId`. */
  entryType: string;
  name: string;
  /** The protocol message bytes as stored (hex in the answer), when the server exposes them. */
  raw?: Uint8Array;
  /** The server's JSON rendering of the entry. */
  json?: Record<string, any>;
}

function hexBytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string" || !/^([0-9a-f]{2})*$/i.test(value)) return undefined;
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function parseJson(value: unknown): Record<string, any> | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value) as Record<string, any>;
  } catch {
    return undefined;
  }
}

/** The journal of one invocation, in order. `withRaw` adds the stored message bytes (needed to replay it). */
export async function readJournal(adminUrl: string, invocationId: string, withRaw = false): Promise<JournalRow[]> {
  const columns = withRaw ? "index, entry_type, name, raw, entry_json" : "index, entry_type, name, entry_json";
  const rows = await query(adminUrl, `SELECT ${columns} FROM sys_journal WHERE id = ${sqlString(invocationId)} ORDER BY index`);
  return rows.map((row) => {
    const entry: JournalRow = { index: Number(row.index), entryType: String(row.entry_type ?? ""), name: String(row.name ?? "") };
    const raw = withRaw ? hexBytes(row.raw) : undefined;
    if (raw) entry.raw = raw;
    const json = parseJson(row.entry_json);
    if (json) entry.json = json;
    return entry;
  });
}

/** The retry policy the server applies to a handler (service defaults, handler overrides). */
export interface RetryPolicy {
  initialInterval?: string;
  factor?: number;
  maxAttempts?: number | null;
  maxInterval?: string;
  onMaxAttempts?: string;
}

export async function readRetryPolicy(adminUrl: string, service: string, handler: string): Promise<RetryPolicy | undefined> {
  try {
    const res = await fetch(`${adminUrl}/services/${encodeURIComponent(service)}`, { signal: AbortSignal.timeout(3_000) });
    if (!res.ok) {
      await res.arrayBuffer();
      return undefined;
    }
    const body = (await res.json()) as { retry_policy?: Record<string, any>; handlers?: Array<{ name: string; retry_policy?: Record<string, any> }> };
    const base = body.retry_policy ?? {};
    const own = body.handlers?.find((h) => h.name === handler)?.retry_policy ?? {};
    const pick = (k: string) => (own[k] !== undefined && own[k] !== null ? own[k] : base[k]);
    return {
      initialInterval: pick("initial_interval"),
      factor: pick("exponentiation_factor"),
      maxAttempts: pick("max_attempts") ?? null,
      maxInterval: pick("max_interval"),
      onMaxAttempts: pick("on_max_attempts"),
    };
  } catch {
    return undefined;
  }
}

/** Why a paused invocation stopped: the failure recorded with its `Paused` journal event (sys_journal_events). */
export async function readPauseReason(adminUrl: string, invocationId: string): Promise<{ message: string; stack?: string } | undefined> {
  const rows = await query(
    adminUrl,
    `SELECT event_json FROM sys_journal_events WHERE id = ${sqlString(invocationId)} AND event_type = 'Paused' ORDER BY appended_at DESC LIMIT 1`,
  );
  const failure = parseJson(rows[0]?.event_json)?.last_failure as { error_code?: number; error_message?: string; error_stacktrace?: string } | undefined;
  if (!failure?.error_message) return undefined;
  const reason: { message: string; stack?: string } = { message: failure.error_message };
  if (failure.error_stacktrace) reason.stack = failure.error_stacktrace;
  return reason;
}
