// Workflows: run + shared handlers, durable promises (get/peek/resolve/reject), workflow clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkflowServices } from "./fixtures/workflows.js";
import { waitFor } from "./support/admin.js";
import { PROTOCOLS, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { attach, attachWorkflow, call, callOk, output, send } from "./support/ingress.js";

describe.each(PROTOCOLS)("workflows (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  const key = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    // This file serves through createEndpointHandler({ services }); the others use endpoint().bind().handler().
    env = await startEndpointUnderTest({ protocolVersion, services: makeWorkflowServices, via: "createEndpointHandler" });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const status = (k: string) => callOk<{ stage: string | null; peek: unknown; key: string }>(env.ingressUrl, `Signup/${k}/status`);

  it("run waits on a durable promise resolved by a shared handler; peek sees it", async () => {
    const k = key("approve");
    const id = await send(env.ingressUrl, `Signup/${k}/run`, { email: "ann@example.com" });
    await waitFor(async () => (await status(k)).stage === "waiting", 10_000, "workflow to wait for approval", 50);
    expect(await status(k)).toEqual({ stage: "waiting", peek: null, key: k });
    const pending = await output(env.ingressUrl, id);
    expect(pending.status).toBe(470); // "not ready": the run is still waiting

    expect(await callOk(env.ingressUrl, `Signup/${k}/approve`, "looks good")).toBe("ok");
    const result = await attachWorkflow(env.ingressUrl, "Signup", k);
    expect(result.status).toBe(200);
    expect(result.json).toBe("welcome ann@example.com (looks good)");
    expect((await attach(env.ingressUrl, id)).json).toBe("welcome ann@example.com (looks good)");
    expect((await output(env.ingressUrl, id)).json).toBe("welcome ann@example.com (looks good)");
    expect(await status(k)).toEqual({ stage: "approved", peek: "looks good", key: k });
  });

  it("a rejected durable promise surfaces as a TerminalError in run", async () => {
    const k = key("decline");
    await send(env.ingressUrl, `Signup/${k}/run`, { email: "bob@example.com" });
    await waitFor(async () => (await status(k)).stage === "waiting", 10_000, "workflow to wait for approval", 50);
    expect(await callOk(env.ingressUrl, `Signup/${k}/decline`, "not today")).toBe("ok");
    const result = await attachWorkflow(env.ingressUrl, "Signup", k);
    expect(result.json).toBe("declined bob@example.com: not today");
    expect(await status(k)).toEqual({ stage: "declined", peek: { rejected: "not today" }, key: k });
  });

  it("a promise resolved before run awaits it is delivered; a second resolve is refused", async () => {
    const k = key("early");
    expect(await callOk(env.ingressUrl, `Signup/${k}/approveTwice`, "early")).toMatchObject({ second: "refused", terminal: true });
    expect((await status(k)).peek).toBe("early");
    const res = await call(env.ingressUrl, `Signup/${k}/run`, { email: "cy@example.com" });
    expect(res.status).toBe(200);
    expect(res.json).toBe("welcome cy@example.com (early)");
  });

  it("runs a workflow only once per key", async () => {
    const k = key("once");
    const first = await call(env.ingressUrl, `Doubler/${k}/run`, 21);
    expect(first.json).toBe(42);
    const second = await call(env.ingressUrl, `Doubler/${k}/run`, 100);
    // The second submission does not run again: the server refuses it.
    expect(second.status).toBe(409);
    expect((second.json as { message: string }).message).toContain("already invoked");
    expect((await attachWorkflow(env.ingressUrl, "Doubler", k)).json).toBe(42);
    expect(await callOk(env.ingressUrl, `Doubler/${k}/result`)).toBe(42);
  });

  it("drives workflows from a service with workflow clients and send clients", async () => {
    const k = key("orch");
    const res = await callOk<{ invocationId: string; secondRun: unknown; output: string }>(
      env.ingressUrl,
      "WorkflowOrchestrator/approveFlow",
      k,
    );
    expect(res.invocationId).toMatch(/^inv_/);
    expect(res.secondRun).toEqual({ terminal: true, code: 409 });
    expect(res.output).toBe(`welcome ${k}@example.com (approved by orchestrator)`);
    expect(await callOk(env.ingressUrl, "WorkflowOrchestrator/double", { key: key("dbl"), n: 8 })).toEqual({
      output: 16,
      stored: 16,
    });
  });
});
