// Public types of `perdure/clients`, shaped like the official `@restatedev/restate-sdk-clients` (1.x): a connection
// (`Ingress`) hands out typed clients derived from the service definitions' handler signatures.

import type { Serde } from "../serde/types.js";
import type { Duration } from "../context/duration.js";
import type {
  InferArg,
  Service,
  ServiceDefinitionFrom,
  VirtualObject,
  VirtualObjectDefinitionFrom,
  Workflow,
  WorkflowDefinitionFrom,
} from "../definition/types.js";
import type { HandlerDescriptor, InferInput, InferOutput, ObjectDescriptor, ServiceDescriptor, WorkflowDescriptor } from "../definition/contract-types.js";
import type { Opts, SendOpts } from "./opts.js";
import type { RetryPolicy } from "./retry.js";

/**
 * Transforms every payload after serialization and before deserialization (e.g. encryption), as the endpoint's
 * journal value codec does: request bodies are encoded, response bodies decoded.
 */
export type JournalValueCodec = {
  encode(buf: Uint8Array): Uint8Array;
  decode(buf: Uint8Array): Promise<Uint8Array>;
};

/** Where the restate-server ingress is, and headers sent with every request (e.g. an API key). */
export interface ConnectionOpts {
  /**
   * Base URL of the ingress, e.g. `http://127.0.0.1:8080` (a path prefix is kept), or the ingress URLs of several
   * nodes of one cluster: requests then go round-robin, and move to the next node when one cannot be reached
   * (only where sending twice is safe: idempotency key, workflow submission, attach/output).
   */
  url: string | string[];
  headers?: Record<string, string>;
  /**
   * Retries of requests that are safe to repeat (calls and sends with an idempotency key, workflow submit, attach,
   * output): `true` for the defaults, a policy to tune them. Default: no retries.
   */
  retry?: RetryPolicy | boolean;
  /** Serde of inputs and outputs when a call's options name none. Default: JSON. */
  serde?: Serde<any>;
  /** Encodes request payloads and decodes response payloads (after/before the serde). */
  journalValueCodec?: JournalValueCodec;
  /** The fetch implementation to use (called with a `Request`; `globalThis.fetch` fits); the global `fetch` by default. */
  fetch?: (input: Request) => Promise<Response>;
}

/** Options of a request/response call through the ingress (`rpc.opts({...})`). */
export interface IngressCallOptions<I = unknown, O = unknown> {
  /** The server runs the handler at most once per key; retries of the same call return the same result. */
  idempotencyKey?: string;
  /** Serde of the request body (JSON by default). */
  input?: Serde<I>;
  /** Serde of the response body (JSON by default). */
  output?: Serde<O>;
  /** Headers the handler sees in `ctx.request().headers`. */
  headers?: Record<string, string>;
  /** Concurrency limit key of the invocation (`x-restate-limit-key`; needs a server with limits, protocol V7). */
  limitKey?: string;
  /**
   * Milliseconds each HTTP attempt may take; then it is aborted (and fails with a TimeoutError, or is retried under
   * the connection's retry policy). The invocation itself keeps running on the server. Exclusive with `signal`.
   */
  timeout?: number;
  /** Aborts the HTTP request (the invocation itself keeps running on the server). Exclusive with `timeout`. */
  signal?: AbortSignal;
}

/** Options of a one-way call (`rpc.sendOpts({...})`). */
export interface IngressSendOptions<I = unknown> extends IngressCallOptions<I, void> {
  /** Start the invocation after this delay (number = milliseconds). Durable: the server keeps the timer. */
  delay?: Duration | number;
}

