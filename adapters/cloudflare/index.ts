// `perdure/cloudflare`: run a perdure endpoint as a Cloudflare Worker (workerd).
//
//   import * as restate from "perdure/cloudflare";
//   export default restate.endpoint().bind(greeter).handler();
//
// A Worker's module export is called as `fetch(request, env, ctx)`; the core's handler passes everything after the
// request on to handlers as `ctx.request().extraArgs`, so `export default handler` already works. This module adds
// typed access to those two values and refuses the bidirectional mode, which workerd cannot serve (it speaks
// HTTP/1.1 only and does not stream a response while the request body is still being read).
//
// Nothing Workers-specific is loaded at run time, and neither `nodejs_compat` nor WebAssembly is needed. The one
// Workers type used here is declared structurally below, so the types need neither @cloudflare/workers-types nor
// the `wrangler types` output (both of whose ExecutionContext fit it).
import { createEndpointHandler as createCoreEndpointHandler, type FetchEndpointOptions } from "../../src/index.js";
import { EndpointBuilderBase, type EndpointBuilderMethods } from "../../src/endpoint/adapter-api.js";

// The whole API, so that `import * as restate from "perdure/cloudflare"` is all a Worker needs.
// The local `endpoint` and `createEndpointHandler` below take precedence over the re-exported ones.
export * from "../../src/index.js";

/** The part of a Worker's `ExecutionContext` that perdure relies on (the whole object is handed to handlers). */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}

const BIDI_REFUSAL =
  "perdure/cloudflare: the bidirectional mode is not available on Cloudflare Workers: workerd serves HTTP/1.1 only " +
  "and cannot stream a response while it reads the request body. Remove .bidirectional() / bidirectional: true " +
  "(request-response is the default) and register the deployment with use_http_11: true.";

/**
 * A Worker's `fetch` export: the core handler. workerd calls it as `fetch(request, env, ctx)`; whatever follows the
 * request reaches handlers as `ctx.request().extraArgs`.
 */
export type WorkerFetch = (request: Request, ...platformArgs: unknown[]) => Promise<Response>;

/** The endpoint builder of `perdure`, for Workers: `.bidirectional()` throws at startup instead of failing later. */
export interface WorkerEndpoint extends EndpointBuilderMethods<WorkerEndpoint> {
  /** `{ fetch }`, ready for `export default`. */
  handler(): { fetch: WorkerFetch };
}

/** The shared configuration methods; only `bidirectional(false)` is accepted: Workers serve request-response. */
class WorkerEndpointBuilder extends EndpointBuilderBase implements WorkerEndpoint {
  override bidirectional(set = true): this {
    if (set) throw new Error(BIDI_REFUSAL);
    return super.bidirectional(false);
  }

  handler(): { fetch: WorkerFetch } {
    return { fetch: createCoreEndpointHandler(this.config) };
  }
}

/** `restate.endpoint()` for Workers: request-response only. */
export function endpoint(): WorkerEndpoint {
  return new WorkerEndpointBuilder();
}

/** `restate.createEndpointHandler(…)` for Workers: refuses `bidirectional: true` at startup. */
export function createEndpointHandler(options: FetchEndpointOptions): WorkerFetch {
  if (options?.bidirectional) throw new Error(BIDI_REFUSAL);
  return createCoreEndpointHandler(options);
}

/** Any perdure context: only `request()` is needed. */
export type ContextWithRequest = { request(): { readonly extraArgs: readonly unknown[] } };

function notOnWorkers(helper: string, extraArgs: readonly unknown[], what: string): Error {
  return new Error(
    `${helper}(ctx): ${what}. This invocation did not reach the handler through a Worker's fetch(request, env, ctx) ` +
      `(ctx.request().extraArgs holds ${extraArgs.length} value(s)). Serve the endpoint from a Cloudflare Worker with ` +
      "`export default restate.endpoint()…handler()`, or pass env and ctx on yourself: `handler.fetch(request, env, ctx)`.",
  );
}

function isExecutionContext(value: unknown): value is ExecutionContext {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { waitUntil?: unknown; passThroughOnException?: unknown };
  return typeof candidate.waitUntil === "function" && typeof candidate.passThroughOnException === "function";
}

/**
 * The Worker's `env` (vars, secrets, bindings) of the request that runs this attempt.
 * Not journaled: each attempt sees the env of the Worker that serves it; journal what a decision depends on
 * with `ctx.run` if it may change between deployments.
 */
export function workerEnv<Env = Record<string, unknown>>(ctx: ContextWithRequest): Env {
  const extraArgs = ctx.request().extraArgs;
  const env = extraArgs[0];
  if (typeof env !== "object" || env === null || !isExecutionContext(extraArgs[1])) {
    throw notOnWorkers("workerEnv", extraArgs, "no Cloudflare Workers env is available");
  }
  return env as Env;
}

/**
 * The Worker's `ExecutionContext` of the request that runs this attempt (`waitUntil`, `passThroughOnException`).
 * Work handed to `waitUntil` is not journaled and may run after the attempt has ended.
 */
export function executionContext<C extends ExecutionContext = ExecutionContext>(ctx: ContextWithRequest): C {
  const extraArgs = ctx.request().extraArgs;
  const executionCtx = extraArgs[1];
  if (!isExecutionContext(executionCtx)) {
    throw notOnWorkers("executionContext", extraArgs, "no Cloudflare Workers ExecutionContext is available");
  }
  return executionCtx as C;
}
