// Calls through the restate-server ingress (port `ingressUrl`), the way an outside client would.

export interface IngressOptions {
  headers?: Record<string, string>;
  idempotencyKey?: string;
  /** Send these bytes/text as-is instead of JSON-encoding `body`. */
  rawBody?: Uint8Array | string;
  /** Content type for `rawBody` (JSON bodies always use application/json). */
  contentType?: string;
}

export interface IngressResponse {
  status: number;
  headers: Headers;
  text: string;
  bytes: Uint8Array;
  /** The body parsed as JSON, or undefined if it is empty or not JSON. */
  json: unknown;
}

function requestInit(method: string, body: unknown, opts: IngressOptions): RequestInit {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
  let payload: BodyInit | undefined;
  if (opts.rawBody !== undefined) {
    // Copy into a plain ArrayBuffer-backed view: DOM's BodyInit typing rejects SharedArrayBuffer-capable views.
    payload = typeof opts.rawBody === "string" ? opts.rawBody : new Uint8Array(opts.rawBody).buffer;
    if (opts.contentType) headers["content-type"] = opts.contentType;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  return { method, headers, body: payload };
}

async function readResponse(res: Response): Promise<IngressResponse> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, bytes, json };
}

function join(base: string, path: string): string {
  return `${base.replace(/\/$/, "")}/${path.replace(/^\//, "")}`;
}

/** Request-response call, e.g. `call(url, "Greeter/greet", "Bob")` or `call(url, "Counter/k1/add", 1)`. */
export async function call(ingressUrl: string, path: string, body?: unknown, opts: IngressOptions = {}): Promise<IngressResponse> {
  return readResponse(await fetch(join(ingressUrl, path), requestInit("POST", body, opts)));
}

/** Expects a 2xx answer and returns its JSON body; otherwise throws with status and body. */
export async function callOk<T = unknown>(ingressUrl: string, path: string, body?: unknown, opts: IngressOptions = {}): Promise<T> {
  const res = await call(ingressUrl, path, body, opts);
  if (res.status < 200 || res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${res.text}`);
  return res.json as T;
}

export interface SendOptions extends IngressOptions {
  /** Delay the invocation, e.g. "2s" or "500ms" (ingress `?delay=`). */
  delay?: string;
}

/** One-way call (`.../send`); returns the new invocation's id. */
export async function send(ingressUrl: string, path: string, body?: unknown, opts: SendOptions = {}): Promise<string> {
  const url = join(ingressUrl, `${path}/send`) + (opts.delay ? `?delay=${encodeURIComponent(opts.delay)}` : "");
  const res = await readResponse(await fetch(url, requestInit("POST", body, opts)));
  const id = (res.json as { invocationId?: string } | undefined)?.invocationId;
  if (res.status < 200 || res.status >= 300 || !id) throw new Error(`send ${path} answered ${res.status}: ${res.text}`);
  return id;
}

/** Waits for the invocation to finish and returns its response (`/restate/invocation/{id}/attach`). */
export async function attach(ingressUrl: string, invocationId: string): Promise<IngressResponse> {
  return readResponse(await fetch(join(ingressUrl, `restate/invocation/${encodeURIComponent(invocationId)}/attach`)));
}

/** The invocation's response if it has finished; HTTP 470 while it is still running (`.../output`). */
export async function output(ingressUrl: string, invocationId: string): Promise<IngressResponse> {
  return readResponse(await fetch(join(ingressUrl, `restate/invocation/${encodeURIComponent(invocationId)}/output`)));
}

/** Waits for a workflow run to finish (`/restate/workflow/{name}/{key}/attach`). */
export async function attachWorkflow(ingressUrl: string, name: string, key: string): Promise<IngressResponse> {
  const path = `restate/workflow/${encodeURIComponent(name)}/${encodeURIComponent(key)}/attach`;
  return readResponse(await fetch(join(ingressUrl, path)));
}

async function completeAwakeable(ingressUrl: string, id: string, action: "resolve" | "reject", init: RequestInit): Promise<void> {
  const res = await fetch(join(ingressUrl, `restate/awakeables/${encodeURIComponent(id)}/${action}`), { method: "POST", ...init });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) throw new Error(`${action} awakeable ${id} answered ${res.status}: ${text}`);
}

/** Completes an awakeable with a JSON value. */
export function resolveAwakeable(ingressUrl: string, id: string, value: unknown): Promise<void> {
  return completeAwakeable(ingressUrl, id, "resolve", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify(value),
  });
}

/** Fails an awakeable; the awaiting handler sees a TerminalError with `reason` as message. */
export function rejectAwakeable(ingressUrl: string, id: string, reason: string): Promise<void> {
  return completeAwakeable(ingressUrl, id, "reject", { headers: { "content-type": "text/plain" }, body: reason });
}
