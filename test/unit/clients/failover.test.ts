// connect({ url: [a, b, c] }): round-robin over the nodes, and a request moves to the next node only where sending it
// twice is safe. fetch is scripted per URL: "refused" (nothing sent), "reset" (the request may have arrived), or ok.
import { describe, expect, it } from "vitest";
import { connect, rpc, IngressUnreachableError } from "../../../src/clients/index.js";
import { ingressUrls, isConnectionRefused } from "../../../src/clients/failover.js";

type Behaviour = "refused" | "reset" | "ok";

function scripted(behaviour: Record<string, Behaviour>) {
  const seen: string[] = [];
  const fetchFn = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const base = `${url.protocol}//${url.host}`;
    seen.push(`${base} ${request.method} ${url.pathname}`);
    const b = behaviour[base] ?? "ok";
    if (b === "refused") throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    if (b === "reset") throw new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });
    const body = url.pathname.endsWith("/send") ? JSON.stringify({ invocationId: "inv_1", status: "Accepted" }) : JSON.stringify(`from ${base}`);
    return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
  };
  return { seen, fetch: fetchFn };
}

const A = "http://a:8080";
const B = "http://b:8080";
const C = "http://c:8080";
const greeter = { name: "Greeter" } as { name: "Greeter" };

describe("ingress failover", () => {
  it("parses one URL or a list, refusing empty lists and non-strings", () => {
    expect(ingressUrls("http://x:1/")).toEqual(["http://x:1"]);
    expect(ingressUrls([A, B, A])).toEqual([A, B]);
    expect(() => ingressUrls([])).toThrow(/at least one/);
    expect(() => ingressUrls([A, 3])).toThrow(/URL string/);
    expect(() => ingressUrls(["ftp://x"])).toThrow(/http/);
  });

  it("recognises connection refused on Node, Bun and Deno", () => {
    expect(isConnectionRefused(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }))).toBe(true);
    expect(isConnectionRefused(new TypeError("fetch failed", { cause: new AggregateError([{ code: "ECONNREFUSED" }, { code: "ECONNREFUSED" }]) }))).toBe(true);
    expect(isConnectionRefused(Object.assign(new Error("Unable to connect"), { code: "ConnectionRefused" }))).toBe(true);
    expect(isConnectionRefused(new TypeError("error sending request: Connection refused (os error 111)"))).toBe(true);
    expect(isConnectionRefused(new TypeError("fetch failed", { cause: { code: "UND_ERR_SOCKET" } }))).toBe(false);
    expect(isConnectionRefused(new TypeError("fetch failed", { cause: new AggregateError([{ code: "ECONNREFUSED" }, { code: "ETIMEDOUT" }]) }))).toBe(false);
  });

  it("spreads requests round-robin", async () => {
    const f = scripted({});
    const rs = connect({ url: [A, B, C], fetch: f.fetch });
    for (let i = 0; i < 4; i++) await (rs.serviceClient(greeter) as any).greet("x");
    expect(f.seen.map((s) => s.split(" ")[0])).toEqual([A, B, C, A]);
  });

  it("moves any request on when the connection is refused", async () => {
    const f = scripted({ [A]: "refused" });
    const rs = connect({ url: [A, B, C], fetch: f.fetch });
    expect(await (rs.serviceClient(greeter) as any).greet("x")).toBe(`from ${B}`);
  });

  it("does not send a plain call again after the connection broke", async () => {
    const f = scripted({ [A]: "reset" });
    const rs = connect({ url: [A, B, C], fetch: f.fetch });
    const err = await (rs.serviceClient(greeter) as any).greet("x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngressUnreachableError);
    expect(err.message).toMatch(/cannot reach the Restate ingress at http:\/\/a:8080 .*no idempotency key/);
    expect(f.seen).toHaveLength(1);
    // Nor a plain send, nor an awakeable resolution.
    const f2 = scripted({ [A]: "reset", [B]: "reset" });
    const rs2 = connect({ url: [A, B], fetch: f2.fetch });
    await expect((rs2.serviceSendClient(greeter) as any).greet("x")).rejects.toThrow(IngressUnreachableError);
    await expect(rs2.resolveAwakeable("sign_1", 1)).rejects.toThrow(IngressUnreachableError);
    expect(f2.seen.map((s) => s.split(" ")[0])).toEqual([A, B]);
  });

  it("sends again what is safe to send twice: idempotency key, workflow submission, attach and output", async () => {
    const f = scripted({ [A]: "reset", [B]: "reset" });
    const rs = connect({ url: [A, B, C], fetch: f.fetch });
    expect(await (rs.serviceClient(greeter) as any).greet("x", rpc.opts({ idempotencyKey: "k" }))).toBe(`from ${C}`);
    const flow = rs.workflowClient({ name: "Flow" } as any, "w1") as any;
    const order = () => f.seen.splice(0).map((s) => s.split(" ")[0]);
    order();
    await flow.workflowSubmit(1); // starts at B (round-robin): B reset, C ok
    expect(order()).toEqual([B, C]);
    await flow.workflowAttach(); // starts at C
    expect(order()).toEqual([C]);
    await flow.workflowOutput(); // starts at A: A reset, B reset, C ok
    expect(order()).toEqual([A, B, C]);
    await rs.result("inv_1"); // starts at B
    expect(order()).toEqual([B, C]);
  });

  it("reports every node it tried when none answers", async () => {
    const f = scripted({ [A]: "refused", [B]: "refused" });
    const rs = connect({ url: [A, B], fetch: f.fetch });
    const err = await (rs.serviceClient(greeter) as any).greet("x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngressUnreachableError);
    expect(err.attempts.map((a: { url: string }) => a.url)).toEqual([A, B]);
    expect(err.message).toMatch(/at http:\/\/a:8080, http:\/\/b:8080/);
  });
});
