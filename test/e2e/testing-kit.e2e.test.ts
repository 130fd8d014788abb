// perdure/testing's RestateTestEnvironment: real restate-server from npm + services in-process, a typed client,
// state inspection and editing through the admin API, parallel environments, and a clean stop.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { RestateTestEnvironment } from "../../src/testing/index.js";
import { isPortFree } from "../../src/local/restate-server.js";

const counter = restate.object({
  name: "KitCounter",
  handlers: {
    add: async (ctx: restate.ObjectContext, delta: number) => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      ctx.set("history", [...((await ctx.get<number[]>("history")) ?? []), delta]);
      return next;
    },
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => (await ctx.get<number>("count")) ?? 0),
  },
});

const greeter = restate.service({
  name: "KitGreeter",
  handlers: { greet: async (ctx: restate.Context, name: string) => `Hi ${name} (${(await ctx.objectClient(counter, name).add(1))})` },
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("RestateTestEnvironment", () => {
  let env: RestateTestEnvironment;

  beforeAll(async () => {
    env = await RestateTestEnvironment.start({ services: [greeter, counter] });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("registers the services and gives a client for the ingress", async () => {
    expect(env.deployment.services.map((s) => s.name).sort()).toEqual(["KitCounter", "KitGreeter"]);
    expect(await env.client.serviceClient(greeter).greet("Ada")).toBe("Hi Ada (1)");
    expect(await env.client.serviceClient(greeter).greet("Ada")).toBe("Hi Ada (2)");
    expect(env.baseUrl()).toBe(env.ingressUrl);
    expect(env.adminAPIBaseUrl()).toBe(env.adminUrl);
  });

  it("reads an object's state", async () => {
    await env.client.objectClient(counter, "read-me").add(5);
    const state = env.stateOf(counter, "read-me");
    expect(await state.get<number>("count")).toBe(5);
    expect(await state.get("missing")).toBeNull();
    expect(await state.keys()).toEqual(["count", "history"]);
    expect(await state.getAll()).toEqual({ count: 5, history: [5] });
    expect(await env.stateOf(counter, "never-used").getAll()).toEqual({});
  });

  it("writes an object's state before a test", async () => {
    const state = env.stateOf(counter, "seeded");
    await state.setAll({ count: 40, history: [] });
    expect(await env.client.objectClient(counter, "seeded").add(2)).toBe(42);
    await state.set("count", 100);
    expect(await state.getAll()).toEqual({ count: 100, history: [2] });
    expect(await env.client.objectClient(counter, "seeded").get()).toBe(100);
  });
});

describe("RestateTestEnvironment lifecycle", () => {
  it("runs side by side with another environment, and stop() leaves nothing behind", async () => {
    const [a, b] = await Promise.all([
      RestateTestEnvironment.start({ services: [counter] }),
      RestateTestEnvironment.start({ handler: restate.endpoint().bind(counter).handler() }),
    ]);
    try {
      expect(a.ingressUrl).not.toBe(b.ingressUrl);
      await Promise.all([a.client.objectClient(counter, "k").add(1), b.client.objectClient(counter, "k").add(7)]);
      expect(await a.stateOf(counter, "k").get("count")).toBe(1);
      expect(await b.stateOf(counter, "k").get("count")).toBe(7);
    } finally {
      const server = (a as unknown as { server: { pid: number; baseDir: string; ports: Record<string, number> } }).server;
      const endpointPort = Number(new URL(a.endpointUrl).port);
      await Promise.all([a.stop(), b.stop()]);
      expect(alive(server.pid)).toBe(false);
      expect(fs.existsSync(server.baseDir)).toBe(false);
      for (const port of [...Object.values(server.ports), endpointPort]) expect(await isPortFree(port)).toBe(true);
    }
    await a.stop(); // twice is fine
  });

  it("refuses to start without services", async () => {
    await expect(RestateTestEnvironment.start({ services: [] })).rejects.toThrow(/needs \{ services/);
    await expect(RestateTestEnvironment.start({ services: [counter], handler: () => new Response() })).rejects.toThrow(/either/);
  });
});
