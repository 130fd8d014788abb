// `perdure/clients`: call Restate services from outside (scripts, web apps, other backends) through the ingress.
// Same shapes as the official `@restatedev/restate-sdk-clients`; fetch only, so it runs on every runtime.

export { connect } from "./ingress.js";
export { Opts, SendOpts, rpc } from "./opts.js";
export { HttpCallError } from "./http.js";
export { defaultShouldRetry } from "./retry.js";
export type { RetryPolicy, RetryFailure } from "./retry.js";
export { IngressUnreachableError } from "./failover.js";
export type {
  ConnectionOpts,
  GenericIngressRequest,
  Ingress,
  JournalValueCodec,
  ScopedIngress,
  IngressClient,
  IngressClientFromDescriptors,
  IngressSendClient,
  IngressSendClientFromDescriptors,
  IngressWorkflowClient,
  IngressCallOptions,
  IngressSendOptions,
  Output,
  Send,
  SendResponse,
  WorkflowSubmission,
} from "./types.js";
export { TerminalError } from "../context/errors.js";
export type { Serde } from "../serde/types.js";
export { serde } from "../serde/index.js";
// Types the official clients package re-exports from the SDK core, so client code needs only this import.
export type {
  Service,
  ServiceDefinition,
  ServiceDefinitionFrom,
  VirtualObject,
  VirtualObjectDefinition,
  VirtualObjectDefinitionFrom,
  Workflow,
  WorkflowDefinition,
  WorkflowDefinitionFrom,
  InferArg as InferArgType,
} from "../definition/types.js";
export type { Duration } from "../context/duration.js";