/** What a one-way call returns: the id of the invocation it started (or found, with an idempotency key). */
export interface Send<T = unknown> {
  readonly invocationId: string;
  /** `PreviouslyAccepted` when an idempotency key matched an earlier request. */
  readonly status: "Accepted" | "PreviouslyAccepted";
  /** Whether `result()` can attach to it after it completed (true with an idempotency key). */
  readonly attachable: boolean;
  /** When a delayed send will run (ISO 8601), as the server reports it. */
  readonly executionTime?: string;
  /** Phantom: the handler's result type, for `result()`. */
  readonly __result?: T;
}
/** perdure's name for {@link Send}. */
export type SendResponse<T = unknown> = Send<T>;

export interface WorkflowSubmission<T = unknown> {
  readonly invocationId: string;
  readonly status: "Accepted" | "PreviouslyAccepted";
  readonly attachable: true;
  readonly __result?: T;
}

/** A workflow's result if it has finished: `ready` false while it runs (reading `result` then throws). */
export interface Output<O> {
  readonly ready: boolean;
  readonly result: O;
}

/**
 * Request/response client: each handler becomes `(input?, opts?) => Promise<output>`. Options made inline are checked
 * against the handler's types; a stored `rpc.opts({...})` without serdes (`Opts<unknown, unknown>`) fits any handler.
 */
export type IngressClient<M> = {
  [K in keyof M as M[K] extends never ? never : K]: M[K] extends (arg: any, ...args: infer P) => PromiseLike<infer O>
    ? (...args: [...P, ...[opts?: Opts<InferArg<P>, O> | Opts<unknown, unknown>]]) => Promise<O>
    : never;
};

/** One-way client: each handler becomes `(input?, opts?) => Promise<Send>`, resolved once the server accepted it. */
export type IngressSendClient<M> = {
  [K in keyof M as M[K] extends never ? never : K]: M[K] extends (arg: any, ...args: infer P) => PromiseLike<infer O>
    ? (...args: [...P, ...[opts?: SendOpts<InferArg<P>> | SendOpts<unknown>]]) => Promise<Send<O>>
    : never;
};

type RunOutput<M> = M extends { run: (...args: any[]) => PromiseLike<infer O> } ? O : unknown;
type RunArgs<M> = M extends { run: (arg: any, ...args: infer P) => any } ? P : [];

/** Workflow client: the shared handlers, plus submit / attach / output for its `run` handler. */
export type IngressWorkflowClient<M> = Omit<IngressClient<M>, "run"> & {
  /** Starts the workflow run for this key (once: a second submit finds the first run). */
  workflowSubmit(...args: [...RunArgs<M>, ...[opts?: SendOpts<InferArg<RunArgs<M>>> | SendOpts<unknown>]]): Promise<WorkflowSubmission<RunOutput<M>>>;
  /** Waits for the run to finish and returns its result. */
  workflowAttach(opts?: Opts<void, RunOutput<M>>): Promise<RunOutput<M>>;
  /** The run's result if it has finished, without waiting. */
  workflowOutput(opts?: Opts<void, RunOutput<M>>): Promise<Output<RunOutput<M>>>;
};

/**
 * Request/response client built from a contract's handler descriptors (`iface`): input and output types come from
 * the descriptors, so a client needs no implementation.
 */
export type IngressClientFromDescriptors<H extends Record<string, HandlerDescriptor>> = {
  readonly [K in keyof H]: [InferInput<H[K]>] extends [void]
    ? (opts?: Opts<InferInput<H[K]>, InferOutput<H[K]>>) => Promise<InferOutput<H[K]>>
    : (input: InferInput<H[K]>, opts?: Opts<InferInput<H[K]>, InferOutput<H[K]>>) => Promise<InferOutput<H[K]>>;
};

/** One-way counterpart of {@link IngressClientFromDescriptors}. */
export type IngressSendClientFromDescriptors<H extends Record<string, HandlerDescriptor>> = {
  readonly [K in keyof H]: [InferInput<H[K]>] extends [void]
    ? (opts?: SendOpts<InferInput<H[K]>>) => Promise<Send<InferOutput<H[K]>>>
    : (input: InferInput<H[K]>, opts?: SendOpts<InferInput<H[K]>>) => Promise<Send<InferOutput<H[K]>>>;
};

