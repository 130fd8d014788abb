// `connect({ url })`: typed clients that call handlers through the restate-server ingress.
//   call      POST {url}/{service}[/{key}]/{handler}                 → the handler's output
//   send      POST {url}/{service}[/{key}]/{handler}/send[?delay=…]  → { invocationId, status }
//   workflow  POST {url}/{workflow}/{key}/run/send (submit), GET {url}/restate/workflow/{workflow}/{key}/attach|output
//   by id     GET  {url}/restate/invocation/{id}/attach|output
//   awakeable POST {url}/restate/awakeables/{id}/resolve|reject
//   scoped    POST {url}/restate/scope/{scope}/call|send/{service}[/{key}]/{handler}[?delay=…]
// Retries (opt-in, connect({ retry })) only for requests that are safe to repeat: calls and sends with an idempotency
// key, workflow submissions, attach and output.

import { durationToMs } from "../context/duration.js";
import { json } from "../serde/json.js";
import type { Serde } from "../serde/types.js";
import { exchange } from "./exchange.js";
import { IngressPool, ingressUrls } from "./failover.js";
import { pathOf } from "./http.js";
import { isOptsLike } from "./opts.js";
import { resolveRetryPolicy, type ResolvedRetryPolicy } from "./retry.js";
import type { HandlerDescriptor } from "../definition/contract-types.js";
import type {
  ConnectionOpts,
  GenericIngressRequest,
  Ingress,
  IngressCallOptions,
  IngressSendOptions,
  Output,
  ScopedIngress,
  Send,
  WorkflowSubmission,
} from "./types.js";

/** HTTP status of `…/output` while the invocation has not finished yet. */
const NOT_READY_STATUS = 470;

type AnyOptions = IngressCallOptions<unknown, unknown> & Omit<IngressSendOptions<unknown>, "output">;

interface Target {
  service: string;
  key?: string;
  /** The invocation's scope (`ingress.scope(…)`), protocol V7 servers. */
  scope?: string;
  /** The definition's or contract's handler descriptors: their serdes apply when a call's options name none. */
  descriptors?: Record<string, HandlerDescriptor | undefined>;
}

/** What clients are built from: a definition (service/object/workflow/implement), a contract (iface) or `{ name }`. */
type ClientDef = { name: string; _kind?: unknown; _handlers?: unknown };

const LIMIT_KEY_HEADER = "x-restate-limit-key";

class Connection implements Ingress {
  /** One or several ingress URLs (nodes of one cluster), with failover: see failover.ts. */
  private readonly pool: IngressPool;
  private readonly retryPolicy: ResolvedRetryPolicy | undefined;
  private readonly defaultSerde: Serde<unknown>;

  constructor(
    private readonly opts: ConnectionOpts,
    private readonly scopeKey?: string,
    sharedPool?: IngressPool,
  ) {
    if (typeof opts !== "object" || opts === null || (typeof opts.url !== "string" && !Array.isArray(opts.url))) {
      throw new TypeError("connect() needs { url }, e.g. connect({ url: 'http://127.0.0.1:8080' })");
    }
    this.pool = sharedPool ?? new IngressPool(ingressUrls(opts.url), opts.fetch ?? ((request) => fetch(request)));
    this.retryPolicy = resolveRetryPolicy(opts.retry);
    this.defaultSerde = (opts.serde ?? json) as Serde<unknown>;
  }

  serviceClient(definition: { name: string }): any {
    return this.handlerProxy(this.target(definition), false);
  }

  objectClient(definition: { name: string }, key: string): any {
    return this.handlerProxy(this.target(definition, key), false);
  }

  serviceSendClient(definition: { name: string }): any {
    return this.handlerProxy(this.target(definition), true);
  }

  objectSendClient(definition: { name: string }, key: string): any {
    return this.handlerProxy(this.target(definition, key), true);
  }

  /** A client from a contract (iface) or definition: services take no key, objects and workflows need one. */
  client(definition: ClientDef, key?: string): any {
    return this.handlerProxy(this.descriptorTarget(definition, key, "client"), false);
  }

  sendClient(definition: ClientDef, key?: string): any {
    return this.handlerProxy(this.descriptorTarget(definition, key, "sendClient"), true);
  }

  scope(scopeKey: string): ScopedIngress {
    if (typeof scopeKey !== "string" || scopeKey.length === 0) throw new TypeError("ingress.scope(key) needs a non-empty string");
    return new Connection(this.opts, scopeKey, this.pool);
  }

  async call<I, O>(request: GenericIngressRequest<I, unknown>): Promise<O> {
    const { target, handler, args } = genericArgs(request, "call");
    return (await this.invoke(target, handler, args, false, true)) as O;
  }

  async send<I>(request: GenericIngressRequest<I, unknown>): Promise<Send> {
    const { target, handler, args } = genericArgs(request, "send");
    return this.invoke(target, handler, args, true, true);
  }

