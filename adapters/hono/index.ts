// `perdure/hono`: serve an endpoint from inside an existing Hono app, under any path, behind any Hono middleware.
//
//   const app = new Hono();
//   app.use("/restate/*", bearerAuth({ token }));                   // your middleware keeps working
//   app.route("/restate", restateRoutes(restate.endpoint().bind(greeter).handler()));
//   // register http(s)://host/restate with restate-server
//
// The endpoint routes on the last path segments (…/discover, …/invoke/{service}/{handler}, …/health), so the mount
// prefix needs no configuration. Handlers receive `[c.env, c.executionCtx (or undefined), c]` as
// `ctx.request().extraArgs`: the first two as on Cloudflare Workers, then the Hono context (variables set by
// middleware through `c.set(...)` are readable with `c.get(...)`).

import { Hono } from "hono";
// hono is an optional peer dependency. The JSDoc-style ignore survives into the emitted .d.ts, so that a project
// without hono that merely typechecks perdure's declarations gets `any` here instead of TS2307.
/** @ts-ignore hono may be absent */
import type { Context, Env, Hono as HonoApp, MiddlewareHandler } from "hono";
import { routeOf } from "../../src/endpoint/adapter-api.js";
import { toFetchFunction, type FetchFunction, type FetchHandlerLike } from "../shared/types.js";

export type { FetchFunction, FetchHandlerLike } from "../shared/types.js";

function executionContextOf(c: Context): unknown {
  try {
    return c.executionCtx; // a getter that throws when the runtime gave none (Node, Bun, Deno)
  } catch {
    return undefined;
  }
}

/** The request to hand to the endpoint; rebuilt when a middleware already consumed the body through `c.req`. */
async function endpointRequest(c: Context): Promise<Request> {
  const raw = c.req.raw;
  if (!raw.bodyUsed) return raw;
  // Hono keeps a copy of a body read with c.req.json()/text()/arrayBuffer(); it throws if the body was read from
  // c.req.raw directly, which no endpoint could recover from either.
  const body = await c.req.arrayBuffer();
  return new Request(raw.url, { method: raw.method, headers: raw.headers, body, signal: raw.signal });
}

function run(fetchFn: FetchFunction, c: Context): Promise<Response> {
  return endpointRequest(c).then((request) => fetchFn(request, c.env, executionContextOf(c), c));
}

/**
 * A Hono handler/middleware that serves the endpoint. Requests whose path is not an endpoint route (does not end in
 * /discover, /health or /invoke/{service}/{handler}) go on to the next handler, so it can be used with `app.use`
 * in front of other routes; endpoint routes are always answered here.
 */
export function restateMiddleware<E extends Env = Env>(handler: FetchHandlerLike): MiddlewareHandler<E> {
  const fetchFn = toFetchFunction(handler, "perdure/hono");
  return async (c, next) => {
    if (routeOf(c.req.path).kind === "unknown") return next();
    return run(fetchFn, c as unknown as Context);
  };
}

/**
 * A Hono sub-app that answers every request with the endpoint (unknown paths get the endpoint's 404, which names
 * the routes it serves). Mount it with `app.route("/restate", restateRoutes(handler))`.
 */
export function restateRoutes<E extends Env = Env>(handler: FetchHandlerLike): HonoApp<E> {
  const fetchFn = toFetchFunction(handler, "perdure/hono");
  const routes = new Hono<E>();
  routes.all("*", (c) => run(fetchFn, c as unknown as Context));
  return routes;
}
