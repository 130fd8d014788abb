// Determinism: ctx.rand and ctx.date replay identically; a handler whose commands change
// between attempts is reported by the server as a journal mismatch (error 570, RT0016).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDeterminismServices } from "./fixtures/determinism.js";
import { invocationStatus, journalEvents, killInvocation, waitFor } from "./support/admin.js";
import { PROTOCOLS, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { callOk, send } from "./support/ingress.js";

type Draw = { r: number; u: string; d: number; j?: string };
type Stable = { before: Draw; after: Draw; journaledBefore: Draw; journaledAfter: Draw; executions: number };

describe.each(PROTOCOLS)("determinism (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;

  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion, services: makeDeterminismServices });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("ctx.rand and ctx.date give the same values on every replay", async () => {
    const res = await callOk<Stable>(env.ingressUrl, "Determinism/stable");
    // Request-response mode: each ctx.run and the sleep end an attempt, so the body ran several times.
    expect(res.executions).toBeGreaterThanOrEqual(2);
    expect(res.before).toEqual(res.journaledBefore);
    expect(res.after).toEqual(res.journaledAfter);

    expect(res.before.r).toBeGreaterThanOrEqual(0);
    expect(res.before.r).toBeLessThan(1);
    expect(res.before.u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.after.r).not.toBe(res.before.r);
    expect(res.after.u).not.toBe(res.before.u);
    expect(res.after.d - res.before.d).toBeGreaterThanOrEqual(50);
    expect(new Date(res.before.j!).getTime()).toBeGreaterThanOrEqual(res.before.d);
    expect(Math.abs(res.before.d - Date.now())).toBeLessThan(60_000);
  });

  it("seeds ctx.rand per invocation", async () => {
    const [a, b] = await Promise.all([
      callOk<Stable>(env.ingressUrl, "Determinism/stable"),
      callOk<Stable>(env.ingressUrl, "Determinism/stable"),
    ]);
    expect(a.before.r).not.toBe(b.before.r);
    expect(a.before.u).not.toBe(b.before.u);
  });

  it("reports a non-deterministic handler as a journal mismatch (570 / RT0016)", async () => {
    const id = await send(env.ingressUrl, "Determinism/nonDeterministic");
    try {
      const status = await waitFor(
        async () => {
          const s = await invocationStatus(env.adminUrl, id);
          return s?.last_failure_error_code ? s : undefined;
        },
        20_000,
        "the server to record the attempt failure",
        100,
      );
      // 1.7.12 stores the documentation code in sys_invocation and the protocol code in the message
      // ("[570 Journal mismatch] ...") and in sys_journal_events (error_code 570).
      expect(status.status).not.toBe("completed");
      expect(status.last_failure_error_code).toBe("RT0016");
      expect(status.last_failure).toMatch(/^\[570 Journal mismatch\]/);
      expect(Number(status.last_failure_related_command_index)).toBe(1);
      const events = await journalEvents(env.adminUrl, id);
      expect(events.length).toBeGreaterThan(0);
      expect(events[0]).toMatchObject({
        event_type: "TransientError",
        event: { error_code: 570, restate_doc_error_code: "RT0016", related_command_index: 1 },
      });
    } finally {
      await killInvocation(env.adminUrl, id);
    }
  });
});
