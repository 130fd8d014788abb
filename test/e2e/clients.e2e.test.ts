// perdure/clients against a real restate-server 1.7.12: calls, sends with delay, idempotency keys, workflows
// (submit/attach/output), attach by invocation id, awakeables, failures as TerminalError with the HTTP status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { HttpCallError, connect, rpc, serde, type Ingress } from "../../src/clients/index.js";
import { serve, type RunningServer } from "../../adapters/node/index.js";
import { registerDeployment, waitFor } from "./support/admin.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";

// The endpoint runs in this process: handlers can leave facts here for the test to read.
const executions = new Map<string, number>();
const awakeables = new Map<string, string>();
const count = (what: string) => executions.set(what, (executions.get(what) ?? 0) + 1);

const greeter = restate.service({
  name: "ClientGreeter",
  handlers: {
    greet: async (ctx: restate.Context, name: string) => {
      await ctx.run("count", () => void count(`greet:${name}`));
      return `Hello ${name}${ctx.request().headers.get("x-greeting-suffix") ?? ""}`;
    },
    ping: async (_ctx: restate.Context) => "pong",
    nothing: async (_ctx: restate.Context, _input: { a: number }): Promise<void> => {},
    reject: async (_ctx: restate.Context, reason: string): Promise<string> => {
      throw new restate.TerminalError(`rejected: ${reason}`, { errorCode: 422, metadata: { reason } });
    },
    bytes: restate.handlers.handler(
      { input: restate.serde.binary, output: restate.serde.binary },
      async (_ctx: restate.Context, data: Uint8Array) => data.slice().reverse(),
    ),
    headers: async (ctx: restate.Context) => ({ auth: ctx.request().headers.get("authorization") ?? null }),
    slow: async (ctx: restate.Context, ms: number) => {
      await ctx.sleep(ms);
      await ctx.run("count", () => void count("slow"));
      return "finally";
    },
    waitForAwakeable: async (ctx: restate.Context, tag: string) => {
      const { id, promise } = ctx.awakeable<{ answer: string }>();
      await ctx.run("publish id", () => void awakeables.set(tag, id));
      const value = await promise;
      return `got ${value.answer}`;
    },
  },
});

const counter = restate.object({
  name: "ClientCounter",
  handlers: {
    add: async (ctx: restate.ObjectContext, delta: number) => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => (await ctx.get<number>("count")) ?? 0),
    key: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => ctx.key),
  },
});

const approval = restate.workflow({
  name: "ClientApproval",
  handlers: {
    run: async (ctx: restate.WorkflowContext, request: { amount: number }) => {
      const decision = await ctx.promise<string>("decision");
      return { amount: request.amount, decision, key: ctx.key };
    },
    decide: async (ctx: restate.WorkflowSharedContext, decision: string) => {
      await ctx.promise<string>("decision").resolve(decision);
      return "noted";
    },
  },
});

// Contracts (iface) and their implementations: ingress.client / ingress.sendClient build clients from either.
const mirrorContract = restate.iface.service("ClientMirror", {
  // Binary both ways: a client that ignored the descriptor's serdes would send JSON and fail to read the answer.
  reverse: restate.iface.serdes({ input: restate.serde.binary, output: restate.serde.binary }),
  echo: restate.iface.json<{ text: string }, { text: string; length: number }>(),
});
const mirror = restate.implement(mirrorContract, {
  handlers: {
    reverse: async (_ctx, data) => data.slice().reverse(),
    echo: async (_ctx, input) => ({ text: input.text, length: input.text.length }),
  },
});
const tallyContract = restate.iface.object("ClientTally", {
  add: restate.iface.json<number, number>(),
  total: restate.iface.shared.json<void, number>(),
});
const tally = restate.implement(tallyContract, {
  handlers: {
    add: async (ctx, delta) => {
      const next = ((await ctx.get<number>("total")) ?? 0) + delta;
      ctx.set("total", next);
      return next;
    },
    total: async (ctx) => (await ctx.get<number>("total")) ?? 0,
  },
});

