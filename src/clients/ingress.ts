// `connect({ url })`: typed clients that call handlers through the restate-server ingress.
//   call      POST {url}/{service}[/{key}]/{handler}                 → the handler's output
//   send      POST {url}/{service}[/{key}]/{handler}/send[?delay=…]  → { invocationId, status }
//   workflow  POST {url}/{workflow}/{key}/run/send (submit), GET {url}/restate/workflow/{workflow}/{key}/attach|output
//   by id     GET  {url}/restate/invocation/{id}/attach|output
//   awakeable POST {url}/restate/awakeables/{id}/resolve|reject

import { durationToMs } from "../context/duration.js";
import { json } from "../serde/json.js";
import type { Serde } from "../serde/types.js";
import { IngressPool, ingressUrls } from "./failover.js";
import { bodyBytes, failureFrom, pathOf } from "./http.js";
import { isOptsLike } from "./opts.js";
import type {
  ConnectionOpts,
  Ingress,
  IngressCallOptions,
  IngressSendOptions,
  Output,
  Send,
  WorkflowSubmission,
} from "./types.js";

/** HTTP status of `…/output` while the invocation has not finished yet. */
const NOT_READY_STATUS = 470;

type AnyOptions = IngressCallOptions<unknown, unknown> & IngressSendOptions<unknown>;

interface Target {
  service: string;
  key?: string;
}

class Connection implements Ingress {
  /** One or several ingress URLs (nodes of one cluster), with failover: see failover.ts. */
  private readonly pool: IngressPool;

  constructor(private readonly opts: ConnectionOpts) {
    if (typeof opts !== "object" || opts === null || (typeof opts.url !== "string" && !Array.isArray(opts.url))) {
      throw new TypeError("connect() needs { url }, e.g. connect({ url: 'http://127.0.0.1:8080' })");
    }
    this.pool = new IngressPool(ingressUrls(opts.url), opts.fetch ?? ((request) => fetch(request)));
  }

  serviceClient(definition: { name: string }): any {
    return this.handlerProxy({ service: nameOf(definition) }, false);
  }

  objectClient(definition: { name: string }, key: string): any {
    return this.handlerProxy({ service: nameOf(definition), key: checkKey(key) }, false);
  }

  serviceSendClient(definition: { name: string }): any {
    return this.handlerProxy({ service: nameOf(definition) }, true);
  }

  objectSendClient(definition: { name: string }, key: string): any {
    return this.handlerProxy({ service: nameOf(definition), key: checkKey(key) }, true);
  }

  workflowClient(definition: { name: string }, key: string): any {
    const target: Target = { service: nameOf(definition), key: checkKey(key) };
    const shared = this.handlerProxy(target, false) as Record<string, unknown>;
    const workflowPath = pathOf("restate", "workflow", target.service, target.key!);
    const extra: Record<string, unknown> = {
      workflowSubmit: async (...args: unknown[]): Promise<WorkflowSubmission> => {
        const sent = await this.invoke({ ...target }, "run", args, true, true);
        return { invocationId: sent.invocationId, status: sent.status, attachable: true };
      },
      workflowAttach: async (opts?: unknown) => this.getResult(workflowPath + "/attach", optionsOf(opts)),
      workflowOutput: async (opts?: unknown) => this.getOutput(workflowPath + "/output", optionsOf(opts)),
    };
    return new Proxy(extra, {
      get: (obj, prop) => (typeof prop === "string" && prop in obj ? obj[prop] : prop === "run" ? undefined : shared[prop as string]),
    });
  }

