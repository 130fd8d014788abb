// perdure/node's listen() against the real restate-server: four endpoints, each on its own listen() port, each
// registered over the transport it is meant for: request-response over HTTP/1.1, bidirectional over h2c,
// bidirectional over HTTP/1.1 (Node's http server is full duplex, and restate-server 1.7 streams over HTTP/1.1 too),
// and perdure/node's own builder choosing the mode by HTTP version (h2c → bidirectional).
// The admin API confirms the transport and mode; a greeter with ctx.run + sleep and an awakeable run on each; in the
// bidirectional ones a three-step handler and an awakeable wait complete in a single HTTP request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../adapters/node/index.js";
import * as core from "../../src/index.js";
import { deploymentInfo, registerDeployment, waitFor, type DeploymentInfo } from "./support/admin.js";
import { attach, callOk, resolveAwakeable, send } from "./support/ingress.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";

/** The shared scenario, with service names prefixed per deployment (a service belongs to one deployment). */
function scenario(prefix: string) {
  const mailbox = restate.object({
    name: `${prefix}Mailbox`,
    handlers: {
      put: async (ctx: restate.ObjectContext, value: string) => ctx.set("value", value),
      get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => ctx.get<string>("value")),
    },
  });
  const greeter = restate.service({
    name: `${prefix}Greeter`,
    handlers: {
      greet: async (ctx: restate.Context, name: string) => {
        const greeting = await ctx.run("compose", () => `Hello, ${name}`);
        await ctx.sleep(10);
        return `${greeting}!`;
      },
      threeSteps: async (ctx: restate.Context, n: number) => {
        const a = await ctx.run("one", () => n + 1);
        const b = await ctx.run("two", () => a * 2);
        await ctx.sleep(10);
        return ctx.run("three", () => `${b}!`);
      },
      waitForAwakeable: async (ctx: restate.Context, box: string) => {
        const { id, promise } = ctx.awakeable<string>();
        await ctx.objectClient(mailbox, box).put(id);
        return `got ${await promise}`;
      },
    },
  });
  // The server ends its side of an idle bidirectional request after 300 ms: a longer wait ends in a suspension.
  const patient = restate.service({
    name: `${prefix}Patient`,
    options: { inactivityTimeout: 300 },
    handlers: {
      nap: async (ctx: restate.Context) => {
        const before = await ctx.run("before", () => "b");
        await ctx.sleep(1_000);
        return `${before}-after`;
      },
    },
  });
  return { greeter, mailbox, patient };
}

type Definition = ReturnType<typeof scenario>[keyof ReturnType<typeof scenario>];
type Counter = (handler: restate.FetchHandlerLike) => restate.FetchFunction;

interface Case {
  name: string;
  prefix: string;
  /** Starts the endpoint; `count` wraps a fetch handler so the test sees every request it gets. */
  start(services: Definition[], count: Counter): Promise<restate.DualProtocolServer>;
  bidirectional: boolean;
  useHttp11: boolean;
  expected: { http_version: string; protocol_type: string };
}

/** perdure's core builder (`perdure/fetch`), in the mode the case asks for; `listen()` serves its handler. */
function coreBuilder(services: Definition[], bidirectional: boolean) {
  const builder = core.endpoint().bidirectional(bidirectional);
  for (const s of services) builder.bind(s);
  return builder;
}

const CASES: Case[] = [
  {
    name: "core builder, request-response over HTTP/1.1",
    prefix: "RrH1",
    start: (services, count) => restate.listen(count(coreBuilder(services, false).handler())),
    bidirectional: false,
    useHttp11: true,
    expected: { http_version: "HTTP/1.1", protocol_type: "RequestResponse" },
  },
  {
    name: "core builder, bidirectional over h2c",
    prefix: "BidiH2",
    start: (services, count) => restate.listen(count(coreBuilder(services, true).handler())),
    bidirectional: true,
    useHttp11: false,
    expected: { http_version: "HTTP/2.0", protocol_type: "BidiStream" },
  },
  {
    // Node's http server is full duplex, and restate-server streams over HTTP/1.1 too.
    name: "core builder, bidirectional over HTTP/1.1",
    prefix: "BidiH1",
    start: (services, count) => restate.listen(count(coreBuilder(services, true).handler())),
    bidirectional: true,
    useHttp11: true,
    expected: { http_version: "HTTP/1.1", protocol_type: "BidiStream" },
  },
  {
    // perdure/node's builder without a forced mode: listen() takes its per-version handlers, h2c gets bidirectional.
    name: "perdure/node builder, mode by version, over h2c",
    prefix: "AutoH2",
    start: (services, count) => {
      const builder = restate.endpoint();
      for (const s of services) builder.bind(s);
      const { http1, http2 } = builder.fetchHandlers();
      return restate.listen({ fetchHandlers: () => ({ http1: count(http1), http2: count(http2) }) });
    },
    bidirectional: true,
    useHttp11: false,
    expected: { http_version: "HTTP/2.0", protocol_type: "BidiStream" },
  },
];