let server: RestateServer;
let endpoint: RunningServer;
let rs: Ingress;

beforeAll(async () => {
  server = await startRestateServer();
  endpoint = await serve(restate.endpoint().bind(greeter).bind(counter).bind(approval).bind(mirror).bind(tally).handler());
  await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
  rs = connect({ url: server.ingressUrl });
});

afterAll(async () => {
  await Promise.allSettled([server?.stop(), endpoint?.close()]);
});

describe("request/response clients", () => {
  it("call a service handler with input, without input, and with no output", async () => {
    const client = rs.serviceClient(greeter);
    expect(await client.greet("Ada")).toBe("Hello Ada");
    expect(await client.ping()).toBe("pong");
    expect(await client.nothing({ a: 1 })).toBeUndefined();
  });

  it("send per-call headers and connection headers", async () => {
    const withAuth = connect({ url: server.ingressUrl + "/", headers: { authorization: "Bearer t0k" } });
    expect(await withAuth.serviceClient(greeter).headers()).toEqual({ auth: "Bearer t0k" });
    const suffix = rpc.opts({ headers: { "x-greeting-suffix": "!" } });
    expect(await rs.serviceClient(greeter).greet("Bo", suffix)).toBe("Hello Bo!");
  });

  it("call virtual objects by key (keys are URL-encoded)", async () => {
    const key = "a/b c?d";
    const client = rs.objectClient(counter, key);
    expect(await client.add(2)).toBe(2);
    expect(await client.add(3)).toBe(5);
    expect(await client.get()).toBe(5);
    expect(await client.key()).toBe(key);
    expect(await rs.objectClient(counter, "other").get()).toBe(0);
  });

  it("use the serdes given in rpc.opts", async () => {
    const out = await rs
      .serviceClient(greeter)
      .bytes(new Uint8Array([1, 2, 3]), rpc.opts({ input: restate.serde.binary, output: restate.serde.binary }));
    expect(out).toEqual(new Uint8Array([3, 2, 1]));
  });

  it("run a call once per idempotency key", async () => {
    const opts = rpc.opts({ idempotencyKey: "greet-once" });
    const first = await rs.serviceClient(greeter).greet("Idem", opts);
    const second = await rs.serviceClient(greeter).greet("Idem", opts);
    expect([first, second]).toEqual(["Hello Idem", "Hello Idem"]);
    expect(executions.get("greet:Idem")).toBe(1);
  });
});

describe("failures", () => {
  it("a TerminalError thrown by the handler arrives as HttpCallError (a TerminalError) with its code and message", async () => {
    const error = await rs.serviceClient(greeter).reject("no funds").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpCallError);
    expect(error).toBeInstanceOf(restate.TerminalError);
    expect(error).toMatchObject({ status: 422, code: 422, message: "rejected: no funds", metadata: { reason: "no funds" } });
  });

  it("an unknown service answers 404 with the server's reason", async () => {
    const error = (await rs.serviceClient({ name: "NoSuchService" } as unknown as typeof greeter).ping().catch((e: unknown) => e)) as HttpCallError;
    expect(error).toBeInstanceOf(HttpCallError);
    expect(error.status).toBe(404);
    expect(error.message).toMatch(/NoSuchService/);
  });

  it("an unreachable ingress names the URL", async () => {
    const dead = connect({ url: "http://127.0.0.1:9" });
    await expect(dead.serviceClient(greeter).ping()).rejects.toThrow(/cannot reach the Restate ingress at http:\/\/127\.0\.0\.1:9/);
  });

  it("abort signals cancel the HTTP request", async () => {
    const aborter = new AbortController();
    aborter.abort(new Error("stop"));
    await expect(rs.serviceClient(greeter).ping(rpc.opts({ signal: aborter.signal }))).rejects.toThrow(/stop/);
  });

  it("refuse options that are not made with rpc.opts", async () => {
    const client = rs.serviceClient(greeter) as unknown as { greet(a: unknown, b: unknown): Promise<unknown> };
    await expect(client.greet("x", { idempotencyKey: "k" })).rejects.toThrow(/rpc\.opts/);
  });
});