  async resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): Promise<void> {
    const s = serde ?? (json as Serde<T>);
    const body = payload === undefined ? new Uint8Array(0) : s.serialize(payload);
    const headers: Record<string, string> = body.length > 0 ? { "content-type": s.contentType ?? "application/json" } : {};
    await this.send("POST", pathOf("restate", "awakeables", id, "resolve"), body, headers, undefined);
  }

  async rejectAwakeable(id: string, reason: string): Promise<void> {
    const body = new TextEncoder().encode(String(reason));
    await this.send("POST", pathOf("restate", "awakeables", id, "reject"), body, { "content-type": "text/plain" }, undefined);
  }

  async result<T>(invocation: Send<T> | WorkflowSubmission<T> | string, opts?: unknown): Promise<T> {
    return this.getResult(pathOf("restate", "invocation", invocationIdOf(invocation)) + "/attach", optionsOf(opts)) as Promise<T>;
  }

  async output<T>(invocation: Send<T> | WorkflowSubmission<T> | string, opts?: unknown): Promise<Output<T>> {
    return this.getOutput(pathOf("restate", "invocation", invocationIdOf(invocation)) + "/output", optionsOf(opts)) as Promise<Output<T>>;
  }

  // ---- internals -----------------------------------------------------------------------------------------

  /** Any property is a handler (definitions may be type-only `{ name }`); `then` is not, so clients are not thenables. */
  private handlerProxy(target: Target, oneWay: boolean): unknown {
    return new Proxy(
      {},
      {
        get: (_obj, prop) => {
          if (typeof prop !== "string" || prop === "then") return undefined;
          return (...args: unknown[]) => this.invoke(target, prop, args, oneWay);
        },
      },
    );
  }

  private invoke(target: Target, handler: string, args: unknown[], oneWay: true, workflowRun?: boolean): Promise<Send>;
  private invoke(target: Target, handler: string, args: unknown[], oneWay: boolean): Promise<unknown>;
  private async invoke(target: Target, handler: string, args: unknown[], oneWay: boolean, workflowRun = false): Promise<unknown> {
    const { parameter, options } = splitArgs(args);
    const segments = target.key === undefined ? [target.service, handler] : [target.service, target.key, handler];
    let path = pathOf(...segments);
    if (oneWay) {
      path += "/send";
      if (options.delay !== undefined) path += `?delay=${durationToMs(options.delay, "delay")}ms`;
    } else if (options.delay !== undefined) {
      throw new TypeError("delay is an option of send clients (serviceSendClient/objectSendClient/workflowSubmit)");
    }
    const inputSerde = (options.input ?? json) as Serde<unknown>;
    const body = parameter === undefined && options.input === undefined ? new Uint8Array(0) : inputSerde.serialize(parameter);
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (body.length > 0) headers["content-type"] = inputSerde.contentType ?? "application/json";
    if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
    // Safe to send to another node after it may have reached one: the key (or the workflow key) dedupes it.
    const retrySafe = options.idempotencyKey !== undefined || workflowRun;
    const response = await this.send("POST", path, body, headers, options.signal, [], retrySafe);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!oneWay) return ((options.output ?? json) as Serde<unknown>).deserialize(bytes);
    const sent = json.deserialize(bytes) as { invocationId?: string; status?: Send["status"] } | undefined;
    if (!sent?.invocationId) {
      throw new TypeError(`the ingress accepted ${path} but its answer names no invocation id: ${new TextDecoder().decode(bytes)}`);
    }
    return { invocationId: sent.invocationId, status: sent.status ?? "Accepted", attachable: options.idempotencyKey !== undefined } satisfies Send;
  }

  private async getResult(path: string, options: AnyOptions): Promise<unknown> {
    const response = await this.send("GET", path, undefined, options.headers ?? {}, options.signal, [], true);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return ((options.output ?? json) as Serde<unknown>).deserialize(bytes);
  }

  private async getOutput(path: string, options: AnyOptions): Promise<Output<unknown>> {
    const response = await this.send("GET", path, undefined, options.headers ?? {}, options.signal, [NOT_READY_STATUS], true);
    if (response.status === NOT_READY_STATUS) {
      await response.arrayBuffer();
      return notReady(path);
    }
    const value = ((options.output ?? json) as Serde<unknown>).deserialize(new Uint8Array(await response.arrayBuffer()));
    return { ready: true, result: value };
  }

  /** One HTTP exchange; a non-2xx answer (other than `accepted`) becomes an HttpCallError. */
  private async send(
    method: "GET" | "POST",
    path: string,
    body: Uint8Array | undefined,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    accepted: number[] = [],
    /** May be sent to another node after it possibly reached one (see failover.ts). */
    retrySafe = false,
  ): Promise<Response> {
    const init: RequestInit = { method, headers: { ...(this.opts.headers ?? {}), ...headers } };
    if (signal !== undefined) init.signal = signal;
    // A fresh Request per node: a body can be read only once.
    const build = (base: string) => new Request(base + path, body !== undefined && body.length > 0 ? { ...init, body: bodyBytes(body) } : init);
    const { response, base } = await this.pool.send(build, { retrySafe, signal, describe: `${method} ${path}` });
    if ((response.status >= 200 && response.status < 300) || accepted.includes(response.status)) return response;
    throw await failureFrom(response, base + path);
  }
}

function notReady(path: string): Output<never> {
  return {
    ready: false,
    get result(): never {
      throw new Error(`the invocation behind ${path} has not finished yet (check \`ready\` first)`);
    },
  };
}

/** Splits `(input?, opts?)`: the last argument is options when it is an `rpc.opts(...)`/`rpc.sendOpts(...)`. */
function splitArgs(args: unknown[]): { parameter: unknown; options: AnyOptions } {
  if (args.length > 2) throw new TypeError(`a handler takes at most an input and call options, got ${args.length} arguments`);
  const last = args[args.length - 1];
  if (args.length > 0 && isOptsLike(last)) {
    return { parameter: args.length === 2 ? args[0] : undefined, options: last.getOpts() };
  }
  if (args.length === 2 && last !== undefined) {
    throw new TypeError("call options must be made with rpc.opts({...}) or rpc.sendOpts({...})");
  }
  return { parameter: args[0], options: {} };
}

function optionsOf(value: unknown): AnyOptions {
  if (value === undefined) return {};
  if (isOptsLike(value)) return value.getOpts();
  throw new TypeError("options must be made with rpc.opts({...})");
}

function nameOf(definition: { name: string }): string {
  const name = (definition as { name?: unknown } | null | undefined)?.name;
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError("expected a service definition (or { name: 'ServiceName' })");
  }
  return name;
}

function checkKey(key: string): string {
  if (typeof key !== "string") throw new TypeError(`the key of an object or workflow must be a string, got ${typeof key}`);
  return key;
}

function invocationIdOf(invocation: { invocationId: string } | string): string {
  const id = typeof invocation === "string" ? invocation : invocation?.invocationId;
  if (typeof id !== "string" || !id.startsWith("inv_")) {
    throw new TypeError(`expected an invocation id (inv_…) or the result of a send, got ${JSON.stringify(id)}`);
  }
  return id;
}

/** Connects to the ingress of a restate-server (default port 8080). Uses only `fetch`: works on every runtime. */
export function connect(opts: ConnectionOpts): Ingress {
  return new Connection(opts) as Ingress;
}
