// `perdure/clients`: call Restate services from outside (scripts, web apps, other backends) through the ingress.
// Same shapes as the official `@restatedev/restate-sdk-clients`; fetch only, so it runs on every runtime.

export { connect } from "./ingress.js";
export { Opts, SendOpts, rpc } from "./opts.js";
export { HttpCallError } from "./http.js";
export { IngressUnreachableError } from "./failover.js";
export type {
  ConnectionOpts,
  Ingress,
  IngressClient,
  IngressSendClient,
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
