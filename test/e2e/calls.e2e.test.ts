// Calls between handlers: typed service/object/workflow clients, send clients with delay,
// genericCall/genericSend, rpc.opts/sendOpts (idempotency key, headers), ctx.attach, ctx.cancel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCallServices } from "./fixtures/calls.js";
import { invocationStatus, waitFor } from "./support/admin.js";
import { PROTOCOLS, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { callOk } from "./support/ingress.js";

type LogEntry = { entry: string; at: number };

describe.each(PROTOCOLS)("calls (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  const key = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion, services: makeCallServices });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("calls a service, an object and a workflow with typed clients", async () => {
    const k = key("all");
    expect(await callOk(env.ingressUrl, "Caller/callAll", { x: 7, key: k })).toEqual({ svc: 7, obj: 1, wf: 21 });
    expect((await callOk<LogEntry[]>(env.ingressUrl, `Journal/${k}/list`)).map((e) => e.entry)).toEqual(["called with 7"]);
  });

  it("exposes the callee's invocation id before the result", async () => {
    const res = await callOk<{ invocationId: string; calleeSawId: string }>(env.ingressUrl, "Caller/callInvocationId", 1);
    expect(res.invocationId).toMatch(/^inv_/);
    expect(res.calleeSawId).toBe(res.invocationId);
  });

  it("delivers a delayed send no earlier than its delay, after an immediate one", async () => {
    const k = key("delay");
    const delayMs = 1000;
    const res = await callOk<{ sentAt: number; delayedId: string }>(env.ingressUrl, "Caller/sendDelayed", { key: k, delayMs });
    expect(res.delayedId).toMatch(/^inv_/);
    const log = await waitFor(
      async () => {
        const entries = await callOk<LogEntry[]>(env.ingressUrl, `Journal/${k}/list`);
        return entries.length === 2 ? entries : undefined;
      },
      15_000,
      "the delayed send to arrive",
      50,
    );
    expect(log.map((e) => e.entry)).toEqual(["immediate", "delayed"]);
    expect(log[1]!.at - res.sentAt).toBeGreaterThanOrEqual(delayMs - 50);
    expect((await invocationStatus(env.adminUrl, res.delayedId))?.status).toBe("completed");
  });

  it("genericCall (serde and raw bytes) and genericSend with delay", async () => {
    const k = key("generic");
    expect(await callOk(env.ingressUrl, "Caller/generic", { x: 5, key: k })).toEqual({ typed: 5, raw: { raw: 5 }, recorded: 1 });
    expect((await callOk<LogEntry[]>(env.ingressUrl, `Journal/${k}/list`)).map((e) => e.entry)).toEqual(["generic send"]);
  });

  it("passes idempotency keys and headers with rpc.opts and rpc.sendOpts", async () => {
    expect(await callOk(env.ingressUrl, "Caller/withOpts", key("opts"))).toEqual({
      a: { header: expect.stringMatching(/^hdr-opts-.*-a$/), x: 1 },
      sameKeySameResult: true,
      otherKeyOtherResult: true,
      b: { header: expect.stringMatching(/^hdr-opts-.*-b$/), x: 3 },
      sendDeduplicated: true,
      sent: { x: 4, header: "from-send" },
    });
  });

  it("attaches to another invocation by id", async () => {
    const res = await callOk<{ id: string; result: string }>(env.ingressUrl, "Caller/attachOther", 200);
    expect(res.result).toBe("slept 200");
    expect((await invocationStatus(env.adminUrl, res.id))?.status).toBe("completed");
  });

  it("cancels another invocation with ctx.cancel; attaching sees a TerminalError 409", async () => {
    const res = await callOk<Record<string, unknown>>(env.ingressUrl, "Caller/cancelOther");
    // The official SDK reports the attached failure as a plain TerminalError (not CancelledError).
    expect(res).toMatchObject({ outcome: "failed", terminal: true, code: 409 });
    expect(String(res.message).toLowerCase()).toContain("cancel");
    const cancelled = await invocationStatus(env.adminUrl, res.id as string);
    expect(cancelled?.status).toBe("completed");
    expect(cancelled?.completion_result).toBe("failure");
  });
});
