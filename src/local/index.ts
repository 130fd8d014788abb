// Local server tooling, Node-only: what `perdure dev` (src/cli), the testing kit (src/testing) and the e2e suite use to
// run the real restate-server from npm on loopback. The public pieces reach users through `perdure/testing`.
//   restate-server.ts  launcher (fresh or kept data dir, chosen or free ports, readiness, stop)
//   cluster.ts         N restate-server processes as one cluster; restatectl.ts reads its partition table
//   admin.ts           admin API calls (deployments, invocations, SQL introspection, state)
//   child-lifetime.ts  child processes that never outlive this one (exit hook + watchdog)
//   ports.ts           free / bindable loopback ports
export { startRestateServer, restateServerBinary, tail } from "./restate-server.js";
export type { RestateServer, RestateServerOptions, RestateServerPorts } from "./restate-server.js";
export { freePort, isPortFree, PortInUseError } from "./ports.js";
export { startRestateCluster } from "./cluster.js";
export type { RestateCluster, RestateClusterOptions, ClusterNode } from "./cluster.js";
export { clusterSql, partitionLeaders, restatectlBinary } from "./restatectl.js";
export type { PartitionView } from "./restatectl.js";
export {
  AdminApiError,
  cancelInvocation,
  deploymentInfo,
  killInvocation,
  query,
  readState,
  registerDeployment,
  sqlString,
  writeState,
} from "./admin.js";
export type { DeploymentInfo, DeploymentRegistration, RegisterOptions, Row } from "./admin.js";
export { guardChild, hasExited, signalProcess, waitForExit } from "./child-lifetime.js";
export type { GuardOptions, GuardedChild } from "./child-lifetime.js";
