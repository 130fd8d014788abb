// perdure/clients without a server: the exact HTTP requests it makes (routes, headers, bodies, delay), how it reads
// answers (470 = not ready, JSON error bodies), and the client types derived from definitions.
import { describe, expect, expectTypeOf, it } from "vitest";
import * as restate from "../../../src/index.js";
import { HttpCallError, connect, rpc, type Output, type Send, type WorkflowSubmission } from "../../../src/clients/index.js";

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A fake ingress: records each request and answers with `reply(request)`. */
function fakeIngress(reply: (seen: Seen) => Response = () => Response.json("ok")) {
  const seen: Seen[] = [];
  const rs = connect({
    url: "http://ingress.test:8080/prefix/",
    headers: { "x-conn": "c" },
    fetch: async (request) => {
      const entry: Seen = {
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      };
      seen.push(entry);
      return reply(entry);
    },
  });
  return { rs, seen };
}

const greeter = restate.service({
  name: "Greeter",
  handlers: {
    greet: async (_ctx: restate.Context, name: string) => `Hello ${name}`,
    ping: async (_ctx: restate.Context) => 42,
  },
});
const counter = restate.object({
  name: "Counter",
  handlers: { add: async (_ctx: restate.ObjectContext, n: number) => n },
});
const signup = restate.workflow({
  name: "Signup",
  handlers: {
    run: async (_ctx: restate.WorkflowContext, email: string) => ({ ok: true, email }),
    click: async (_ctx: restate.WorkflowSharedContext, secret: string) => secret.length,
  },
});

describe("requests", () => {
  it("calls POST {url}/{service}/{handler} with a JSON body and the connection headers", async () => {
    const { rs, seen } = fakeIngress(() => Response.json("Hello Ada"));
    expect(await rs.serviceClient(greeter).greet("Ada", rpc.opts({ headers: { "x-call": "1" }, idempotencyKey: "k1" }))).toBe("Hello Ada");
    expect(seen).toEqual([
      {
        method: "POST",
        url: "http://ingress.test:8080/prefix/Greeter/greet",
        // The attempt number goes with every request, as with the official clients.
        headers: { "x-conn": "c", "x-call": "1", "idempotency-key": "k1", "content-type": "application/json", "x-restateclient-retry-attempt": "1" },
        body: '"Ada"',
      },
    ]);
  });

  it("sends no body and no content type for handlers without input", async () => {
    const { rs, seen } = fakeIngress(() => Response.json(42));
    expect(await rs.serviceClient(greeter).ping()).toBe(42);
    expect(seen[0]!.body).toBe("");
    expect(seen[0]!.headers["content-type"]).toBeUndefined();
  });

  it("puts object keys in the path, URL-encoded", async () => {
    const { rs, seen } = fakeIngress(() => Response.json(1));
    await rs.objectClient(counter, "a/b ü").add(1);
    expect(seen[0]!.url).toBe("http://ingress.test:8080/prefix/Counter/a%2Fb%20%C3%BC/add");
  });

  it("sends one-way calls to …/send with the delay in milliseconds", async () => {
    const { rs, seen } = fakeIngress(() => Response.json({ invocationId: "inv_1", status: "Accepted" }));
    const sent = await rs.serviceSendClient(greeter).greet("Ada", rpc.sendOpts({ delay: { seconds: 2, milliseconds: 5 } }));
    expect(sent).toEqual({ invocationId: "inv_1", status: "Accepted", attachable: false });
    await rs.objectSendClient(counter, "k").add(1, rpc.sendOpts({ delay: 250, idempotencyKey: "i" }));
    expect(seen.map((s) => s.url)).toEqual([
      "http://ingress.test:8080/prefix/Greeter/greet/send?delay=2005ms",
      "http://ingress.test:8080/prefix/Counter/k/add/send?delay=250ms",
    ]);
    expect(seen[1]!.headers["idempotency-key"]).toBe("i");
  });

  it("uses the workflow routes for submit, attach and output, and the shared handlers as calls", async () => {
    const { rs, seen } = fakeIngress((s) =>
      s.url.endsWith("/run/send") ? Response.json({ invocationId: "inv_wf", status: "Accepted" }) : Response.json({ ok: true, email: "e" }),
    );
    const wf = rs.workflowClient(signup, "user 1");
    expect(await wf.workflowSubmit("e")).toEqual({ invocationId: "inv_wf", status: "Accepted", attachable: true });
    await wf.workflowAttach();
    await wf.workflowOutput();
    await wf.click("s");
    expect((wf as unknown as Record<string, unknown>).run).toBeUndefined();
    expect(seen.map((s) => `${s.method} ${s.url.slice("http://ingress.test:8080/prefix".length)}`)).toEqual([
      "POST /Signup/user%201/run/send",
      "GET /restate/workflow/Signup/user%201/attach",
      "GET /restate/workflow/Signup/user%201/output",
      "POST /Signup/user%201/click",
    ]);
  });

  it("attaches and reads outputs by invocation id", async () => {
    const { rs, seen } = fakeIngress((s) => (s.url.endsWith("/output") ? new Response("", { status: 470 }) : Response.json(7)));
    expect(await rs.result("inv_abc")).toBe(7);
    const out = await rs.output({ invocationId: "inv_abc", status: "Accepted", attachable: true });
    expect(out.ready).toBe(false);
    expect(() => out.result).toThrow(/has not finished/);
    expect(seen.map((s) => s.url)).toEqual([
      "http://ingress.test:8080/prefix/restate/invocation/inv_abc/attach",
      "http://ingress.test:8080/prefix/restate/invocation/inv_abc/output",
    ]);
    await expect(rs.result("not-an-id")).rejects.toThrow(/expected an invocation id/);
  });

  it("resolves awakeables with a JSON body and rejects them with a text reason", async () => {
    const { rs, seen } = fakeIngress(() => new Response(null, { status: 202 }));
    await rs.resolveAwakeable("sign_1xyz", { a: 1 });
    await rs.resolveAwakeable("sign_1xyz");
    await rs.rejectAwakeable("sign_1xyz", "nope");
    expect(seen.map((s) => [s.url.slice("http://ingress.test:8080/prefix".length), s.headers["content-type"], s.body])).toEqual([
      ["/restate/awakeables/sign_1xyz/resolve", "application/json", '{"a":1}'],
      ["/restate/awakeables/sign_1xyz/resolve", undefined, ""],
      ["/restate/awakeables/sign_1xyz/reject", "text/plain", "nope"],
    ]);
  });
});

