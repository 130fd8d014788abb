// `perdure/testing`: test durable handlers without Docker.
//  - RestateTestEnvironment: a real restate-server from npm + your services in-process (Node).
//  - runHandler: an offline journal harness — run one handler against scripted results, assert its commands,
//    its output, or the journal mismatch it raises. No server, milliseconds per test.

export { RestateTestEnvironment } from "./environment.js";
export type { TestEnvironmentOptions, ServiceEndpointAccess, TestEnvironmentStorage } from "./environment.js";
export { StateProxy } from "./state-proxy.js";
export { RestateContainer } from "./container.js";
// Types the official kit re-exports from the SDK, so a test file needs only this import.
export type {
  DefaultServiceOptions,
  Duration,
  EndpointOptions,
  InvocationId,
  LogMetadata,
  LoggerTransport,
  Request,
  RestateError,
  Serde,
  Target,
  TerminalError,
  TypedState,
  UntypedState,
} from "../index.js";
export type { LogSource, LoggerContext, RestateLogLevel } from "../index.js";
export type {
  Hooks,
  HooksProvider,
  Interceptor,
  ObjectOptions,
  ServiceOptions,
  WorkflowOptions,
  RetryPolicy,
  ServiceDefinition,
  VirtualObjectDefinition,
  WorkflowDefinition,
} from "../definition/types.js";
export type { RestateEndpoint } from "../../adapters/node/endpoint.js";
export type { RestateEndpointBase } from "../endpoint/endpoint.js";
export type { JournalValueCodec } from "../clients/types.js";
// The portable journal harness (also importable alone, with no Node built-ins: `perdure/testing/harness`).
export * from "./harness/index.js";
// The local server tooling lives in src/local (Node-only, shared with `perdure dev` and the e2e suite).
export { startRestateServer, restateServerBinary } from "../local/restate-server.js";
export type { RestateServer, RestateServerOptions, RestateServerPorts } from "../local/restate-server.js";
export { registerDeployment, AdminApiError } from "../local/admin.js";
export type { DeploymentRegistration, RegisterOptions } from "../local/admin.js";
export { startRestateCluster } from "../local/cluster.js";
export type { RestateCluster, RestateClusterOptions, ClusterNode } from "../local/cluster.js";
export { startLambdaEmulator, lambdaClientEnv, LAMBDA_SYNC_PAYLOAD_LIMIT, LAMBDA_ASYNC_PAYLOAD_LIMIT } from "./lambda/emulator.js";
export type { LambdaEmulator, LambdaEmulatorOptions, LambdaFunctionConfig, PublishedVersion, FunctionStats } from "./lambda/emulator.js";
export { registerLambdaDeployment } from "./lambda/register.js";
export type { LambdaRegistrationOptions } from "./lambda/register.js";
export { readZip, extractZip, ZipError } from "./lambda/zip.js";
export type { ZipEntry } from "./lambda/zip.js";
export { verifyInFlight, fetchInFlightJournals } from "./verify.js";
