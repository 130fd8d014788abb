// Bidirectional mode over HTTP/2 cleartext on Node: run acks and completions stream back on the open request, so a
// handler with several steps completes in one HTTP request; a long wait still ends in a suspension (the server closes
// its side after its inactivity timeout); cancellation and calls work on the live stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { serveHttp2 } from "../../adapters/node/index.js";
import type { RunningServer } from "../../adapters/node/index.js";
import { cancelInvocation, invocationStatus, registerDeployment, waitFor } from "./support/admin.js";
import { attach, callOk, resolveAwakeable, send } from "./support/ingress.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";
import { PROTOCOLS } from "./support/endpoint-under-test.js";

const doubler = restate.service({
  name: "Doubler",
  handlers: { double: async (_ctx: restate.Context, n: number) => n * 2 },
});

const steps = restate.service({
  name: "Steps",
  handlers: {
    three: async (ctx: restate.Context, n: number) => {
      const a = await ctx.run("one", () => n + 1);
      const b = await ctx.run("two", () => a * 2);
      await ctx.sleep(20);
      return ctx.run("three", () => `${b}!`);
    },
    waitForAwakeable: async (ctx: restate.Context, mailbox: string) => {
      const { id, promise } = ctx.awakeable<string>();
      await ctx.objectClient(mailboxObj, mailbox).put(id);
      return `got ${await promise}`;
    },
    callsAnother: async (ctx: restate.Context, n: number) => {
      const doubled = await ctx.serviceClient(doubler).double(n);
      return doubled + (await ctx.serviceClient(doubler).double(1));
    },
    cancellable: async (ctx: restate.Context, mailbox: string) => {
      await ctx.objectClient(mailboxObj, mailbox).put(ctx.request().id);
      try {
        await ctx.sleep(60_000);
        return "slept";
      } catch (e) {
        if (!(e instanceof restate.CancelledError)) throw e;
        await ctx.run("undo", () => "undone");
        throw new restate.TerminalError("cancelled and compensated", { errorCode: 409 });
      }
    },
  },
});

// The server closes the request stream after 500 ms of silence: a longer wait must end in a clean suspension.
const patient = restate.service({
  name: "Patient",
  options: { inactivityTimeout: 500 },
  handlers: {
    nap: async (ctx: restate.Context) => {
      const before = await ctx.run("before", () => "b");
      await ctx.sleep(2_000);
      return `${before}-after`;
    },
  },
});

const mailboxObj = restate.object({
  name: "Mailbox",
  handlers: {
    put: async (ctx: restate.ObjectContext, value: string) => ctx.set("value", value),
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => ctx.get<string>("value")),
  },
});

describe.each(PROTOCOLS)("bidirectional over h2c (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let server: RestateServer;
  let endpoint: RunningServer;
  const invokeRequests = new Map<string, number>();

  beforeAll(async () => {
    server = await startRestateServer({ protocolV7: protocolVersion === 7 });
    const { fetch } = restate.endpoint().bind(steps).bind(doubler).bind(mailboxObj).bind(patient).bidirectional().handler();
    endpoint = await serveHttp2((request: Request) => {
      const path = new URL(request.url).pathname;
      invokeRequests.set(path, (invokeRequests.get(path) ?? 0) + 1);
      return fetch(request);
    });
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: false });
  });
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), endpoint?.close()]);
  });

  const mailbox = () => `m-${Math.random().toString(36).slice(2, 10)}`;

  it("advertises BIDI_STREAM in discovery", async () => {
    // Node's fetch cannot speak h2c; ask the fetch core directly.
    const { fetch: f } = restate.endpoint().bind(steps).bidirectional().handler();
    const manifest = (await (await f(new Request("http://x/discover"))).json()) as { protocolMode: string };
    expect(manifest.protocolMode).toBe("BIDI_STREAM");
  });

  it("runs three steps and a sleep in a single request", async () => {
    const before = invokeRequests.get("/invoke/Steps/three") ?? 0;
    expect(await callOk(server.ingressUrl, "Steps/three", 4)).toBe("10!");
    expect((invokeRequests.get("/invoke/Steps/three") ?? 0) - before).toBe(1);
  });

  it("suspends when the server closes its side during a long wait, and resumes", async () => {
    const before = invokeRequests.get("/invoke/Patient/nap") ?? 0;
    expect(await callOk(server.ingressUrl, "Patient/nap")).toBe("b-after");
    expect((invokeRequests.get("/invoke/Patient/nap") ?? 0) - before).toBe(2);
  });

  it("receives an awakeable completion on the open stream", async () => {
    const box = mailbox();
    const id = await send(server.ingressUrl, "Steps/waitForAwakeable", box);
    const awakeableId = await waitFor(() => callOk<string | null>(server.ingressUrl, `Mailbox/${box}/get`), 10_000, "awakeable id", 50);
    await resolveAwakeable(server.ingressUrl, awakeableId, "hi");
    expect((await attach(server.ingressUrl, id)).json).toBe("got hi");
  });

  it("makes calls and gets their results live", async () => {
    expect(await callOk(server.ingressUrl, "Steps/callsAnother", 5)).toBe(12);
  });

  it("delivers a cancellation live and runs the compensation", async () => {
    const box = mailbox();
    const id = await send(server.ingressUrl, "Steps/cancellable", box);
    await waitFor(() => callOk<string | null>(server.ingressUrl, `Mailbox/${box}/get`), 10_000, "invocation id", 50);
    await cancelInvocation(server.adminUrl, id);
    const res = await attach(server.ingressUrl, id);
    expect(res.status).toBe(409);
    expect(res.text).toContain("cancelled and compensated");
    expect((await invocationStatus(server.adminUrl, id))?.completion_result).toBe("failure");
  });
});