  workflowClient(definition: { name: string }, key: string): any {
    const target: Target = this.target(definition, key);
    const shared = this.handlerProxy(target, false) as Record<string, unknown>;
    const workflowPath = pathOf("restate", "workflow", target.service, target.key!);
    const runOutput = target.descriptors?.run?._outputSerde;
    const withRunOutput = (opts: unknown): AnyOptions => {
      const options = optionsOf(opts);
      return options.output === undefined && runOutput !== undefined ? { ...options, output: runOutput } : options;
    };
    const extra: Record<string, unknown> = {
      workflowSubmit: async (...args: unknown[]): Promise<WorkflowSubmission> => {
        // A workflow runs once per key: submitting again is safe, so it may be retried.
        const sent = await this.invoke({ ...target }, "run", args, true, false, true);
        return { invocationId: sent.invocationId, status: sent.status, attachable: true };
      },
      workflowAttach: async (opts?: unknown) => this.getResult(workflowPath + "/attach", withRunOutput(opts)),
      workflowOutput: async (opts?: unknown) => this.getOutput(workflowPath + "/output", withRunOutput(opts)),
    };
    return new Proxy(extra, {
      get: (obj, prop) => (typeof prop === "string" && prop in obj ? obj[prop] : prop === "run" ? undefined : shared[prop as string]),
    });
  }

  async resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): Promise<void> {
    const s = serde ?? (this.defaultSerde as Serde<T>);
    const body = payload === undefined ? new Uint8Array(0) : this.encode(s.serialize(payload));
    const headers: Record<string, string> = body.length > 0 ? { "content-type": s.contentType ?? "application/json" } : {};
    await this.exchange({ method: "POST", path: pathOf("restate", "awakeables", id, "resolve"), body, headers });
  }

  async rejectAwakeable(id: string, reason: string): Promise<void> {
    const body = new TextEncoder().encode(String(reason));
    await this.exchange({ method: "POST", path: pathOf("restate", "awakeables", id, "reject"), body, headers: { "content-type": "text/plain" } });
  }

  /** The second argument may be a serde (as in the official clients) or `rpc.opts({ output, … })`. */
  async result<T>(invocation: Send<T> | WorkflowSubmission<T> | string, serdeOrOpts?: unknown): Promise<T> {
    const options = isSerde(serdeOrOpts) ? { output: serdeOrOpts } : optionsOf(serdeOrOpts);
    return this.getResult(pathOf("restate", "invocation", invocationIdOf(invocation)) + "/attach", options) as Promise<T>;
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

  private target(definition: ClientDef, key?: string): Target {
    const target: Target = { service: nameOf(definition) };
    if (key !== undefined || arguments.length > 1) target.key = checkKey(key as string);
    if (this.scopeKey !== undefined) target.scope = this.scopeKey;
    const descriptors = (definition as { _handlers?: unknown })._handlers;
    if (typeof descriptors === "object" && descriptors !== null) target.descriptors = descriptors as Target["descriptors"];
    return target;
  }

  /** `client`/`sendClient`: the kind (`_kind` of a contract or definition) says whether a key belongs in the path. */
  private descriptorTarget(definition: ClientDef, key: string | undefined, what: string): Target {
    const kind = (definition as { _kind?: unknown } | null | undefined)?._kind;
    if (kind === "service") return this.target(definition);
    if (kind !== "object" && kind !== "workflow") {
      throw new TypeError(`ingress.${what}() needs a contract made with iface.service/object/workflow, or a service/object/workflow definition`);
    }
    if (typeof key !== "string") throw new TypeError(`ingress.${what}('${nameOf(definition)}'): an ${kind} needs a key (a string)`);
    return this.target(definition, key);
  }

  /**
   * One invocation. `safeToRepeat`: retried under the connection's policy (also without an idempotency key).
   * `bytesByDefault`: the generic call/send, whose payloads are bytes unless the options give serdes.
   */
  private invoke(target: Target, handler: string, args: unknown[], oneWay: true, bytesByDefault?: boolean, safeToRepeat?: boolean): Promise<Send>;
  private invoke(target: Target, handler: string, args: unknown[], oneWay: boolean, bytesByDefault?: boolean, safeToRepeat?: boolean): Promise<unknown>;
  private async invoke(target: Target, handler: string, args: unknown[], oneWay: boolean, bytesByDefault = false, safeToRepeat = false): Promise<unknown> {
    const { parameter, options } = splitArgs(args);
    const segments = target.key === undefined ? [target.service, handler] : [target.service, target.key, handler];
    let path: string;
    if (target.scope !== undefined) {
      path = pathOf("restate", "scope", target.scope, oneWay ? "send" : "call", ...segments);
    } else {
      path = pathOf(...segments) + (oneWay ? "/send" : "");
    }
    if (oneWay) {
      if (options.delay !== undefined) path += `?delay=${durationToMs(options.delay, "delay")}ms`;
    } else if (options.delay !== undefined) {
      throw new TypeError("delay is an option of send clients (serviceSendClient/objectSendClient/workflowSubmit)");
    }
    const fallback = bytesByDefault ? BYTES : this.defaultSerde;
    // As in the official clients: the call's options, then the handler's descriptor, then the connection's serde.
    const descriptor = target.descriptors && Object.prototype.hasOwnProperty.call(target.descriptors, handler) ? target.descriptors[handler] : undefined;
    const inputSerde = (options.input ?? descriptor?._inputSerde ?? fallback) as Serde<unknown>;
    const body = parameter === undefined && options.input === undefined ? new Uint8Array(0) : this.encode(inputSerde.serialize(parameter));
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (body.length > 0) headers["content-type"] = inputSerde.contentType ?? "application/json";
    if (options.idempotencyKey !== undefined) headers["idempotency-key"] = options.idempotencyKey;
    if (options.limitKey !== undefined) headers[LIMIT_KEY_HEADER] = options.limitKey;
    // Safe to send again (another attempt, or another node after it may have reached one): the idempotency key or the
    // workflow key dedupes it.
    const retrySafe = safeToRepeat || options.idempotencyKey !== undefined;
    const response = await this.exchange({ method: "POST", path, body, headers, signal: options.signal, timeout: options.timeout, retry: retrySafe ? this.retryPolicy : undefined, retrySafe });
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (!oneWay) return ((options.output ?? descriptor?._outputSerde ?? fallback) as Serde<unknown>).deserialize(await this.decode(bytes));
    const sent = json.deserialize(bytes) as { invocationId?: string; status?: Send["status"]; executionTime?: string } | undefined;
    if (!sent?.invocationId) {
      throw new TypeError(`the ingress accepted ${path} but its answer names no invocation id: ${new TextDecoder().decode(bytes)}`);
    }
    const result: Send = { invocationId: sent.invocationId, status: sent.status ?? "Accepted", attachable: options.idempotencyKey !== undefined };
    return sent.executionTime === undefined ? result : { ...result, executionTime: sent.executionTime };
  }

  private async getResult(path: string, options: AnyOptions): Promise<unknown> {
    const response = await this.exchange({ method: "GET", path, headers: options.headers ?? {}, signal: options.signal, timeout: options.timeout, retry: this.retryPolicy, retrySafe: true });
    const bytes = await this.decode(new Uint8Array(await response.arrayBuffer()));
    return ((options.output ?? this.defaultSerde) as Serde<unknown>).deserialize(bytes);
  }

  private async getOutput(path: string, options: AnyOptions): Promise<Output<unknown>> {
    const response = await this.exchange({
      method: "GET",
      path,
      headers: options.headers ?? {},
      signal: options.signal,
      timeout: options.timeout,
      retry: this.retryPolicy,
      retrySafe: true,
      accepted: [NOT_READY_STATUS],
    });
    if (response.status === NOT_READY_STATUS) {
      await response.arrayBuffer();
      return notReady(path);
    }
    const bytes = await this.decode(new Uint8Array(await response.arrayBuffer()));
    return { ready: true, result: ((options.output ?? this.defaultSerde) as Serde<unknown>).deserialize(bytes) };
  }

  /** One logical request (see exchange.ts), with the connection's headers under the request's own. */
  private exchange(req: Parameters<typeof exchange>[1]): Promise<Response> {
    return exchange(this.pool, { ...req, headers: { ...(this.opts.headers ?? {}), ...req.headers } });
  }

  private encode(bytes: Uint8Array): Uint8Array {
    return this.opts.journalValueCodec ? this.opts.journalValueCodec.encode(bytes) : bytes;
  }

  private decode(bytes: Uint8Array): Promise<Uint8Array> | Uint8Array {
    return this.opts.journalValueCodec ? this.opts.journalValueCodec.decode(bytes) : bytes;
  }
}

