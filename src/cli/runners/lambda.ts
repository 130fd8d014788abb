// Bundled into the function that `perdure dev --runtime lambda` publishes: the entry's Lambda handler. An entry
// written for Lambda exports `handler` (perdure/lambda's `endpoint().….handler()`); any other entry perdure dev
// accepts (an endpoint builder, a fetch handler, a list of services) is wrapped with perdure/lambda's lambdaHandler.
import { endpoint } from "../../index.js";
import { lambdaHandler, type LambdaHandler } from "../../../adapters/lambda/handler.js";
import { classifyEntry } from "./entry.js";

export function lambdaEntry(mod: Record<string, unknown>, entryName: string): LambdaHandler {
  if (typeof mod.handler === "function") return mod.handler as LambdaHandler;
  const served = classifyEntry(mod, entryName);
  if (served.kind === "services") {
    const builder = endpoint();
    for (const s of served.services) builder.bind(s);
    return lambdaHandler(builder.handler());
  }
  if (served.kind === "builder") {
    // Lambda buffers requests and responses: request-response only.
    served.builder.bidirectional(false);
    return lambdaHandler(served.builder.handler() as { fetch: (request: Request) => Promise<Response> });
  }
  return lambdaHandler(served.handler);
}
