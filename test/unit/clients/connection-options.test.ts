// perdure/clients options of the official 1.17 clients, without a server: rpc.opts({ timeout, limitKey }),
// ingress.scope(key), connect({ retry, serde, journalValueCodec }), defaultShouldRetry, result(send, serde), the
// send result's executionTime, and the generic call/send by name.
import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { HttpCallError, connect, defaultShouldRetry, rpc, serde, type ConnectionOpts, type Send } from "../../../src/clients/index.js";

const greeter = restate.service({
  name: "Greeter",
  handlers: { greet: async (_ctx: restate.Context, name: string) => `Hello ${name}` },
});
const counter = restate.object({
  name: "Counter",
  handlers: { add: async (_ctx: restate.ObjectContext, n: number) => n },
});

type Reply = (request: Request, attempt: number) => Response | Promise<Response>;

function fake(reply: Reply, extra: Partial<ConnectionOpts> = {}) {
  const seen: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  const rs = connect({
    url: "http://ingress.test:8080",
    ...extra,
    fetch: async (request) => {
      seen.push({ url: request.url, headers: Object.fromEntries(request.headers), body: await request.clone().text() });
      return reply(request, seen.length);
    },
  });
  return { rs, seen };
}

describe("rpc.opts({ timeout })", () => {
  it("aborts an attempt that takes longer, with a TimeoutError naming the option", async () => {
    const { rs } = fake(
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener("abort", () => reject(request.signal.reason));
        }),
    );
    const started = Date.now();
    const err = await rs.serviceClient(greeter).greet("Ada", rpc.opts({ timeout: 100 })).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("TimeoutError");
    expect((err as Error).message).toMatch(/timed out after 100 ms/);
  });

  it("refuses a timeout together with a signal, and a timeout that is not positive", async () => {
    const { rs } = fake(() => Response.json("x"));
    await expect(rs.serviceClient(greeter).greet("Ada", rpc.opts({ timeout: 10, signal: new AbortController().signal }))).rejects.toThrow(/either an abort signal or a timeout/);
    await expect(rs.serviceClient(greeter).greet("Ada", rpc.opts({ timeout: -1 }))).rejects.toThrow(/positive number/);
  });
});

describe("limit keys and scopes", () => {
  it("rpc.opts({ limitKey }) sends x-restate-limit-key", async () => {
    const { rs, seen } = fake(() => Response.json(1));
    await rs.objectClient(counter, "c1").add(1, rpc.opts({ limitKey: "tenant/user" }));
    expect(seen[0]!.headers["x-restate-limit-key"]).toBe("tenant/user");
  });

  it("ingress.scope(key) calls /restate/scope/{scope}/call|send/…", async () => {
    const { rs, seen } = fake((request) => (request.url.includes("/send") ? Response.json({ invocationId: "inv_1", status: "Accepted" }) : Response.json("ok")));
    const scoped = rs.scope("tenant 1");
    await scoped.serviceClient(greeter).greet("Ada");
    await scoped.objectSendClient(counter, "k/1").add(2, rpc.sendOpts({ delay: 1500 }));
    expect(seen.map((s) => s.url)).toEqual([
      "http://ingress.test:8080/restate/scope/tenant%201/call/Greeter/greet",
      "http://ingress.test:8080/restate/scope/tenant%201/send/Counter/k%2F1/add?delay=1500ms",
    ]);
    expect(() => rs.scope("")).toThrow(/non-empty/);
  });
});

