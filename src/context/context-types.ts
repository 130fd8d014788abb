// The types handlers see (Context, ObjectContext, WorkflowContext, …), with the same names and shapes as the
// official SDK's fetch API so existing code compiles unchanged. ContextImpl implements all of them at runtime.

import type { Serde } from "../serde/types.js";
import type { Duration } from "./duration.js";
import type { TerminalError } from "./errors.js";
import type { RestatePromise } from "./restate-promise.js";
import type {
  Client,
  RestateContext,
  RestateObjectContext,
  RestateObjectSharedContext,
  RestateWorkflowContext,
  RestateWorkflowSharedContext,
  SendClient,
  Service,
  ServiceDefinitionFrom,
  VirtualObject,
  VirtualObjectDefinitionFrom,
  Workflow,
  WorkflowDefinitionFrom,
} from "../definition/types.js";

import type {
  ClientFromDescriptors,
  HandlerDescriptor,
  ObjectDescriptor,
  SendClientFromDescriptors,
  ServiceDescriptor,
  WorkflowDescriptor,
} from "../definition/contract-types.js";

export type { RestatePromise } from "./restate-promise.js";

export type TypedState = Record<string, any>;
export type UntypedState = { _: never };

export type InvocationId = string & { __brand: "InvocationId" };

export const InvocationIdParser = {
  fromString(id: string): InvocationId {
    if (typeof id !== "string" || !id.startsWith("inv_") || id.length < 5) {
      throw new TypeError(`'${String(id)}' is not an invocation id (they look like inv_1abc…)`);
    }
    return id as InvocationId;
  },
};

export interface Target {
  service: string;
  handler: string;
  key?: string;
  toString(): string;
}

export interface Request {
  readonly target: Target;
  readonly id: InvocationId;
  /** Headers of the invocation (from the ingress or the calling handler). */
  readonly headers: ReadonlyMap<string, string>;
  /** Headers of this attempt's HTTP request from restate-server. */
  readonly attemptHeaders: ReadonlyMap<string, string | string[] | undefined>;
  readonly body: Uint8Array;
  /** Extra arguments the platform passed to fetch (e.g. a Worker's env and ExecutionContext). */
  readonly extraArgs: unknown[];
  readonly idempotencyKey?: string;
  readonly scope?: string;
  readonly limitKey?: string;
  /** Aborted when this attempt has ended (completed, suspended or failed): stop any work that is not journaled. */
  readonly attemptCompletedSignal: AbortSignal;
}

export interface KeyValueStore<TState extends TypedState> {
  get<TValue, TKey extends keyof TState = string>(
    name: TState extends UntypedState ? string : TKey,
    serde?: Serde<TState extends UntypedState ? TValue : TState[TKey]>,
  ): Promise<(TState extends UntypedState ? TValue : TState[TKey]) | null>;
  stateKeys(): Promise<Array<string>>;
  set<TValue, TKey extends keyof TState = string>(
    name: TState extends UntypedState ? string : TKey,
    value: TState extends UntypedState ? TValue : TState[TKey],
    serde?: Serde<TState extends UntypedState ? TValue : TState[TKey]>,
  ): void;
  clear<TKey extends keyof TState>(name: TState extends UntypedState ? string : TKey): void;
  clearAll(): void;
}

export interface ContextDate {
  /** Date.now(), journaled: the same value on every replay. */
  now(): Promise<number>;
  toJSON(): Promise<string>;
}

export interface Rand {
  random(): number;
  uuidv4(): string;
}

export type RunAction<T> = (() => Promise<T>) | (() => T);

export type RunOptions<T> = {
  serde?: Serde<T>;
  /** Executions of the closure, the first included, before the failure is journaled as a TerminalError. */
  maxRetryAttempts?: number;
  maxRetryDuration?: Duration | number;
  initialRetryInterval?: Duration | number;
  maxRetryInterval?: Duration | number;
  retryIntervalFactor?: number;
  /**
   * perdure extension (request-response mode): continue past this run once its result is proposed, without waiting
   * for the server to store it. Defaults to the handler's `eagerRuns` option. See README "Eager runs".
   */
  eager?: boolean;
};

export type GenericCall<REQ, RES> = {
  service: string;
  method: string;
  parameter: REQ;
  key?: string;
  headers?: Record<string, string>;
  inputSerde?: Serde<REQ>;
  outputSerde?: Serde<RES>;
  idempotencyKey?: string;
  scope?: string;
  limitKey?: string;
  name?: string;
};

export type GenericSend<REQ> = {
  service: string;
  method: string;
  parameter: REQ;
  key?: string;
  headers?: Record<string, string>;
  inputSerde?: Serde<REQ>;
  delay?: Duration | number;
  idempotencyKey?: string;
  scope?: string;
  limitKey?: string;
  name?: string;
};

export type InvocationHandle = { readonly invocationId: Promise<InvocationId> };
export type InvocationPromise<T> = RestatePromise<T> & InvocationHandle;

