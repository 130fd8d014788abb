// The restate-server admin API calls that `perdure dev`, the testing kit and the e2e suite need: register and read a
// deployment, cancel or kill an invocation, run a SQL query (introspection tables such as `state`), and overwrite an
// object's state. Fetch only; it lives in the Node-only src/local with the launcher that serves the admin port.

export interface RegisterOptions {
  /** The server talks HTTP/1.1 to the endpoint (request-response endpoints on Node's `http`, Bun, Workers). */
  useHttp11?: boolean;
  /** Replace an existing deployment with the same URI (needed when its services changed). */
  force?: boolean;
  /** Headers the server adds to every request to this deployment. */
  additionalHeaders?: Record<string, string>;
}

export interface DeploymentRegistration {
  id: string;
  services: Array<{ name: string; revision: number; handlers: Array<{ name: string }>; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** An admin API call failed; `message` carries the server's reason (e.g. why discovery failed). */
export class AdminApiError extends Error {
  override name = "AdminApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    what: string,
  ) {
    super(`${what} failed with HTTP ${status}: ${reason}`);
  }
}

export async function fail(what: string, res: Response): Promise<never> {
  const text = await res.text();
  let reason = text.trim();
  try {
    const body = JSON.parse(text) as { message?: string; restate_code?: string };
    if (body.message) reason = body.restate_code ? `${body.restate_code}: ${body.message}` : body.message;
  } catch {
    /* not JSON: keep the raw text */
  }
  throw new AdminApiError(res.status, reason, what);
}

/** POST /deployments: the server runs discovery against `uri` and registers its services. */
export async function registerDeployment(adminUrl: string, uri: string, opts: RegisterOptions = {}): Promise<DeploymentRegistration> {
  const body: Record<string, unknown> = { uri, use_http_11: opts.useHttp11 ?? false };
  if (opts.force !== undefined) body.force = opts.force;
  if (opts.additionalHeaders !== undefined) body.additional_headers = opts.additionalHeaders;
  return postDeployment(adminUrl, body, `registering deployment ${uri}`);
}

/** POST /deployments with a prepared body (`uri` or `arn` plus options); `what` names it in the error. */
export async function postDeployment(adminUrl: string, body: Record<string, unknown>, what: string): Promise<DeploymentRegistration> {
  const res = await fetch(`${adminUrl}/deployments`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) return fail(what, res);
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
  if (!res.ok) return fail(`reading deployment ${id}`, res);
  return (await res.json()) as DeploymentInfo;
}

async function patchInvocation(adminUrl: string, id: string, action: "cancel" | "kill" | "purge"): Promise<void> {
  const res = await fetch(`${adminUrl}/invocations/${encodeURIComponent(id)}/${action}`, { method: "PATCH" });
  // 200 = done, 202 = accepted and applied asynchronously.
  if (res.status !== 200 && res.status !== 202) return fail(`${action} of invocation ${id}`, res);
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

/** POST /query, answered as JSON (the default is an Arrow stream). */
export async function query(adminUrl: string, sql: string): Promise<Row[]> {
  const res = await fetch(`${adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: sql }),
  });
  if (!res.ok) return fail(`the query ${JSON.stringify(sql)}`, res);
  return ((await res.json()) as { rows: Row[] }).rows;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The state of one object/workflow key: name → raw bytes. */
export async function readState(adminUrl: string, service: string, key: string): Promise<Map<string, Uint8Array>> {
  const rows = await query(
    adminUrl,
    `SELECT key, value FROM state WHERE service_name = ${sqlString(service)} AND service_key = ${sqlString(key)}`,
  );
  const state = new Map<string, Uint8Array>();
  for (const row of rows) state.set(String(row.key), bytesOf(row.value));
  return state;
}

/** Replaces the whole state of one object/workflow key (POST /services/{service}/state). */
export async function writeState(adminUrl: string, service: string, key: string, state: Map<string, Uint8Array>): Promise<void> {
  const newState: Record<string, number[]> = {};
  for (const [name, bytes] of state) newState[name] = [...bytes];
  const res = await fetch(`${adminUrl}/services/${encodeURIComponent(service)}/state`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ object_key: key, new_state: newState }),
  });
  if (!res.ok) return fail(`writing the state of ${service}/${key}`, res);
  await res.arrayBuffer();
}

/** Binary columns come back as hex strings (1.7.x); byte arrays are accepted too. */
function bytesOf(value: unknown): Uint8Array {
  if (Array.isArray(value)) return Uint8Array.from(value as number[]);
  if (typeof value === "string" && /^([0-9a-f]{2})*$/i.test(value)) {
    const out = new Uint8Array(value.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  throw new TypeError(`unexpected state value from the admin API: ${JSON.stringify(value)}`);
}