let server: RestateServer;
const endpoints: restate.DualProtocolServer[] = [];
const deployments = new Map<string, DeploymentInfo>();
/** Invoke requests per path, over all endpoints (paths carry the prefixed service names). */
const invokeRequests = new Map<string, number>();
const requestsTo = (path: string) => invokeRequests.get(path) ?? 0;
const count: Counter = (handler) => {
  const fetch = typeof handler === "function" ? handler : handler.fetch.bind(handler);
  return (request: Request) => {
    const path = new URL(request.url).pathname;
    invokeRequests.set(path, requestsTo(path) + 1);
    return fetch(request);
  };
};

beforeAll(async () => {
  server = await startRestateServer();
  for (const c of CASES) {
    const endpoint = await c.start(Object.values(scenario(c.prefix)), count);
    endpoints.push(endpoint);
    const registration = await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: c.useHttp11 });
    deployments.set(c.prefix, await deploymentInfo(server.adminUrl, registration.id));
  }
});

afterAll(async () => {
  await Promise.allSettled([server?.stop(), ...endpoints.map((e) => e.close())]);
});

describe.each(CASES)("listen(): $name", (c) => {
  const box = () => `box-${Math.random().toString(36).slice(2, 10)}`;

  it("is registered with the expected transport and protocol mode", () => {
    const info = deployments.get(c.prefix)!;
    expect({ http_version: info.http_version, protocol_type: info.protocol_type }).toEqual(c.expected);
    expect(info.sdk_version).toMatch(/^perdure\//);
  });

  it("runs the greeter (ctx.run + sleep)", async () => {
    expect(await callOk(server.ingressUrl, `${c.prefix}Greeter/greet`, "Node")).toBe("Hello, Node!");
  });

  it("runs a three-step handler; bidirectionally in a single request", async () => {
    const path = `/invoke/${c.prefix}Greeter/threeSteps`;
    const before = requestsTo(path);
    expect(await callOk(server.ingressUrl, `${c.prefix}Greeter/threeSteps`, 4)).toBe("10!");
    const used = requestsTo(path) - before;
    if (c.bidirectional) expect(used).toBe(1);
    else expect(used).toBeGreaterThan(1); // request-response: each step's ack arrives on a new request
  });

  it("resumes on an awakeable resolved through the ingress; bidirectionally on the open request", async () => {
    const path = `/invoke/${c.prefix}Greeter/waitForAwakeable`;
    const before = requestsTo(path);
    const mailbox = box();
    const id = await send(server.ingressUrl, `${c.prefix}Greeter/waitForAwakeable`, mailbox);
    const awakeableId = await waitFor(() => callOk<string | null>(server.ingressUrl, `${c.prefix}Mailbox/${mailbox}/get`), 10_000, "awakeable id", 25);
    await resolveAwakeable(server.ingressUrl, awakeableId, "news");
    expect((await attach(server.ingressUrl, id)).json).toBe("got news");
    const used = requestsTo(path) - before;
    if (c.bidirectional) expect(used).toBe(1);
    else expect(used).toBeGreaterThan(1);
  });

  it("survives a long wait: bidirectionally the server ends the idle stream, the handler suspends and resumes", async () => {
    const path = `/invoke/${c.prefix}Patient/nap`;
    const before = requestsTo(path);
    expect(await callOk(server.ingressUrl, `${c.prefix}Patient/nap`)).toBe("b-after");
    if (c.bidirectional) expect(requestsTo(path) - before).toBe(2);
    else expect(requestsTo(path) - before).toBeGreaterThanOrEqual(2);
  });
});