/** The clients of a connection, bound to a scope (`ingress.scope(key)`): every invocation carries that scope. */
export type ScopedIngress = Pick<Ingress, "serviceClient" | "serviceSendClient" | "objectClient" | "objectSendClient" | "workflowClient" | "client" | "sendClient">;

/** A generic call by name (`ingress.call`, `ingress.send`). */
export interface GenericIngressRequest<I, Options> {
  service: string;
  handler: string;
  parameter: I;
  /** The key of a virtual object or workflow. */
  key?: string;
  /** The scope of the invocation (protocol V7 servers). */
  scope?: string;
  opts?: Options;
}

/** A connection to the ingress of a restate-server. */
export interface Ingress {
  serviceClient<D>(definition: ServiceDefinitionFrom<D>): IngressClient<Service<D>>;
  objectClient<D>(definition: VirtualObjectDefinitionFrom<D>, key: string): IngressClient<VirtualObject<D>>;
  workflowClient<D>(definition: WorkflowDefinitionFrom<D>, key: string): IngressWorkflowClient<Workflow<D>>;
  serviceSendClient<D>(definition: ServiceDefinitionFrom<D>): IngressSendClient<Service<D>>;
  objectSendClient<D>(definition: VirtualObjectDefinitionFrom<D>, key: string): IngressSendClient<VirtualObject<D>>;
  /**
   * A client from a contract (`iface.service/object/workflow`) or an `implement()`ed definition; handlers use the
   * descriptors' serdes unless the call's options name others. Objects and workflows need a key.
   */
  client<P extends string, H extends Record<string, HandlerDescriptor>>(serviceInterface: ServiceDescriptor<P, H>): IngressClientFromDescriptors<H>;
  client<P extends string, H extends Record<string, HandlerDescriptor>>(
    objectOrWorkflowInterface: ObjectDescriptor<P, H> | WorkflowDescriptor<P, H>,
    key: string,
  ): IngressClientFromDescriptors<H>;
  /** One-way counterpart of {@link Ingress.client}. */
  sendClient<P extends string, H extends Record<string, HandlerDescriptor>>(serviceInterface: ServiceDescriptor<P, H>): IngressSendClientFromDescriptors<H>;
  sendClient<P extends string, H extends Record<string, HandlerDescriptor>>(
    objectOrWorkflowInterface: ObjectDescriptor<P, H> | WorkflowDescriptor<P, H>,
    key: string,
  ): IngressSendClientFromDescriptors<H>;
  /** Completes an awakeable created with `ctx.awakeable()` (value serialized with `serde`, JSON by default). */
  resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): Promise<void>;
  /** Fails an awakeable: the awaiting handler sees a TerminalError with `reason` as its message. */
  rejectAwakeable(id: string, reason: string): Promise<void>;
  /**
   * Waits for an invocation and returns its result: from a {@link Send}, a {@link WorkflowSubmission}, or an
   * invocation id (`inv_…`).
   */
  result<T>(invocation: Send<T> | WorkflowSubmission<T> | string, resultSerde?: Serde<T> | Opts<void, T>): Promise<T>;
  /** The invocation's result if it has finished (`ready: false` while it runs). */
  output<T>(invocation: Send<T> | WorkflowSubmission<T> | string, opts?: Opts<void, T>): Promise<Output<T>>;
  /** Calls `service/handler` by name (bytes in and out unless the options give serdes). */
  call<I = Uint8Array, O = Uint8Array>(request: GenericIngressRequest<I, Opts<I, O>>): Promise<O>;
  /** Sends to `service/handler` by name. */
  send<I = Uint8Array>(request: GenericIngressRequest<I, SendOpts<I>>): Promise<Send>;
  /** The same clients, each invocation in scope `scopeKey` (`/restate/scope/{scope}/…`; protocol V7 servers). */
  scope(scopeKey: string): ScopedIngress;
}
