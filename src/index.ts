// perdure's public API: source-compatible with the Restate TypeScript SDK's fetch API (`@restatedev/restate-sdk/fetch`).
// Re-exports only.

export { endpoint, createEndpointHandler } from "./endpoint/endpoint.js";
export type { FetchEndpoint, EndpointOptions, FetchEndpointOptions, RestateEndpointBase, EndpointBuilderMethods } from "./endpoint/endpoint.js";
export type { AttemptInfo } from "./endpoint/invoke.js";
export type { DefaultServiceOptions } from "./endpoint/service-options.js";

export {
  service,
  object,
  workflow,
  handlers,
  rpc,
  Opts,
  SendOpts,
  createServiceHandler,
  createObjectHandler,
  createObjectSharedHandler,
  createWorkflowHandler,
  createWorkflowSharedHandler,
} from "./definition/builders.js";
export type * from "./definition/types.js";
export type * from "./definition/contract-types.js";
export { iface, implement } from "./definition/contract.js";

export { serde } from "./serde/index.js";
export type { Serde } from "./serde/index.js";

export { RestatePromise, CombineablePromise, isRestatePromise } from "./context/restate-promise.js";
export {
  RestateError,
  TerminalError,
  TimeoutError,
  CancelledError,
  RetryableError,
  PauseError,
} from "./context/errors.js";
export type { RetryableErrorOptions } from "./context/errors.js";
export type { Duration } from "./context/duration.js";

export { InvocationIdParser } from "./context/context-types.js";
export type {
  Context,
  ObjectContext,
  ObjectSharedContext,
  WorkflowContext,
  WorkflowSharedContext,
  DurablePromise,
  Rand,
  Request,
  ContextDate,
  RunAction,
  RunOptions,
  GenericCall,
  GenericSend,
  InvocationId,
  InvocationHandle,
  InvocationPromise,
  InvocationReference,
  SignalReference,
  ScopedContext,
  Target,
  TypedState,
  UntypedState,
  KeyValueStore,
} from "./context/context-types.js";

export * as internal from "./context/internal.js";

export { RestateLogLevel, LogSource, LoggerContext, consoleTransport, defaultLoggerTransport } from "./context/logging.js";
export type { LogMetadata, LoggerTransport, ConsoleTransportOptions } from "./context/logging.js";
