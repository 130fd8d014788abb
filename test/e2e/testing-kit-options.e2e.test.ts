// perdure/testing as the official testcontainers kit, without Docker: start({ alwaysReplay, disableRetries }) set the
// same restate-server settings (and change what a test observes), start(options, factory) takes a RestateContainer,
// start() returns only once state can be read, and stateOf<State>() is typed, with getAll/setAll serdes.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import * as restate from "../../src/index.js";
import { RestateContainer, RestateTestEnvironment, StateProxy } from "../../src/testing/index.js";

// Handlers leave facts here (the endpoint runs in this process). Keys are per environment.
const bodyRuns = new Map<string, number>();
const attempts = new Map<string, number>();
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1).get(key)!;

const probe = restate.service({
  name: "KitProbe",
  handlers: {
    // Counts how often its body starts: once per attempt, plus once per replay.
    steps: async (ctx: restate.Context, tag: string) => {
      bump(bodyRuns, tag);
      const a = await ctx.run("one", () => 1);
      await ctx.sleep(20);
      const b = await ctx.run("two", () => 2);
      return a + b;
    },
    // Fails its first attempt with a retryable error.
    flaky: async (ctx: restate.Context, tag: string) => {
      if (bump(attempts, tag) === 1) throw new Error(`first attempt of ${tag} fails`);
      return "recovered";
    },
  },
});

type CartState = { items: string[]; total: number };
const cart = restate.object({
  name: "KitCart",
  handlers: {
    add: async (ctx: restate.ObjectContext<CartState>, item: string) => {
      const items = [...((await ctx.get("items")) ?? []), item];
      ctx.set("items", items);
      ctx.set("total", items.length);
      return items.length;
    },
  },
});

describe("start({ alwaysReplay: true, disableRetries: true })", () => {
  let env: RestateTestEnvironment;
  beforeAll(async () => {
    env = await RestateTestEnvironment.start({ services: [probe, cart], alwaysReplay: true, disableRetries: true });
  });
  afterAll(() => env?.stop());

  it("start() returns once state can be read: no 'node lookup for partition' failure right after it", async () => {
    expect(await env.stateOf(cart, "fresh").getAll()).toEqual({});
    expect(await env.stateOf(cart, "fresh").get("items")).toBeNull();
  });

  it("alwaysReplay: the server ends the stream at each suspension point, so the handler replays", async () => {
    expect(await env.client.serviceClient(probe).steps("replayed")).toBe(3);
    expect(bodyRuns.get("replayed")).toBeGreaterThanOrEqual(2);
  });

  it("disableRetries: a failing attempt is not retried; the invocation is killed and the call fails", async () => {
    await expect(env.client.serviceClient(probe).flaky("once")).rejects.toThrow();
    expect(attempts.get("once")).toBe(1);
  });
});

describe("start(options, () => new RestateContainer()) with the server's defaults", () => {
  let env: RestateTestEnvironment;
  beforeAll(async () => {
    env = await RestateTestEnvironment.start({ services: [probe, cart] }, () => new RestateContainer());
  });
  afterAll(() => env?.stop());

  it("no forced replay: the handler runs through on one open stream", async () => {
    expect(await env.client.serviceClient(probe).steps("streamed")).toBe(3);
    expect(bodyRuns.get("streamed")).toBe(1);
  });

  it("retries are on: the second attempt succeeds", async () => {
    expect(await env.client.serviceClient(probe).flaky("twice")).toBe("recovered");
    expect(attempts.get("twice")).toBe(2);
  });

  it("stateOf<State>() is typed; getAll(serde)/setAll(values, serde) use the serde", async () => {
    await env.client.objectClient(cart, "ada").add("book");
    const state = env.stateOf<CartState>(cart, "ada");
    expectTypeOf(state).toEqualTypeOf<StateProxy<CartState>>();
    expectTypeOf(state.get("total")).toEqualTypeOf<Promise<number | null>>();
    expect(await state.get("items")).toEqual(["book"]);
    expect(await state.getAll()).toEqual({ items: ["book"], total: 1 });

    const text: restate.Serde<string> = {
      contentType: "text/plain",
      serialize: (v) => new TextEncoder().encode(v),
      deserialize: (b) => new TextDecoder().decode(b),
    };
    const raw = env.stateOf(cart, "raw");
    await raw.setAll({ a: "x", b: "yz" }, text);
    expect(await raw.getAll(text)).toEqual({ a: "x", b: "yz" });
    expect(await raw.get("b", text)).toBe("yz");
  });
});
