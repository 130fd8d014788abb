// Thin helpers over the restate-server 1.7.12 admin API (port `adminUrl`).

export interface RegisterOptions {
  /** HTTP/1.1 client (request-response deployments served by Node's `http`). */
  useHttp11?: boolean;
  /** Overwrite a deployment with the same URI. The server's default is true. */
  force?: boolean;
}

export interface DeploymentRegistration {
  id: string;
  services: Array<{ name: string; revision: number; handlers: Array<{ name: string }> }>;
  [key: string]: unknown;
}

async function failWithBody(what: string, res: Response): Promise<never> {
  const text = await res.text();
  let message = text;
  try {
    const body = JSON.parse(text) as { message?: string; restate_code?: string };
    if (body.message) message = body.restate_code ? `${body.restate_code}: ${body.message}` : body.message;
  } catch {
    /* not JSON: keep the raw text */
  }
  throw new Error(`${what} failed with HTTP ${res.status}: ${message}`);
}

/** POST /deployments: runs discovery against `uri` and registers its services. */
export async function registerDeployment(adminUrl: string, uri: string, opts: RegisterOptions = {}): Promise<DeploymentRegistration> {
  const body: Record<string, unknown> = { uri, use_http_11: opts.useHttp11 ?? false };
  if (opts.force !== undefined) body.force = opts.force;
  const res = await fetch(`${adminUrl}/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) return failWithBody(`registering deployment ${uri}`, res);
  return (await res.json()) as DeploymentRegistration;
}

export interface DeploymentInfo {
  id: string;
  protocol_type: string;
  http_version: string;
  min_protocol_version: number;
  max_protocol_version: number;
  /** From the endpoint's `x-restate-server` header, e.g. `perdure/0.1.0`. */
  sdk_version: string | null;
  [key: string]: unknown;
}

/** GET /deployments/{id}. */
export async function deploymentInfo(adminUrl: string, id: string): Promise<DeploymentInfo> {
  const res = await fetch(`${adminUrl}/deployments/${encodeURIComponent(id)}`);
  if (!res.ok) return failWithBody(`reading deployment ${id}`, res);
  return (await res.json()) as DeploymentInfo;
}

async function patchInvocation(adminUrl: string, id: string, action: "cancel" | "kill" | "purge"): Promise<void> {
  const res = await fetch(`${adminUrl}/invocations/${encodeURIComponent(id)}/${action}`, { method: "PATCH" });
  // 200 = done, 202 = accepted and applied asynchronously.
  if (res.status !== 200 && res.status !== 202) return failWithBody(`${action} of invocation ${id}`, res);
  await res.arrayBuffer();
}

/** PATCH /invocations/{id}/cancel: graceful cancellation (the handler sees CancelledError and can compensate). */
export function cancelInvocation(adminUrl: string, id: string): Promise<void> {
  return patchInvocation(adminUrl, id, "cancel");
}

/** PATCH /invocations/{id}/kill: stops the invocation without running any more user code. */
export function killInvocation(adminUrl: string, id: string): Promise<void> {
  return patchInvocation(adminUrl, id, "kill");
}

export type Row = Record<string, unknown>;

/** POST /query with `accept: application/json` (the default answer is an Arrow stream). */
export async function query(adminUrl: string, sql: string): Promise<Row[]> {
  const res = await fetch(`${adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: sql }),
  });
  if (!res.ok) return failWithBody(`query ${JSON.stringify(sql)}`, res);
  return ((await res.json()) as { rows: Row[] }).rows;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

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