/** Bytes as they are: the default serde of the generic `call`/`send`. */
const BYTES: Serde<Uint8Array> = {
  contentType: "application/octet-stream",
  serialize: (value: Uint8Array) => {
    if (!(value instanceof Uint8Array)) throw new TypeError("ingress.call/send: without an input serde in opts, the parameter must be a Uint8Array");
    return value;
  },
  deserialize: (bytes: Uint8Array) => bytes,
};

function isSerde(value: unknown): value is Serde<unknown> {
  const candidate = value as { serialize?: unknown; deserialize?: unknown } | null | undefined;
  return typeof candidate === "object" && candidate !== null && typeof candidate.serialize === "function" && typeof candidate.deserialize === "function";
}

/** The target and client-style arguments of a generic `call`/`send` request. */
function genericArgs(request: GenericIngressRequest<unknown, unknown>, what: string): { target: Target; handler: string; args: unknown[] } {
  if (typeof request !== "object" || request === null || typeof request.service !== "string" || typeof request.handler !== "string") {
    throw new TypeError(`ingress.${what}() needs { service, handler, parameter }`);
  }
  const target: Target = { service: request.service };
  if (request.key !== undefined) target.key = checkKey(request.key);
  if (request.scope !== undefined) target.scope = request.scope;
  const args = request.opts === undefined ? [request.parameter] : [request.parameter, request.opts];
  return { target, handler: request.handler, args };
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

function nameOf(definition: ClientDef): string {
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