describe("options of the 1.17 clients, through the real server", () => {
  it("rpc.opts({ timeout }) aborts the HTTP call in time; the invocation itself runs on", async () => {
    const started = Date.now();
    const err = await rs.serviceClient(greeter).slow(1500, rpc.opts({ timeout: 200, idempotencyKey: "slow-1" })).catch((e: unknown) => e);
    expect((err as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(1200);
    // Same idempotency key: attaches to the invocation that kept running.
    expect(await rs.serviceClient(greeter).slow(1500, rpc.opts({ idempotencyKey: "slow-1" }))).toBe("finally");
    expect(executions.get("slow")).toBe(1);
  });

  it("a delayed send reports its executionTime; result(send, serde) decodes with the serde", async () => {
    const before = Date.now();
    const sent = await rs.serviceSendClient(greeter).greet("Timed", rpc.sendOpts({ delay: { milliseconds: 800 }, idempotencyKey: "timed-1" }));
    expect(typeof sent.executionTime).toBe("string");
    const at = Date.parse(sent.executionTime!);
    expect(at).toBeGreaterThanOrEqual(before + 700);
    expect(at).toBeLessThan(before + 10_000);
    expect(await rs.result(sent, serde.json)).toBe("Hello Timed");
  });

  it("connect({ retry }) passes through when nothing fails, and retries an unreachable ingress until its budget ends", async () => {
    const retrying = connect({ url: server.ingressUrl, retry: true });
    expect(await retrying.serviceClient(greeter).greet("Retry", rpc.opts({ idempotencyKey: "retry-1" }))).toBe("Hello Retry");
    let attempts = 0;
    const dead = connect({
      url: "http://127.0.0.1:9",
      retry: { maxAttempts: 3, initialInterval: 10, shouldRetry: () => (attempts++, true) },
    });
    await expect(dead.serviceClient(greeter).ping(rpc.opts({ idempotencyKey: "k" }))).rejects.toThrow(/cannot reach the Restate ingress/);
    expect(attempts).toBe(2);
  });

  it("call/send by name with serdes in the options", async () => {
    expect(await rs.call({ service: "ClientGreeter", handler: "greet", parameter: "Generic", opts: rpc.opts({ input: serde.json, output: serde.json }) })).toBe("Hello Generic");
    const sent = await rs.send({ service: "ClientCounter", key: "generic", handler: "add", parameter: 3, opts: rpc.sendOpts({ input: serde.json, idempotencyKey: "g-1" }) });
    expect(await rs.result(sent)).toBe(3);
  });
});

describe("send clients", () => {
  it("return the invocation id; result() attaches by id; output() is not ready before the delay has passed", async () => {
    const started = Date.now();
    const sent = await rs.serviceSendClient(greeter).greet("Later", rpc.sendOpts({ delay: { milliseconds: 1500 } }));
    expect(sent.invocationId).toMatch(/^inv_/);
    expect(sent.status).toBe("Accepted");
    const early = await rs.output(sent);
    expect(early.ready).toBe(false);
    expect(() => early.result).toThrow(/not finished/);
    expect(await rs.result(sent.invocationId)).toBe("Hello Later");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    const late = await rs.output(sent);
    expect(late).toMatchObject({ ready: true, result: "Hello Later" });
  });

  it("an idempotency key makes a second send find the first invocation", async () => {
    const opts = rpc.sendOpts({ idempotencyKey: "send-once" });
    const first = await rs.objectSendClient(counter, "idem").add(10, opts);
    const second = await rs.objectSendClient(counter, "idem").add(10, opts);
    expect(first.attachable).toBe(true);
    expect(second.invocationId).toBe(first.invocationId);
    expect(second.status).toBe("PreviouslyAccepted");
    expect(await rs.result(second)).toBe(10);
    expect(await rs.objectClient(counter, "idem").get()).toBe(10);
  });
});

describe("workflows", () => {
  it("submit, read the output while it runs, signal it through a shared handler, attach", async () => {
    const key = `wf-${Date.now()}`;
    const wf = rs.workflowClient(approval, key);
    const submission = await wf.workflowSubmit({ amount: 42 });
    expect(submission.invocationId).toMatch(/^inv_/);
    expect((await wf.workflowOutput()).ready).toBe(false);
    const again = await wf.workflowSubmit({ amount: 43 });
    expect(again).toMatchObject({ invocationId: submission.invocationId, status: "PreviouslyAccepted" });
    expect(await wf.decide("approved")).toBe("noted");
    const expected = { amount: 42, decision: "approved", key };
    expect(await wf.workflowAttach()).toEqual(expected);
    expect(await wf.workflowOutput()).toMatchObject({ ready: true, result: expected });
    expect(await rs.result(submission)).toEqual(expected);
  });
});

describe("awakeables", () => {
  it("resolve an awakeable from outside", async () => {
    const sent = await rs.serviceSendClient(greeter).waitForAwakeable("resolve-me");
    const id = await waitFor(() => awakeables.get("resolve-me"), 10_000, "the awakeable id");
    expect(id).toMatch(/^sign_1/);
    await rs.resolveAwakeable(id, { answer: "yes" });
    expect(await rs.result(sent)).toBe("got yes");
  });

  it("reject an awakeable: the handler fails with the reason", async () => {
    const sent = await rs.serviceSendClient(greeter).waitForAwakeable("reject-me");
    const id = await waitFor(() => awakeables.get("reject-me"), 10_000, "the awakeable id");
    await rs.rejectAwakeable(id, "changed my mind");
    const error = (await rs.result(sent).catch((e: unknown) => e)) as HttpCallError;
    expect(error).toBeInstanceOf(HttpCallError);
    expect(error.message).toContain("changed my mind");
  });
});

describe("clients from iface contracts (ingress.client / ingress.sendClient)", () => {
  it("call a service and an object built with iface/implement, with the descriptors' serdes", async () => {
    const bytes = await rs.client(mirrorContract).reverse(new Uint8Array([1, 2, 3, 250]));
    expect(bytes).toEqual(new Uint8Array([250, 3, 2, 1]));
    expect(await rs.client(mirror).echo({ text: "hey" })).toEqual({ text: "hey", length: 3 });
    const key = "iface/tally";
    expect(await rs.client(tallyContract, key).add(4)).toBe(4);
    expect(await rs.client(tally, key).add(5)).toBe(9);
    expect(await rs.client(tallyContract, key).total()).toBe(9);
    expect(await rs.client(tallyContract, "other").total()).toBe(0);
  });

  it("send to them and attach to the result", async () => {
    const sent = await rs.sendClient(tallyContract, "iface-send").add(7, rpc.sendOpts({ idempotencyKey: "iface-send-1" }));
    expect(sent.invocationId).toMatch(/^inv_/);
    expect(sent.attachable).toBe(true);
    expect(await rs.result(sent)).toBe(7);
    const reversed = await rs.sendClient(mirrorContract).reverse(new Uint8Array([9, 8]), rpc.sendOpts({ idempotencyKey: "iface-send-2" }));
    expect(await rs.result(reversed, restate.serde.binary)).toEqual(new Uint8Array([8, 9]));
    expect(await rs.client(tallyContract, "iface-send").total()).toBe(7);
  });

  it("refuse an object contract without a key, and a bare { name }", () => {
    expect(() => (rs.client as (d: unknown) => unknown)(tallyContract)).toThrow(/ClientTally.*needs a key/);
    expect(() => (rs.sendClient as (d: unknown) => unknown)({ name: "ClientTally" })).toThrow(/iface\.service\/object\/workflow/);
  });
});
