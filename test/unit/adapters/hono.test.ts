// perdure/hono: an endpoint mounted inside a Hono app under a prefix, behind middleware; checked with app.request().
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { restateMiddleware, restateRoutes } from "../../../adapters/hono/index.js";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { concat, decodeAll, input, start, text } from "../machine/support.js";

const V6 = "application/vnd.restate.invocation.v6";
const ACCEPT_V4 = "application/vnd.restate.endpointmanifest.v4+json";

const greeter = restate.service({
  name: "Greeter",
  handlers: {
    greet: async (_ctx: restate.Context, name: string) => `Hello ${name}`,
    headers: async (ctx: restate.Context) => ({
      tenant: ctx.request().attemptHeaders.get("x-tenant") ?? null,
      extraArgs: ctx.request().extraArgs.length,
      user: (ctx.request().extraArgs[2] as { get?: (k: string) => unknown } | undefined)?.get?.("user") ?? null,
    }),
  },
});
const endpointHandler = restate.endpoint().bind(greeter).handler();

type AppLike = { request(path: string, init?: RequestInit): Response | Promise<Response> };

function invoke(app: AppLike, path: string, name: unknown, headers: Record<string, string> = {}) {
  return app.request(path, { method: "POST", headers: { "content-type": V6, ...headers }, body: concat([start(1), input(name)]) });
}

async function output(res: Response): Promise<unknown> {
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("content-type")).toBe(V6);
  const messages = decodeAll([new Uint8Array(await res.arrayBuffer())]);
  expect(messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
  return JSON.parse(text((messages[0]!.message as { value: { content: Uint8Array } }).value.content));
}

describe("restateRoutes: app.route(prefix, …)", () => {
  const app = new Hono();
  app.get("/", (c) => c.text("home"));
  app.route("/restate", restateRoutes(endpointHandler));
  app.route("/deep/er/path", restateRoutes(endpointHandler.fetch));

  it("serves discovery under the prefix", async () => {
    const res = await app.request("/restate/discover", { headers: { accept: ACCEPT_V4 } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(ACCEPT_V4);
    expect(((await res.json()) as { services: { name: string }[] }).services.map((s) => s.name)).toEqual(["Greeter"]);
  });

  it("runs invocations under one or several prefix segments, from { fetch } or a bare function", async () => {
    expect(await output(await invoke(app, "/restate/invoke/Greeter/greet", "Ann"))).toBe("Hello Ann");
    expect(await output(await invoke(app, "/deep/er/path/invoke/Greeter/greet", "Bo"))).toBe("Hello Bo");
  });

  it("leaves the app's other routes alone; unknown paths under the prefix get the endpoint's 404", async () => {
    expect(await (await app.request("/")).text()).toBe("home");
    const res = await app.request("/restate/nope", { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("no route for '/restate/nope'");
    expect((await app.request("/elsewhere")).status).toBe(404);
  });

  it("passes [env, executionCtx, honoContext] as extra arguments", async () => {
    const out = (await output(await invoke(app, "/restate/invoke/Greeter/headers", null))) as { extraArgs: number };
    expect(out.extraArgs).toBe(3);
  });

  it("refuses something that is not a handler", () => {
    expect(() => restateRoutes({} as never)).toThrow(/expected an endpoint handler/);
  });
});

describe("middleware in front of the endpoint", () => {
  const calls: string[] = [];
  const app = new Hono<{ Variables: { user: string } }>();
  app.use("*", async (c, next) => {
    calls.push(`${c.req.method} ${c.req.path}`);
    await next();
    c.header("x-logged", "yes");
  });
  app.use("/restate/*", async (c, next) => {
    const auth = c.req.header("authorization");
    if (auth !== "Bearer secret") return c.json({ message: "missing or wrong token" }, 401);
    c.set("user", "alice");
    await next();
  });
  app.use("/restate/*", async (c, next) => {
    // Portable way to add a header: a new Request (incoming request headers are immutable on some runtimes).
    const headers = new Headers(c.req.raw.headers);
    headers.set("x-tenant", "acme");
    c.req.raw = new Request(c.req.raw, { headers });
    await next();
  });
  app.route("/restate", restateRoutes(endpointHandler));
  const auth = { authorization: "Bearer secret" };

  it("an auth middleware rejects a request without the token before the endpoint sees it", async () => {
    const res = await invoke(app, "/restate/invoke/Greeter/greet", "x");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "missing or wrong token" });
    expect((await app.request("/restate/discover")).status).toBe(401);
  });

  it("with the token: a header added by middleware reaches ctx.request().attemptHeaders, c.set() values the context", async () => {
    const res = await invoke(app, "/restate/invoke/Greeter/headers", null, auth);
    expect(res.headers.get("x-logged")).toBe("yes");
    expect(await output(res)).toEqual({ tenant: "acme", extraArgs: 3, user: "alice" });
  });

  it("logging middleware saw every request", () => {
    expect(calls).toContain("POST /restate/invoke/Greeter/headers");
    expect(calls).toContain("GET /restate/discover");
  });

  it("a body already read by a middleware through c.req is handed over intact", async () => {
    const reading = new Hono();
    let seenBytes = 0;
    reading.use("*", async (c, next) => {
      seenBytes = (await c.req.arrayBuffer()).byteLength; // e.g. a signature check over the body
      await next();
    });
    reading.route("/r", restateRoutes(endpointHandler));
    expect(await output(await invoke(reading, "/r/invoke/Greeter/greet", "Cy"))).toBe("Hello Cy");
    expect(seenBytes).toBeGreaterThan(0);
  });
});

describe("restateMiddleware: app.use(…)", () => {
  const app = new Hono();
  app.use("/api/restate/*", restateMiddleware(endpointHandler));
  app.all("/api/restate/status", (c) => c.text("app route"));
  app.use(restateMiddleware(endpointHandler));
  app.get("/hello", (c) => c.text("world"));

  it("answers endpoint routes under the mount path", async () => {
    expect(await output(await invoke(app, "/api/restate/invoke/Greeter/greet", "Di"))).toBe("Hello Di");
    expect((await app.request("/api/restate/health")).status).toBe(200);
  });

  it("hands every other path to the next handler, also when mounted app-wide", async () => {
    expect(await (await app.request("/api/restate/status")).text()).toBe("app route");
    expect(await (await app.request("/hello")).text()).toBe("world");
    expect((await app.request("/missing")).status).toBe(404);
    // App-wide, an endpoint route anywhere is answered by the endpoint.
    expect(await output(await invoke(app, "/x/invoke/Greeter/greet", "Ed"))).toBe("Hello Ed");
  });
});