export interface SignalReference<T> {
  resolve(payload?: T): void;
  reject(reason: string | TerminalError): void;
}

export interface InvocationReference {
  signal<T>(name: string, serde?: Serde<T>): SignalReference<T>;
  cancel(): void;
  attach<T>(serde?: Serde<T>): RestatePromise<T>;
}

export type ScopedContext = Pick<
  Context,
  | "serviceClient"
  | "serviceSendClient"
  | "objectClient"
  | "objectSendClient"
  | "workflowClient"
  | "workflowSendClient"
  | "client"
  | "sendClient"
>;

export interface Context extends RestateContext {
  rand: Rand;
  console: Console;
  date: ContextDate;
  run<T>(action: RunAction<T>): RestatePromise<T>;
  run<T>(name: string, action: RunAction<T>): RestatePromise<T>;
  run<T>(name: string, action: RunAction<T>, options: RunOptions<T>): RestatePromise<T>;
  awakeable<T>(serde?: Serde<T>): { id: string; promise: RestatePromise<T> };
  resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): void;
  rejectAwakeable(id: string, reason: string | TerminalError): void;
  sleep(duration: Duration | number, name?: string): RestatePromise<void>;
  serviceClient<D>(opts: ServiceDefinitionFrom<D>): Client<Service<D>>;
  objectClient<D>(opts: VirtualObjectDefinitionFrom<D>, key: string): Client<VirtualObject<D>>;
  workflowClient<D>(opts: WorkflowDefinitionFrom<D>, key: string): Client<Workflow<D>>;
  workflowSendClient<D>(opts: WorkflowDefinitionFrom<D>, key: string): SendClient<Workflow<D>>;
  serviceSendClient<D>(service: ServiceDefinitionFrom<D>): SendClient<Service<D>>;
  objectSendClient<D>(obj: VirtualObjectDefinitionFrom<D>, key: string): SendClient<VirtualObject<D>>;
  /** A client from a contract (`iface`) or an implemented definition; objects and workflows need a key. */
  client<P extends string, H extends Record<string, HandlerDescriptor>>(serviceInterface: ServiceDescriptor<P, H>): ClientFromDescriptors<H>;
  client<P extends string, H extends Record<string, HandlerDescriptor>>(
    objectOrWorkflowInterface: ObjectDescriptor<P, H> | WorkflowDescriptor<P, H>,
    key: string,
  ): ClientFromDescriptors<H>;
  sendClient<P extends string, H extends Record<string, HandlerDescriptor>>(serviceInterface: ServiceDescriptor<P, H>): SendClientFromDescriptors<H>;
  sendClient<P extends string, H extends Record<string, HandlerDescriptor>>(
    objectOrWorkflowInterface: ObjectDescriptor<P, H> | WorkflowDescriptor<P, H>,
    key: string,
  ): SendClientFromDescriptors<H>;
  /** Routes calls within a scope (protocol V7). */
  scope(scopeKey: string): ScopedContext;
  genericCall<REQ = Uint8Array, RES = Uint8Array>(call: GenericCall<REQ, RES>): InvocationPromise<RES>;
  genericSend<REQ = Uint8Array>(call: GenericSend<REQ>): InvocationHandle;
  request(): Request;
  cancel(invocationId: InvocationId): void;
  attach<T>(invocationId: InvocationId, serde?: Serde<T>): RestatePromise<T>;
  /** Waits for a named signal sent to this invocation. */
  signal<T>(name: string, serde?: Serde<T>): RestatePromise<T>;
  invocation(invocationId: InvocationId): InvocationReference;
}

export interface ObjectContext<TState extends TypedState = UntypedState>
  extends Context,
    KeyValueStore<TState>,
    RestateObjectContext {
  key: string;
}

export interface ObjectSharedContext<TState extends TypedState = UntypedState> extends Context, RestateObjectSharedContext {
  key: string;
  get<TValue, TKey extends keyof TState = string>(
    name: TState extends UntypedState ? string : TKey,
    serde?: Serde<TState extends UntypedState ? TValue : TState[TKey]>,
  ): Promise<(TState extends UntypedState ? TValue : TState[TKey]) | null>;
  stateKeys(): Promise<Array<string>>;
}

export type DurablePromise<T> = Promise<T> & {
  peek(): Promise<T | undefined>;
  resolve(value?: T): Promise<void>;
  reject(errorMsg: string): Promise<void>;
  get(): RestatePromise<T>;
};

export interface WorkflowSharedContext<TState extends TypedState = UntypedState>
  extends ObjectSharedContext<TState>,
    RestateWorkflowSharedContext {
  promise<T>(name: string, serde?: Serde<T>): DurablePromise<T>;
}

export interface WorkflowContext<TState extends TypedState = UntypedState>
  extends WorkflowSharedContext<TState>,
    ObjectContext<TState>,
    RestateWorkflowContext {}