describe("answers", () => {
  it("turn a JSON failure into HttpCallError with the status and the server's message", async () => {
    const { rs } = fakeIngress(() => Response.json({ code: 409, message: "sold out" }, { status: 409 }));
    const error = (await rs.serviceClient(greeter).greet("x").catch((e: unknown) => e)) as HttpCallError;
    expect(error).toBeInstanceOf(HttpCallError);
    expect(error).toBeInstanceOf(restate.TerminalError);
    expect(error).toMatchObject({ status: 409, code: 409, message: "sold out", url: "http://ingress.test:8080/prefix/Greeter/greet" });
    expect(error.responseText).toBe('{"code":409,"message":"sold out"}');
    expect(error.metadata).toEqual({});
  });

  it("carry the TerminalError's metadata", async () => {
    const { rs } = fakeIngress(() => Response.json({ code: 402, message: "declined", metadata: { tripId: "t1" }, source: "invocation" }, { status: 402 }));
    await expect(rs.serviceClient(greeter).greet("x")).rejects.toMatchObject({ status: 402, metadata: { tripId: "t1" } });
  });

  it("keep a plain-text failure as the message", async () => {
    const { rs } = fakeIngress(() => new Response("bad gateway\n", { status: 502 }));
    await expect(rs.serviceClient(greeter).ping()).rejects.toMatchObject({ status: 502, message: "bad gateway" });
  });

  it("refuse a send answer without invocation id", async () => {
    const { rs } = fakeIngress(() => Response.json({}));
    await expect(rs.serviceSendClient(greeter).ping()).rejects.toThrow(/names no invocation id/);
  });
});

describe("arguments", () => {
  it("refuse bad connections, keys and option objects", async () => {
    expect(() => connect({ url: "ftp://x" })).toThrow(/http/);
    expect(() => connect({ url: "nope" })).toThrow(/not a URL/);
    const { rs } = fakeIngress();
    expect(() => rs.objectClient(counter, 5 as unknown as string)).toThrow(/must be a string/);
    const loose = rs.serviceClient(greeter) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await expect(loose.greet!("a", "b", "c")).rejects.toThrow(/at most an input/);
    await expect(loose.greet!("a", rpc.sendOpts({ delay: 5 }))).rejects.toThrow(/delay is an option of send clients/);
  });

  it("accept the core's restate.rpc.opts too", async () => {
    const { rs, seen } = fakeIngress(() => Response.json("x"));
    const loose = rs.serviceClient(greeter) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await loose.greet!("a", restate.rpc.opts({ idempotencyKey: "core" }));
    expect(seen[0]!.headers["idempotency-key"]).toBe("core");
  });

  it("clients are not thenables (awaiting one does not call a handler)", async () => {
    const { rs, seen } = fakeIngress();
    const client = rs.serviceClient(greeter);
    expect(await Promise.resolve(client)).toBe(client);
    expect(seen).toHaveLength(0);
  });
});

