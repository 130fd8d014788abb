// Public types for defining services and calling them, source-compatible with the official SDK's
// `types/rpc` and `restate-sdk-core` (1.17.2): option objects, handler/definition shapes, typed clients.

import type { Serde } from "../serde/types.js";
import type { Duration } from "../context/duration.js";
import type { TerminalError } from "../context/errors.js";
import type {
  Context,
  InvocationHandle,
  InvocationPromise,
  ObjectContext,
  ObjectSharedContext,
  Request,
  WorkflowContext,
  WorkflowSharedContext,
} from "../context/context-types.js";
import type { Opts, SendOpts } from "./builders.js";
import type { AttemptLimitsOption } from "../machine/limits.js";

// ---------------------------------------------------------------------------------------------------
// Marker context interfaces and definition shapes (restate-sdk-core `core`)

export interface RestateContext {}
export interface RestateObjectContext {}
export interface RestateObjectSharedContext {}
export interface RestateWorkflowSharedContext extends RestateObjectSharedContext {}
export interface RestateWorkflowContext extends RestateObjectContext, RestateWorkflowSharedContext {}

/** Input type of a handler function (`void` when it takes only the context). */
export type ArgType<T> = T extends (ctx: any) => any ? void : T extends (ctx: any, input: infer I) => any ? I : never;
export type HandlerReturnType<T> = T extends (ctx: any, input: any) => Promise<infer R> ? R : never;

export type ServiceHandler<F, C = RestateContext> = F extends (ctx: C) => Promise<any>
  ? F
  : F extends (ctx: C, input: any) => Promise<any>
    ? F
    : (ctx: C, input?: any) => Promise<any>;
export type ObjectHandler<F, C = RestateObjectContext> = F extends (ctx: C, param: any) => Promise<any>
  ? F
  : F extends (ctx: C) => Promise<any>
    ? F
    : (ctx: C, param?: any) => Promise<any>;
export type ObjectSharedHandler<F, SC = RestateObjectSharedContext> = F extends (ctx: SC, param: any) => Promise<any>
  ? F
  : F extends (ctx: SC) => Promise<any>
    ? F
    : (ctx: SC, param?: any) => Promise<any>;
export type WorkflowHandler<F, C = RestateWorkflowContext> = F extends (ctx: C, param: any) => Promise<any>
  ? F
  : F extends (ctx: C) => Promise<any>
    ? F
    : (ctx: C, param?: any) => Promise<any>;
export type WorkflowSharedHandler<F, SC = RestateWorkflowSharedContext> = F extends (ctx: SC, param: any) => Promise<any>
  ? F
  : F extends (ctx: SC) => Promise<any>
    ? F
    : (ctx: SC, param?: any) => Promise<any>;

// `M` (the handlers) is a phantom parameter: TypeScript recovers it from the alias in Service<…> etc.
export type ServiceDefinition<P extends string, M> = { name: P };
export type VirtualObjectDefinition<P extends string, M> = { name: P };
export type WorkflowDefinition<P extends string, M> = { name: P };

export type Service<M> = M extends ServiceDefinition<string, infer S> ? S : M;
export type VirtualObject<M> = M extends VirtualObjectDefinition<string, infer O> ? O : M;
export type Workflow<M> = M extends WorkflowDefinition<string, infer W> ? W : M;
export type ServiceDefinitionFrom<M> = M extends ServiceDefinition<string, unknown> ? M : ServiceDefinition<string, M>;
export type VirtualObjectDefinitionFrom<M> =
  M extends VirtualObjectDefinition<string, unknown> ? M : VirtualObjectDefinition<string, M>;
export type WorkflowDefinitionFrom<M> = M extends WorkflowDefinition<string, unknown> ? M : WorkflowDefinition<string, M>;

// ---------------------------------------------------------------------------------------------------
// Hooks (interceptors around handler attempts and ctx.run closures)

export interface Interceptor {
  handler?: (next: () => Promise<void>) => Promise<void>;
  run?: (name: string, next: () => Promise<void>) => Promise<void>;
}
export interface Hooks {
  interceptor?: Interceptor;
}
export type HooksProvider = (ctx: { request: Request }) => Hooks;

