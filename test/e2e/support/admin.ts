// Thin helpers over the restate-server 1.7.12 admin API (port `adminUrl`).

// The calls shared with `perdure dev` and the testing kit come from the local server tooling (src/local); the
// sys_invocation / sys_journal_events readers and waitFor below are the suite's own assertions helpers.
import { query, sqlString } from "../../../src/local/admin.js";

export {
  cancelInvocation,
  deploymentInfo,
  killInvocation,
  query,
  registerDeployment,
  type DeploymentInfo,
  type DeploymentRegistration,
  type RegisterOptions,
  type Row,
} from "../../../src/local/admin.js";

export interface InvocationStatus {
  id: string;
  status: string;
  target: string;
  retry_count: number | null;
  last_failure: string | null;
  last_failure_error_code: string | null;
  last_failure_related_command_index: number | null;
  last_failure_related_command_name: string | null;
  last_failure_related_command_type: string | null;
  pinned_service_protocol_version: number | null;
  completion_result: string | null;
  completion_failure: string | null;
  scope: string | null;
  limit_key: string | null;
  idempotency_key: string | null;
}

const STATUS_COLUMNS = [
  "id",
  "status",
  "target",
  "retry_count",
  "last_failure",
  "last_failure_error_code",
  "last_failure_related_command_index",
  "last_failure_related_command_name",
  "last_failure_related_command_type",
  "pinned_service_protocol_version",
  "completion_result",
  "completion_failure",
  "scope",
  "limit_key",
  "idempotency_key",
].join(", ");

/** One row of `sys_invocation`, or undefined when the server does not know the id (yet). */
export async function invocationStatus(adminUrl: string, id: string): Promise<InvocationStatus | undefined> {
  const rows = await query(adminUrl, `SELECT ${STATUS_COLUMNS} FROM sys_invocation WHERE id = ${sqlString(id)}`);
  return rows[0] as unknown as InvocationStatus | undefined;
}

/** Invocations of one `Service/handler` (or `Object/key/handler`) target, newest first. */
export async function invocationsOf(adminUrl: string, target: string): Promise<InvocationStatus[]> {
  const rows = await query(
    adminUrl,
    `SELECT ${STATUS_COLUMNS} FROM sys_invocation WHERE target = ${sqlString(target)} ORDER BY created_at DESC`,
  );
  return rows as unknown as InvocationStatus[];
}

export interface JournalEvent {
  event_type: string;
  /** Parsed `event_json`, e.g. `{ ty: "TransientError", error_code: 570, restate_doc_error_code: "RT0016", ... }`. */
  event: Record<string, unknown>;
}

/** `sys_journal_events` of one invocation (attempt failures are recorded there as `TransientError`). */
export async function journalEvents(adminUrl: string, id: string): Promise<JournalEvent[]> {
  const rows = await query(
    adminUrl,
    `SELECT event_type, event_json FROM sys_journal_events WHERE id = ${sqlString(id)} ORDER BY appended_at`,
  );
  return rows.map((r) => ({ event_type: String(r.event_type), event: JSON.parse(String(r.event_json)) as Record<string, unknown> }));
}

/**
 * Polls `probe` until it returns something other than undefined/false/null, then returns that value.
 * Throws after `timeoutMs` with `what` and the last value seen, so a failure says what never happened.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what = "condition",
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value as T;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
