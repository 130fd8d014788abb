// The `handlers` namespace (`handlers.handler`, `handlers.object.*`, `handlers.workflow.*`), re-exported with
// `export * as handlers`.

export { serviceHandler as handler } from "./handler-wrappers.js";
export * as object from "./handlers-object.js";
export * as workflow from "./handlers-workflow.js";
