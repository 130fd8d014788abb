// Hooks (interceptors) on perdure and on the official SDK 1.17.2, side by side on one restate-server: the same
// handlers, each invoked once per SDK, and the recorded interceptor calls must be the same sequence — retries of a
// ctx.run, terminal errors, asTerminalError mapping, suspensions and replays included.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type RunningServer } from "../../adapters/node/index.js";
import * as perdure from "../../src/index.js";
import { HOOK_PARITY_HANDLERS, hookCallsPerAttempt, makeHooksParityServices, type HookLog } from "./fixtures/hooks-parity.js";
import { registerDeployment } from "./support/admin.js";
import { attach, send } from "./support/ingress.js";
import { installOfficialSdkPolyfills } from "./support/official-sdk-polyfills.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";
import type * as R from "@restatedev/restate-sdk/fetch";

describe("hook call sequences equal the official SDK's", () => {
  let server: RestateServer;
  const endpoints: RunningServer[] = [];
  const logs: Record<"perdure" | "official", HookLog> = { perdure: new Map(), official: new Map() };

  beforeAll(async () => {
    installOfficialSdkPolyfills();
    const official = await import("@restatedev/restate-sdk/fetch");
    server = await startRestateServer();
    for (const [name, sdk] of [["perdure", perdure as unknown as typeof R], ["official", official]] as const) {
      let builder = sdk.endpoint();
      for (const def of makeHooksParityServices(sdk, logs[name], name === "perdure" ? "P" : "O")) builder = builder.bind(def);
      const ep = await serve(builder.handler());
      endpoints.push(ep);
      await registerDeployment(server.adminUrl, ep.url, { useHttp11: true });
    }
  });
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), ...endpoints.map((e) => e.close())]);
  });

  const runBoth = async (handler: string) => {
    const result: Record<string, { status: number; body: string; hooks: string[] }> = {};
    for (const [name, prefix] of [["perdure", "P"], ["official", "O"]] as const) {
      const id = await send(server.ingressUrl, `${prefix}HookParity/${handler}`);
      const res = await attach(server.ingressUrl, id);
      result[name] = { status: res.status, body: res.text, hooks: logs[name].get(id) ?? [] };
    }
    return result;
  };

  it.each([...HOOK_PARITY_HANDLERS])("%s", async (handler) => {
    const { perdure: p, official: o } = await runBoth(handler);
    expect(p!.hooks.length).toBeGreaterThan(0);
    expect({ status: p!.status, hooks: p!.hooks }).toEqual({ status: o!.status, hooks: o!.hooks });
    expect(JSON.parse(p!.body)).toEqual(JSON.parse(o!.body));
  });

  // Deliberate difference: perdure starts each ctx.run closure when ctx.run is called, so independent runs overlap;
  // the official SDK executes them one at a time, in an order its core chooses. The same interceptor calls happen
  // in the same attempts, only interleaved differently.
  it("parallelRuns: the same calls per attempt (run closures overlap on perdure)", async () => {
    const { perdure: p, official: o } = await runBoth("parallelRuns");
    expect(hookCallsPerAttempt(p!.hooks)).toEqual(hookCallsPerAttempt(o!.hooks));
    expect(p!.status).toBe(o!.status);
    expect(JSON.parse(p!.body)).toEqual(JSON.parse(o!.body));
  });
});