describe("connect({ retry })", () => {
  const flaky = (failures: number, status = 503): Reply => (_request, attempt) =>
    attempt <= failures ? new Response("busy", { status }) : Response.json("Hello Ada");

  it("retries an idempotent call on transient failures, numbering the attempts", async () => {
    const { rs, seen } = fake(flaky(2), { retry: { initialInterval: 1, maxInterval: 5 } });
    expect(await rs.serviceClient(greeter).greet("Ada", rpc.opts({ idempotencyKey: "k" }))).toBe("Hello Ada");
    expect(seen.map((s) => s.headers["x-restateclient-retry-attempt"])).toEqual(["1", "2", "3"]);
  });

  it("does not retry a call without an idempotency key, nor without a policy", async () => {
    const noKey = fake(flaky(1), { retry: true });
    await expect(noKey.rs.serviceClient(greeter).greet("Ada")).rejects.toBeInstanceOf(HttpCallError);
    expect(noKey.seen).toHaveLength(1);
    const noPolicy = fake(flaky(1));
    await expect(noPolicy.rs.serviceClient(greeter).greet("Ada", rpc.opts({ idempotencyKey: "k" }))).rejects.toThrow(/busy/);
    expect(noPolicy.seen).toHaveLength(1);
  });

  it("stops after maxAttempts and never retries a failure of the invocation itself", async () => {
    const capped = fake(flaky(10), { retry: { maxAttempts: 3, initialInterval: 1 } });
    await expect(capped.rs.serviceClient(greeter).greet("Ada", rpc.opts({ idempotencyKey: "k" }))).rejects.toThrow(/busy/);
    expect(capped.seen).toHaveLength(3);
    const terminal = fake(() => new Response(JSON.stringify({ message: "boom" }), { status: 500, headers: { "x-restate-error-source": "invocation" } }), { retry: { initialInterval: 1 } });
    await expect(terminal.rs.serviceClient(greeter).greet("Ada", rpc.opts({ idempotencyKey: "k" }))).rejects.toThrow(/boom/);
    expect(terminal.seen).toHaveLength(1);
  });

  it("asks shouldRetry, which can build on defaultShouldRetry", async () => {
    const decisions: Array<[string, number]> = [];
    const { rs, seen } = fake(flaky(1, 400), {
      retry: {
        initialInterval: 1,
        shouldRetry: (failure, attempt) => {
          decisions.push([failure.kind === "response" ? String(failure.status) : failure.kind, attempt]);
          return defaultShouldRetry(failure) || (failure.kind === "response" && failure.status === 400);
        },
      },
    });
    expect(await rs.serviceClient(greeter).greet("Ada", rpc.opts({ idempotencyKey: "k" }))).toBe("Hello Ada");
    expect(decisions).toEqual([["400", 0]]);
    expect(seen).toHaveLength(2);
  });

  it("defaultShouldRetry: network errors and 408/425/429/5xx, not 4xx, not invocation failures", () => {
    const response = (status: number, source?: string) => ({ kind: "response" as const, status, headers: new Headers(source ? { "x-restate-error-source": source } : {}) });
    expect(defaultShouldRetry({ kind: "network", error: new Error("x") })).toBe(true);
    expect([408, 425, 429, 500, 503].map((s) => defaultShouldRetry(response(s)))).toEqual([true, true, true, true, true]);
    expect([400, 404, 409, 470].map((s) => defaultShouldRetry(response(s)))).toEqual([false, false, false, false]);
    expect(defaultShouldRetry(response(500, "invocation"))).toBe(false);
    expect(defaultShouldRetry(response(503, "ingress"))).toBe(true);
  });

  it("honours Retry-After", async () => {
    const { rs, seen } = fake((_r, attempt) => (attempt === 1 ? new Response("slow down", { status: 429, headers: { "retry-after": "0" } }) : Response.json("ok")), {
      retry: { initialInterval: 60_000 },
    });
    const started = Date.now();
    await rs.serviceClient(greeter).greet("Ada", rpc.opts({ idempotencyKey: "k" }));
    expect(Date.now() - started).toBeLessThan(5_000); // not the 60 s backoff
    expect(seen).toHaveLength(2);
  });
});

describe("serdes and results", () => {
  it("connect({ serde }) is the default serde of inputs and outputs", async () => {
    const upper: restate.Serde<string> = {
      contentType: "text/plain",
      serialize: (v) => new TextEncoder().encode(v.toUpperCase()),
      deserialize: (b) => new TextDecoder().decode(b).toLowerCase(),
    };
    const { rs, seen } = fake(() => new Response("HELLO ADA"), { serde: upper });
    expect(await rs.serviceClient(greeter).greet("Ada")).toBe("hello ada");
    expect(seen[0]).toMatchObject({ body: "ADA", headers: { "content-type": "text/plain" } });
  });

  it("connect({ journalValueCodec }) encodes request payloads and decodes responses", async () => {
    const flip = (b: Uint8Array) => b.map((x) => x ^ 1);
    const { rs, seen } = fake(() => new Response(flip(new TextEncoder().encode('"Hello Ada"'))), { journalValueCodec: { encode: flip, decode: async (b) => flip(b) } });
    expect(await rs.serviceClient(greeter).greet("Ada")).toBe("Hello Ada");
    expect(seen[0]!.body).toBe(new TextDecoder().decode(flip(new TextEncoder().encode('"Ada"'))));
  });

  it("result(send, serde) attaches and decodes with the serde; a send reports executionTime", async () => {
    const { rs, seen } = fake((request) =>
      request.url.endsWith("/send?delay=60000ms")
        ? Response.json({ invocationId: "inv_abc", status: "Accepted", executionTime: "2026-12-04T00:00:00.000Z" })
        : new Response(new Uint8Array([1, 2, 3])),
    );
    const sent = await rs.serviceSendClient(greeter).greet("Ada", rpc.sendOpts({ delay: { minutes: 1 }, idempotencyKey: "k" }));
    expect(sent).toEqual({ invocationId: "inv_abc", status: "Accepted", attachable: true, executionTime: "2026-12-04T00:00:00.000Z" });
    expect(await rs.result(sent as unknown as Send<Uint8Array>, serde.binary)).toEqual(new Uint8Array([1, 2, 3]));
    expect(seen[1]!.url).toBe("http://ingress.test:8080/restate/invocation/inv_abc/attach");
  });

  it("call/send by name: bytes by default, serdes from the options", async () => {
    const { rs, seen } = fake((request) => (request.url.endsWith("/send") ? Response.json({ invocationId: "inv_1", status: "Accepted" }) : new Response(new Uint8Array([9]))));
    expect(await rs.call({ service: "Greeter", handler: "greet", parameter: new Uint8Array([7]) })).toEqual(new Uint8Array([9]));
    await rs.send({ service: "Counter", key: "a", handler: "add", parameter: 5, opts: rpc.sendOpts({ input: serde.json }) });
    expect(seen.map((s) => [s.url, s.headers["content-type"], s.body])).toEqual([
      ["http://ingress.test:8080/Greeter/greet", "application/octet-stream", "\u0007"],
      ["http://ingress.test:8080/Counter/a/add/send", "application/json", "5"],
    ]);
  });
});
