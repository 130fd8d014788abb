// perdure/clients scopes and limit keys against a real restate-server with protocol V7 (which brings scopes and
// concurrency limit keys): `ingress.scope(key)` and `rpc.opts({ limitKey })` reach the handler, as the official
// clients' do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { connect, rpc, type Ingress } from "../../src/clients/index.js";
import { serve, type RunningServer } from "../../adapters/node/index.js";
import { registerDeployment } from "./support/admin.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";

const seenBy = (ctx: restate.Context | restate.ObjectContext) => ({ scope: ctx.request().scope ?? null, limitKey: ctx.request().limitKey ?? null });

const echo = restate.service({
  name: "ScopeEcho",
  handlers: { who: async (ctx: restate.Context, x: number) => ({ x, ...seenBy(ctx) }) },
});
const tally = restate.object({
  name: "ScopeTally",
  handlers: {
    add: async (ctx: restate.ObjectContext, n: number) => {
      const next = ((await ctx.get<number>("n")) ?? 0) + n;
      ctx.set("n", next);
      return { n: next, ...seenBy(ctx) };
    },
  },
});

let server: RestateServer;
let endpoint: RunningServer;
let rs: Ingress;

beforeAll(async () => {
  server = await startRestateServer({ protocolV7: true, env: { RESTATE_EXPERIMENTAL_ENABLE_SCOPED_VIRTUAL_OBJECTS: "true" } });
  endpoint = await serve(restate.endpoint().bind(echo).bind(tally).handler());
  await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
  rs = connect({ url: server.ingressUrl });
});

afterAll(async () => {
  await Promise.allSettled([server?.stop(), endpoint?.close()]);
});

describe("scopes and limit keys from outside (protocol V7)", () => {
  it("ingress.scope(key) runs the invocation in that scope; rpc.opts({ limitKey }) carries the limit key", async () => {
    expect(await rs.scope("tenant-a").serviceClient(echo).who(1, rpc.opts({ limitKey: "tenant-a/u1" }))).toEqual({ x: 1, scope: "tenant-a", limitKey: "tenant-a/u1" });
    expect(await rs.serviceClient(echo).who(2)).toEqual({ x: 2, scope: null, limitKey: null });
  });

  it("a scoped virtual object keeps separate state per scope; scoped sends work too", async () => {
    expect(await rs.scope("s1").objectClient(tally, "k").add(1)).toEqual({ n: 1, scope: "s1", limitKey: null });
    expect(await rs.scope("s2").objectClient(tally, "k").add(5)).toEqual({ n: 5, scope: "s2", limitKey: null });
    const sent = await rs.scope("s1").objectSendClient(tally, "k").add(10, rpc.sendOpts({ idempotencyKey: "scoped-send" }));
    expect(await rs.result(sent)).toEqual({ n: 11, scope: "s1", limitKey: null });
  });
});
