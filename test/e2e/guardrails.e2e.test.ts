// Runtime guardrails through the real restate-server, on Node: the warning for journaled promises a handler left
// pending when it returned, as the endpoint's logger receives it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { serve, type RunningServer } from "../../adapters/node/index.js";
import { registerDeployment } from "./support/admin.js";
import { callOk } from "./support/ingress.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";

const guarded = restate.service({
  name: "GuardedGreeter",
  handlers: {
    // The example: the run is not awaited, its promise lands in the output.
    greet: async (ctx: restate.Context, name: string) => `Hello, ${name}! (${ctx.run("suffix", () => "!")})`,
  },
});

describe("guardrails end to end (Node, real server)", () => {
  let server: RestateServer;
  let endpoint: RunningServer;
  const warnings: string[] = [];

  beforeAll(async () => {
    server = await startRestateServer();
    const { fetch } = restate
      .endpoint()
      .bind(guarded)
      .setLogger((meta, ...args) => {
        if (meta.level === "warn") warnings.push(args.map(String).join(" "));
      })
      .handler();
    endpoint = await serve(fetch);
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
  });
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), endpoint?.close()]);
  });

  it("an un-awaited ctx.run: the output shows the promise, and the endpoint logs one warning naming the run and the line", async () => {
    expect(await callOk(server.ingressUrl, "GuardedGreeter/greet", "Ada")).toBe("Hello, Ada! ([object Promise])");
    const floating = warnings.filter((w) => w.includes("journaled promise(s)"));
    expect(floating).toHaveLength(1);
    expect(floating[0]).toMatch(
      /^The handler returned while 1 journaled promise\(s\) it created were pending; await them: ctx\.run\('suffix'\) at .*guardrails\.e2e\.test\.ts:14:\d+/,
    );
  });
});
