// Named-signal streams, explicit cancellation and runaway handlers on Node (in-process endpoint, HTTP/1.1,
// request-response) against the real restate-server, V6 and V7. PERDURE_E2E_SDK=official runs the shared cases on
// the official SDK (the runaway cases are perdure's attempt limits and run on perdure only).
import { afterAll, beforeAll, describe } from "vitest";
import { makeCompatCoreServices } from "./fixtures/compat-core.js";
import { defineCompatCoreCases } from "./support/compat-core-cases.js";
import { PROTOCOLS, sdkName, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";

describe.each(PROTOCOLS)("signal streams, explicit cancellation, attempt limits (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion, services: (sdk) => makeCompatCoreServices(sdk) });
  });
  afterAll(async () => {
    await env?.stop();
  });

  defineCompatCoreCases(() => env, { limits: sdkName === "perdure" && protocolVersion === 6 });
});