describe("types", () => {
  it("derive method signatures from the definitions", () => {
    const rs = connect({ url: "http://127.0.0.1:8080" });
    const g = rs.serviceClient(greeter);
    expectTypeOf(g.greet).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(g.greet).returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf(g.ping).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(rs.serviceSendClient(greeter).greet).returns.toEqualTypeOf<Promise<Send<string>>>();
    expectTypeOf(rs.objectClient(counter, "k").add).parameter(0).toEqualTypeOf<number>();
    const wf = rs.workflowClient(signup, "k");
    expectTypeOf(wf.workflowSubmit).returns.toEqualTypeOf<Promise<WorkflowSubmission<{ ok: boolean; email: string }>>>();
    expectTypeOf(wf.workflowAttach).returns.toEqualTypeOf<Promise<{ ok: boolean; email: string }>>();
    expectTypeOf(wf.workflowOutput).returns.toEqualTypeOf<Promise<Output<{ ok: boolean; email: string }>>>();
    expectTypeOf(wf.click).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(wf).not.toHaveProperty("run");
    // Type-only use, as in the official docs: the definition's type, and just its name at run time.
    type Greeter = typeof greeter;
    expectTypeOf(rs.serviceClient<Greeter>({ name: "Greeter" }).greet).returns.toEqualTypeOf<Promise<string>>();
    const stored = rpc.opts({ idempotencyKey: "k" });
    void (() => g.greet("a", stored));
    void (() => g.greet("a", rpc.opts({ input: restate.serde.json })));
    // @ts-expect-error wrong input type
    void (() => g.greet(5));
    // @ts-expect-error no such handler
    void (() => g.nope());
  });
});

describe("clients from iface contracts (client / sendClient)", () => {
  const mirror = restate.iface.service("Mirror", {
    raw: restate.iface.serdes({ input: restate.serde.binary, output: restate.serde.binary }),
    info: restate.iface.json<void, { ok: boolean }>(),
  });
  const tally = restate.iface.object("Tally", { add: restate.iface.json<number, number>() });
  const flow = restate.iface.workflow("Flow", { run: restate.iface.json<string, string>() });

  it("route by kind, use the descriptors' serdes unless the options name others", async () => {
    const { rs, seen } = fakeIngress((s) => (s.url.endsWith("/send") || s.url.includes("/scope/s1/send/") ? Response.json({ invocationId: "inv_1", status: "Accepted" }) : new Response(new Uint8Array([7, 8]))));
    expect(await rs.client(mirror).raw(new Uint8Array([1, 2]))).toEqual(new Uint8Array([7, 8]));
    expect(seen[0]).toMatchObject({ url: "http://ingress.test:8080/prefix/Mirror/raw", body: "\u0001\u0002" });
    expect(seen[0]!.headers["content-type"]).toBe("application/octet-stream");
    const mine = { serialize: () => new Uint8Array(), deserialize: () => new Uint8Array([42]) };
    await expect(rs.client(mirror).raw(new Uint8Array([1]), rpc.opts({ output: mine }))).resolves.toEqual(new Uint8Array([42]));
    expect((await rs.sendClient(tally, "k/1").add(3)).invocationId).toBe("inv_1");
    expect(seen[2]).toMatchObject({ url: "http://ingress.test:8080/prefix/Tally/k%2F1/add/send", body: "3" });
    await rs.sendClient(flow, "w").run("go");
    expect(seen[3]!.url).toBe("http://ingress.test:8080/prefix/Flow/w/run/send");
    await rs.scope("s1").sendClient(mirror).info();
    expect(seen[4]!.url).toBe("http://ingress.test:8080/prefix/restate/scope/s1/send/Mirror/info");
  });

  it("types come from the descriptors; bad input is refused", () => {
    const { rs } = fakeIngress();
    expectTypeOf(rs.client(tally, "k").add).parameter(0).toEqualTypeOf<number>();
    expectTypeOf(rs.client(tally, "k").add).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(rs.client(mirror).info).returns.toEqualTypeOf<Promise<{ ok: boolean }>>();
    expectTypeOf(rs.sendClient(tally, "k").add).returns.toEqualTypeOf<Promise<Send<number>>>();
    expect(() => (rs.client as (d: unknown) => unknown)(tally)).toThrow(/Tally.*needs a key/);
    expect(() => (rs.client as (d: unknown) => unknown)({ name: "Tally" })).toThrow(TypeError);
  });
});
