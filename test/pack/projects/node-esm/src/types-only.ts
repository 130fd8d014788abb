// Typechecked, never run: every other subpath resolves with types in a Node project that has neither hono nor
// @cloudflare/workers-types installed.
import * as fetchApi from "perdure/fetch";
import * as nodeApi from "perdure/node";
import { lambdaHandler } from "perdure/lambda";
import { workerEnv } from "perdure/cloudflare";
import { restateRoutes } from "perdure/hono";
import { serve as bunServe } from "perdure/bun";
import { serve as denoServe } from "perdure/deno";
import { RestateTestEnvironment, runHandler } from "perdure/testing";
import { greeter } from "./greeter.js";

export const checks = [
  fetchApi.endpoint().bind(greeter).handler(),
  nodeApi.endpoint().bind(greeter),
  lambdaHandler(fetchApi.createEndpointHandler({ services: [greeter] })),
  (ctx: fetchApi.Context) => workerEnv<{ GREETING: string }>(ctx).GREETING,
  restateRoutes,
  bunServe,
  denoServe,
  RestateTestEnvironment.start,
  runHandler,
];
