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
} from "../context/rpc-types.js";
import type { Opts, SendOpts } from "./opts.js";

/** Where the restate-server ingress is, and headers sent with every request (e.g. an API key). */
export interface ConnectionOpts {
  /**
   * Base URL of the ingress, e.g. `http://127.0.0.1:8080` (a path prefix is kept), or the ingress URLs of several
   * nodes of one cluster: requests then go round-robin, and move to the next node when one cannot be reached
   * (only where sending twice is safe: idempotency key, workflow submission, attach/output).
   */
  url: string | string[];
  headers?: Record<string, string>;
  /** The fetch implementation to use; the global `fetch` by default. */
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
  /** Aborts the HTTP request (the invocation itself keeps running on the server). */
  signal?: AbortSignal;
}

/** Options of a one-way call (`rpc.sendOpts({...})`). */
export interface IngressSendOptions<I = unknown> extends Omit<IngressCallOptions<I, never>, "output"> {
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

/** A connection to the ingress of a restate-server. */
export interface Ingress {
  serviceClient<D>(definition: ServiceDefinitionFrom<D>): IngressClient<Service<D>>;
  objectClient<D>(definition: VirtualObjectDefinitionFrom<D>, key: string): IngressClient<VirtualObject<D>>;
  workflowClient<D>(definition: WorkflowDefinitionFrom<D>, key: string): IngressWorkflowClient<Workflow<D>>;
  serviceSendClient<D>(definition: ServiceDefinitionFrom<D>): IngressSendClient<Service<D>>;
  objectSendClient<D>(definition: VirtualObjectDefinitionFrom<D>, key: string): IngressSendClient<VirtualObject<D>>;
  /** Completes an awakeable created with `ctx.awakeable()` (value serialized with `serde`, JSON by default). */
  resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): Promise<void>;
  /** Fails an awakeable: the awaiting handler sees a TerminalError with `reason` as its message. */
  rejectAwakeable(id: string, reason: string): Promise<void>;
  /**
   * Waits for an invocation and returns its result: from a {@link Send}, a {@link WorkflowSubmission}, or an
   * invocation id (`inv_…`).
   */
  result<T>(invocation: Send<T> | WorkflowSubmission<T> | string, opts?: Opts<void, T>): Promise<T>;
  /** The invocation's result if it has finished (`ready: false` while it runs). */
  output<T>(invocation: Send<T> | WorkflowSubmission<T> | string, opts?: Opts<void, T>): Promise<Output<T>>;
}