// ---------------------------------------------------------------------------------------------------
// Service and handler options

/** Retry policy; unset fields fall back to the service's, then to the server's configuration. */
export type RetryPolicy = {
  /** Attempts including the first; then `onMaxAttempts` applies. */
  maxAttempts?: number;
  /** `pause`: the invocation waits for a manual resume; `kill`: it is killed. */
  onMaxAttempts?: "pause" | "kill";
  /** Delay before the first retry (number = milliseconds). */
  initialInterval?: Duration | number;
  /** Upper bound of the delay between retries (number = milliseconds). */
  maxInterval?: Duration | number;
  /** Growth factor of the delay between retries. */
  exponentiationFactor?: number;
};

/** Settings shared by services, objects and workflows (and their handlers). Server ≥ 1.4 for the timers. */
type CommonOptions = {
  /** Retention of idempotent request results. */
  idempotencyRetention?: Duration | number;
  /** Retention of the journal after completion. */
  journalRetention?: Duration | number;
  /** Silence after which the server asks the invocation to suspend. */
  inactivityTimeout?: Duration | number;
  /** Time after the suspension request before the server aborts the attempt. */
  abortTimeout?: Duration | number;
  /** `true`: callable only from other services, not from the HTTP/Kafka ingress. */
  ingressPrivate?: boolean;
  retryPolicy?: RetryPolicy;
  /** Maps domain errors to TerminalError (not retried); `undefined` keeps them retryable. */
  asTerminalError?: (error: any) => TerminalError | undefined;
  /** Default serde for input, output, state, run results, awakeables and promises (json if unset). */
  serde?: Serde<any>;
  /** Interceptors; service-level ones wrap handler-level ones. */
  hooks?: HooksProvider[];
  /** @experimental `true`: awaiting does not propagate cancellation; user code listens for it instead. */
  explicitCancellation?: boolean;
  /** @experimental What a journal mismatch does: retry (default), pause, or fail the invocation. */
  onJournalMismatchErrors?: "retry" | "pause" | "fail";
  /**
   * perdure extension — request-response mode only: continue past a ctx.run whose result was proposed in the same
   * attempt instead of suspending (one attempt for N sequential runs). Code after such a run can observe its result
   * before the server has stored it; if the attempt is lost, the run executes again and may produce another value.
   * See README "Eager runs". Default false. A ctx.run option `eager` overrides it per run.
   */
  eagerRuns?: boolean;
  /**
   * perdure extension, with eager runs: how long one attempt may keep continuing eagerly (milliseconds or a Duration,
   * counted from the start of the attempt). Once spent, the next await of eager runs suspends on purpose — every
   * result so far is stored — and the server resumes the invocation in a new attempt, instead of the platform killing
   * a long attempt (a Workers CPU limit, a Lambda timeout). Default: no budget. See README "Eager runs".
   */
  eagerRunsBudget?: Duration | number;
  /**
   * perdure extension: bounds on what one attempt of these handlers may accumulate (commands, output bytes, single
   * message size, unread signals); exceeding one ends that attempt with an error naming the limit.
   */
  attemptLimits?: AttemptLimitsOption;
};

export type ServiceOptions = CommonOptions;

export type ObjectOptions = ServiceOptions & {
  /** `true`: state is fetched on demand instead of being sent with each invocation. */
  enableLazyState?: boolean;
};

export type WorkflowOptions = ServiceOptions & {
  /** How long the workflow's result (and its state) is kept after `run` completes. */
  workflowRetention?: Duration | number;
  enableLazyState?: boolean;
};

/** Options given to the endpoint for every bound service; each service/handler may override them. */
export type DefaultServiceOptions = ServiceOptions & ObjectOptions & WorkflowOptions;

