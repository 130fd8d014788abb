// `handlers.workflow.workflow` / `handlers.workflow.shared`.
export { workflowRun as workflow, workflowShared as shared } from "./handler-wrappers.js";
