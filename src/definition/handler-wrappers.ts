// handlers.handler / handlers.object.* / handlers.workflow.* and their createXxxHandler aliases: each wraps the user's
// function in a fresh function carrying its kind and options, which service()/object()/workflow() read back.

import type {
  Context,
  ObjectContext,
  ObjectSharedContext,
  TypedState,
  UntypedState,
  WorkflowContext,
  WorkflowSharedContext,
} from "../context/context-types.js";
import type { HandlerKind } from "./service-model.js";
import type { ObjectHandlerOpts, RemoveVoidArgument, ServiceHandlerOpts, WorkflowHandlerOpts } from "./types.js";

// Symbol.for: two copies of perdure in one process still recognise each other's handlers.
const HANDLER_META = Symbol.for("perdure.handler");

/** What handlers.* attach to the function they return. */
export interface HandlerMeta {
  kind: HandlerKind | "SERVICE";
  opts: (ServiceHandlerOpts<unknown, unknown> & { enableLazyState?: boolean }) | undefined;
  fn: (...args: unknown[]) => unknown;
}

/** The kind and options a handlers.* wrapper attached to `value`, if it is one. */
export function handlerMetaOf(value: unknown): HandlerMeta | undefined {
  return (value as { [HANDLER_META]?: HandlerMeta })[HANDLER_META];
}

function markHandler(kind: HandlerMeta["kind"], optsOrFn: unknown, maybeFn: unknown): any {
  const [opts, fn] = typeof optsOrFn === "function" ? [undefined, optsOrFn] : [optsOrFn, maybeFn];
  if (typeof fn !== "function") throw new TypeError("The handler function must be the last argument");
  if (opts !== undefined && (typeof opts !== "object" || opts === null)) {
    throw new TypeError("Handler options must be an object");
  }
  // A fresh function per call, so one user function can be wrapped with different options.
  const handler = function (this: unknown, ...args: unknown[]) {
    return (fn as (...a: unknown[]) => unknown).apply(this, args);
  };
  const meta: HandlerMeta = { kind, opts: opts as HandlerMeta["opts"], fn: fn as HandlerMeta["fn"] };
  Object.defineProperty(handler, HANDLER_META, { value: meta });
  return handler;
}

export function serviceHandler<O, I = void>(
  opts: ServiceHandlerOpts<I, O>,
  fn: (ctx: Context, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn> {
  return markHandler("SERVICE", opts, fn);
}

export function workflowRun<O, I = void, TState extends TypedState = UntypedState>(
  opts: WorkflowHandlerOpts<I, O>,
  fn: (ctx: WorkflowContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function workflowRun<O, I = void, TState extends TypedState = UntypedState>(
  fn: (ctx: WorkflowContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function workflowRun(optsOrFn: unknown, fn?: unknown): any {
  return markHandler("WORKFLOW", optsOrFn, fn);
}

export function workflowShared<O, I = void, TState extends TypedState = UntypedState>(
  opts: WorkflowHandlerOpts<I, O>,
  fn: (ctx: WorkflowSharedContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function workflowShared<O, I = void, TState extends TypedState = UntypedState>(
  fn: (ctx: WorkflowSharedContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function workflowShared(optsOrFn: unknown, fn?: unknown): any {
  return markHandler("SHARED", optsOrFn, fn);
}

export function objectExclusive<O, I = void, TState extends TypedState = UntypedState>(
  opts: ObjectHandlerOpts<I, O>,
  fn: (ctx: ObjectContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function objectExclusive<O, I = void, TState extends TypedState = UntypedState>(
  fn: (ctx: ObjectContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function objectExclusive(optsOrFn: unknown, fn?: unknown): any {
  return markHandler("EXCLUSIVE", optsOrFn, fn);
}

export function objectShared<O, I = void, TState extends TypedState = UntypedState>(
  opts: ObjectHandlerOpts<I, O>,
  fn: (ctx: ObjectSharedContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function objectShared<O, I = void, TState extends TypedState = UntypedState>(
  fn: (ctx: ObjectSharedContext<TState>, input: I) => Promise<O>,
): RemoveVoidArgument<typeof fn>;
export function objectShared(optsOrFn: unknown, fn?: unknown): any {
  return markHandler("SHARED", optsOrFn, fn);
}

export const createServiceHandler: typeof serviceHandler = serviceHandler;
export const createObjectHandler: typeof objectExclusive = objectExclusive;
export const createObjectSharedHandler: typeof objectShared = objectShared;
export const createWorkflowHandler: typeof workflowRun = workflowRun;
export const createWorkflowSharedHandler: typeof workflowShared = workflowShared;
