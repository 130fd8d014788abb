// Plain services over the real server: calls, ctx.run (names, retries, exhaustion), sleep,
// request(), TerminalError across calls and at the ingress, binary serde, bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBasicsServices } from "./fixtures/basics.js";
import { deploymentInfo, invocationStatus, query } from "./support/admin.js";
import { PROTOCOLS, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { call, callOk } from "./support/ingress.js";

describe.each(PROTOCOLS)("basics (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  const tag = (name: string) => `${name}-v${protocolVersion}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion, services: makeBasicsServices });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("is served by the SDK under test, in request-response mode over HTTP/1.1", async () => {
    const info = await deploymentInfo(env.adminUrl, env.deployment.id);
    expect(info.sdk_version).toMatch(env.sdkName === "perdure" ? /^perdure\// : /^restate-sdk-typescript\//);
    expect(info).toMatchObject({ protocol_type: "RequestResponse", http_version: "HTTP/1.1" });
    expect(info.min_protocol_version).toBeLessThanOrEqual(6);
    expect(info.max_protocol_version).toBeGreaterThanOrEqual(7);
  });

  it("registers every service and handler", () => {
    const services = Object.fromEntries(env.deployment.services.map((s) => [s.name, s.handlers.map((h) => h.name).sort()]));
    expect(services.Failer).toEqual(["fail"]);
    expect(services.Basics).toEqual(
      [
        "callFail",
        "callFailRethrow",
        "greet",
        "requestInfo",
        "reverseBytes",
        "runExhausted",
        "runFailsTwice",
        "runNamed",
        "runTerminal",
        "sleep",
        "uuid",
      ].sort(),
    );
  });

  it(`answers a call and the server negotiated protocol V${protocolVersion}`, async () => {
    const res = await call(env.ingressUrl, "Basics/greet", "Bob");
    expect(res.status).toBe(200);
    expect(res.json).toBe("Hello, Bob!");
    const id = res.headers.get("x-restate-id");
    expect(id).toMatch(/^inv_/);
    const status = await invocationStatus(env.adminUrl, id!);
    expect(status?.status).toBe("completed");
    expect(Number(status?.pinned_service_protocol_version)).toBe(protocolVersion);
    // The V7 server also runs with vqueues (needed for scopes and limit keys).
    const version = (await (await fetch(`${env.adminUrl}/version`)).json()) as { features: Record<string, boolean> };
    expect(version.features).toMatchObject({ protocol_v7: protocolVersion === 7, vqueues: protocolVersion === 7 });
  });

  it("journals ctx.run results under the given name", async () => {
    const res = await call(env.ingressUrl, "Basics/runNamed", 21);
    expect(res.json).toEqual({ doubled: 42 });
    const id = res.headers.get("x-restate-id")!;
    const rows = await query(env.adminUrl, `SELECT entry_type, name FROM sys_journal WHERE id = '${id}' ORDER BY index`);
    expect(rows).toContainEqual({ entry_type: "Command: Run", name: "double" });
  });

  it("retries a failing ctx.run until it succeeds (fails twice, then succeeds)", async () => {
    expect(await callOk(env.ingressUrl, "Basics/runFailsTwice", tag("twice"))).toEqual({ attempt: 3 });
  });

  it("stops retrying after maxRetryAttempts and surfaces a TerminalError", async () => {
    const res = await callOk<{ caught: boolean; terminal: boolean; message: string; attempts: number }>(
      env.ingressUrl,
      "Basics/runExhausted",
      { tag: tag("attempts"), policy: { maxRetryAttempts: 3, initialRetryInterval: 10, maxRetryInterval: 20 } },
    );
    expect(res).toMatchObject({ caught: true, terminal: true, attempts: 3 });
    expect(res.message).toContain("attempt 3 failed");
  });

  it("stops retrying after maxRetryDuration and surfaces a TerminalError", async () => {
    const started = Date.now();
    const res = await callOk<{ caught: boolean; terminal: boolean; attempts: number }>(
      env.ingressUrl,
      "Basics/runExhausted",
      { tag: tag("duration"), policy: { maxRetryDuration: 400, initialRetryInterval: 50, retryIntervalFactor: 1 } },
    );
    expect(res).toMatchObject({ caught: true, terminal: true });
    expect(res.attempts).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("does not retry a TerminalError thrown inside ctx.run", async () => {
    expect(await callOk(env.ingressUrl, "Basics/runTerminal", tag("terminal"))).toEqual({
      caught: true,
      code: 422,
      message: "no retry please",
      attempts: 1,
    });
  });

  it("survives a 1 s sleep (suspends and resumes)", async () => {
    const started = Date.now();
    const res = await callOk<{ sleptMs: number }>(env.ingressUrl, "Basics/sleep", 1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(res.sleptMs).toBeGreaterThanOrEqual(1000);
    expect(res.sleptMs).toBeLessThan(10_000);
  });

  it("exposes ctx.request(): invocation id, target, headers, idempotency key", async () => {
    const key = tag("idem");
    const res = await call(env.ingressUrl, "Basics/requestInfo", undefined, {
      headers: { "x-perdure-test": "hello header" },
      idempotencyKey: key,
    });
    expect(res.status).toBe(200);
    const info = res.json as { id: string; target: string; header: string | null; idempotencyKey: string | null };
    expect(info.id).toBe(res.headers.get("x-restate-id"));
    expect(info.target).toBe("Basics/requestInfo");
    expect(info.header).toBe("hello header");
    // 1.7.12 fills StartMessage.idempotency_key only on V7; on V6 the SDK has nothing to show.
    if (protocolVersion === 7) expect(info.idempotencyKey).toBe(key);
    else expect([null, key]).toContain(info.idempotencyKey);
  });

  it("deduplicates ingress calls with the same idempotency key", async () => {
    const key = tag("dedup");
    const a = await call(env.ingressUrl, "Basics/uuid", undefined, { idempotencyKey: key });
    const b = await call(env.ingressUrl, "Basics/uuid", undefined, { idempotencyKey: key });
    const c = await call(env.ingressUrl, "Basics/uuid", undefined, { idempotencyKey: `${key}-other` });
    expect(a.json).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.json).toBe(a.json);
    expect(b.headers.get("x-restate-id")).toBe(a.headers.get("x-restate-id"));
    expect(c.json).not.toBe(a.json);
  });

  it("maps a TerminalError to the ingress HTTP status with message and metadata", async () => {
    const res = await call(env.ingressUrl, "Failer/fail", { message: "I am a teapot", code: 418, metadata: { why: "tea" } });
    expect(res.status).toBe(418);
    expect(res.json).toMatchObject({ code: 418, message: "I am a teapot", metadata: { why: "tea" } });
  });

  it("uses 500 for a TerminalError without a code", async () => {
    const res = await call(env.ingressUrl, "Failer/fail", { message: "plain terminal" });
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ code: 500, message: "plain terminal" });
  });

  it("propagates a TerminalError (code + metadata) to the caller handler", async () => {
    const res = await callOk(env.ingressUrl, "Basics/callFail", { message: "downstream said no", code: 409, metadata: { k: "v" } });
    expect(res).toEqual({ caught: true, terminal: true, code: 409, message: "downstream said no", metadata: { k: "v" } });
  });

  it("propagates a rethrown TerminalError through the caller to the ingress", async () => {
    const res = await call(env.ingressUrl, "Basics/callFailRethrow", { message: "all the way up", code: 403 });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: 403, message: "all the way up" });
  });

  it("round-trips bytes with restate.serde.binary", async () => {
    const input = new Uint8Array([0, 1, 2, 254, 255, 0x7b, 0x22]);
    const res = await call(env.ingressUrl, "Basics/reverseBytes", undefined, {
      rawBody: input,
      contentType: "application/octet-stream",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect([...res.bytes]).toEqual([...input].reverse());
  });

  it("rejects input that is not valid JSON with HTTP 400 and a readable message", async () => {
    const res = await call(env.ingressUrl, "Basics/greet", undefined, { rawBody: "{not json", contentType: "application/json" });
    expect(res.status).toBe(400);
    const body = res.json as { code: number; message: string };
    expect(body.code).toBe(400);
    expect(body.message.toLowerCase()).toMatch(/deserializ|json|parse/);
  });
});