export type ServiceHandlerOpts<I, O> = CommonOptions & {
  /** Content types the ingress accepts for this handler (wildcards allowed); defaults to the input serde's. */
  accept?: string;
  /** Serde of the input parameter (defaults to the handler's/service's `serde`, then json). */
  input?: Serde<I>;
  /** Serde of the returned value (defaults to the handler's/service's `serde`, then json). */
  output?: Serde<O>;
  /** Set the output content type even when the serialized output is empty. */
  setOutputContentTypeIfEmpty?: boolean;
  /** Human-readable description (manifest `documentation`). */
  description?: string;
  /** Key/value metadata shown by the admin API. */
  metadata?: Record<string, string>;
};

export type ObjectHandlerOpts<I, O> = ServiceHandlerOpts<I, O> & {
  enableLazyState?: boolean;
};

export type WorkflowHandlerOpts<I, O> = ServiceHandlerOpts<I, O> & {
  enableLazyState?: boolean;
};

// ---------------------------------------------------------------------------------------------------
// Handler maps accepted by service() / object() / workflow()

export type RemoveVoidArgument<F> = F extends (ctx: infer C, arg: infer A) => infer R
  ? A extends void
    ? (ctx: C) => R
    : F
  : F;

export type ServiceOpts<U> = {
  [K in keyof U]: U[K] extends ServiceHandler<U[K], Context> ? U[K] : ServiceHandler<U[K], Context>;
};

export type ObjectOpts<U> = {
  [K in keyof U]: U[K] extends ObjectHandler<U[K], ObjectContext<any>>
    ? U[K]
    : U[K] extends ObjectHandler<U[K], ObjectSharedContext<any>>
      ? U[K]
      : ObjectHandler<U[K], ObjectContext<any>> | ObjectHandler<U[K], ObjectSharedContext<any>>;
};

/** Exactly one `run` handler (WorkflowContext); the others take a WorkflowSharedContext. */
export type WorkflowOpts<U> = {
  run: (ctx: WorkflowContext<any>, argument: any) => Promise<any>;
} & {
  [K in keyof U]: K extends "workflowSubmit" | "workflowAttach" | "workflowOutput"
    ? `${K} is a reserved keyword`
    : K extends "run"
      ? U[K] extends WorkflowHandler<U[K], WorkflowContext<any>>
        ? U[K]
        : "An handler named 'run' must take as a first argument a WorkflowContext, and must return a Promise"
      : U[K] extends WorkflowSharedHandler<U[K], WorkflowSharedContext<any>>
        ? U[K]
        : "An handler other then 'run' must accept as a first argument a WorkflowSharedContext";
};

// ---------------------------------------------------------------------------------------------------
// Calls and sends

export type ClientCallOptions<I, O> = {
  /** Serde for the request (overrides the default). */
  input?: Serde<I>;
  /** Serde for the response (overrides the default). */
  output?: Serde<O>;
  idempotencyKey?: string;
  /** @experimental Concurrency limit key within the scope (protocol V7 + server flags). */
  limitKey?: string;
  /** Headers the callee sees in `ctx.request().headers`. */
  headers?: Record<string, string>;
  /** Name recorded in the journal (observability). */
  name?: string;
};

export type ClientSendOptions<I> = {
  /** Deliver the message after this delay (number = milliseconds); durable, survives restarts. */
  delay?: Duration | number;
  input?: Serde<I>;
  idempotencyKey?: string;
  /** @experimental */
  limitKey?: string;
  headers?: Record<string, string>;
  name?: string;
};

export type InferArg<P> = P extends [infer A, ...any[]] ? A : unknown;

/** Request/response client: one method per handler, with optional call options last. */
export type Client<M> = {
  [K in keyof M as M[K] extends never ? never : K]: M[K] extends (arg: any, ...args: infer P) => PromiseLike<infer O>
    ? (...args: [...P, ...[opts?: Opts<InferArg<P>, O>]]) => InvocationPromise<O>
    : never;
};

/** One-way client: each method enqueues the call and returns its handle. */
export type SendClient<M> = {
  [K in keyof M as M[K] extends never ? never : K]: M[K] extends (arg: any, ...args: infer P) => void
    ? (...args: [...P, ...[opts?: SendOpts<InferArg<P>>]]) => InvocationHandle
    : never;
};
