// Named signals and invocation references on V6 and V7; scopes and limit keys on V7
// (with vqueues and scoped virtual objects switched on in the server).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSignalServices } from "./fixtures/signals.js";
import { invocationStatus, killInvocation, waitFor } from "./support/admin.js";
import { PROTOCOLS, sdkName, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { attach, callOk, resolveAwakeable, send } from "./support/ingress.js";

type Busy = { start: number; end: number };

describe.each(PROTOCOLS)("signals, invocation references, scopes (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  const key = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    env = await startEndpointUnderTest({
      protocolVersion,
      services: makeSignalServices,
      // Scoped virtual objects are a separate experimental switch in 1.7.12 (RT0017 without it).
      serverEnv: protocolVersion === 7 ? { RESTATE_EXPERIMENTAL_ENABLE_SCOPED_VIRTUAL_OBJECTS: "true" } : {},
    });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const publishedId = (mailbox: string) =>
    waitFor(() => callOk<string | null>(env.ingressUrl, `InvocationMailbox/${mailbox}/get`), 10_000, "the invocation id", 50);

  it("a named signal resolves the waiting invocation", async () => {
    const mailbox = key("sig-ok");
    const id = await send(env.ingressUrl, "SignalWaiter/waitFor", { mailbox, name: "approval" });
    expect(await publishedId(mailbox)).toBe(id);
    await callOk(env.ingressUrl, "Signaller/resolve", { target: id, name: "approval", value: { ok: true } });
    expect((await attach(env.ingressUrl, id)).json).toEqual({ value: { ok: true } });
  });

  it("a rejected named signal surfaces as a TerminalError", async () => {
    const mailbox = key("sig-no");
    const id = await send(env.ingressUrl, "SignalWaiter/waitFor", { mailbox, name: "approval" });
    await publishedId(mailbox);
    await callOk(env.ingressUrl, "Signaller/reject", { target: id, name: "approval", reason: "denied" });
    expect((await attach(env.ingressUrl, id)).json).toEqual({ rejected: "denied", terminal: true });
  });

  it("a signal sent before the invocation waits for it is kept until it does", async () => {
    const mailbox = key("sig-early");
    const id = await send(env.ingressUrl, "SignalWaiter/waitFor", { mailbox, name: "early", gate: true });
    const gateId = await publishedId(`gate:${mailbox}`);
    await callOk(env.ingressUrl, "Signaller/resolve", { target: id, name: "early", value: "was waiting" });
    await resolveAwakeable(env.ingressUrl, gateId, null); // only now does the handler start waiting
    expect((await attach(env.ingressUrl, id)).json).toEqual({ value: "was waiting" });
  });

  it("signals are matched by name, whatever their arrival order", async () => {
    const mailbox = key("sig-two");
    const id = await send(env.ingressUrl, "SignalWaiter/waitForTwo", mailbox);
    await publishedId(mailbox);
    await callOk(env.ingressUrl, "Signaller/resolve", { target: id, name: "right", value: "R" });
    await callOk(env.ingressUrl, "Signaller/resolve", { target: id, name: "left", value: "L" });
    expect((await attach(env.ingressUrl, id)).json).toEqual(["L", "R"]);
  });

  it("ctx.invocation(id) attaches to one invocation and cancels another", async () => {
    const res = await callOk<{ echoed: number; cancelled: unknown; sleeperId: string }>(env.ingressUrl, "Signaller/handles");
    expect(res.echoed).toBe(11);
    expect(res.cancelled).toEqual({ outcome: "failed", terminal: true, code: 409 });
    expect((await invocationStatus(env.adminUrl, res.sleeperId))?.completion_result).toBe("failure");
  });

  // perdure names the missing protocol version instead of sending fields a V6 server would not understand.
  it.runIf(protocolVersion === 6 && sdkName === "perdure")("a scoped call on a V6 server fails the attempt with 573 and says how to enable V7", async () => {
    const id = await send(env.ingressUrl, "Signaller/scopedCall", { scope: "tenant-1", x: 1 });
    const status = await waitFor(async () => {
      const s = await invocationStatus(env.adminUrl, id);
      return s?.last_failure ? s : undefined;
    }, 10_000, "the scoped call's failure", 50);
    expect(status.last_failure).toMatch(/573/);
    expect(status.last_failure).toMatch(/needs service protocol V7.*RESTATE_EXPERIMENTAL_ENABLE_PROTOCOL_V7=true/);
    await killInvocation(env.adminUrl, id);
  });

  describe.runIf(protocolVersion === 7)("scopes and limit keys", () => {
    it("ctx.scope(...).serviceClient with a limit key reaches the callee with both", async () => {
      const res = await callOk<{ x: number; scope: string; limitKey: string; id: string }>(env.ingressUrl, "Signaller/scopedCall", {
        scope: "tenant-1",
        limitKey: "tenant-1/user42",
        x: 1,
      });
      expect(res).toMatchObject({ x: 1, scope: "tenant-1", limitKey: "tenant-1/user42" });
      const status = await invocationStatus(env.adminUrl, res.id);
      expect(status).toMatchObject({ scope: "tenant-1", limit_key: "tenant-1/user42" });
    });

    it("a scope without a limit key", async () => {
      expect(await callOk(env.ingressUrl, "Signaller/scopedCall", { scope: "tenant-2", x: 2 })).toMatchObject({
        x: 2,
        scope: "tenant-2",
        limitKey: null,
      });
    });

    it("genericCall and genericSend carry scope and limit key", async () => {
      expect(await callOk(env.ingressUrl, "Signaller/scopedGeneric", { scope: "tenant-g", limitKey: "lk-1", x: 5 })).toMatchObject({
        called: { x: 5, scope: "tenant-g", limitKey: "lk-1" },
        sent: { x: 6, scope: "tenant-g", limitKey: "lk-1" },
      });
    });

    it("idempotency keys are per scope", async () => {
      expect(
        await callOk(env.ingressUrl, "Signaller/scopedIdempotency", { scopes: [key("sa"), key("sb")], key: key("idem") }),
      ).toEqual({ sameScopeSameInvocation: true, otherScopeOtherInvocation: true });
    });

    it("virtual object state is per scope", async () => {
      const [s1, s2] = [key("s1"), key("s2")];
      expect(await callOk(env.ingressUrl, "Signaller/scopedObjects", { scopes: [s1, s2], key: "shared-key" })).toEqual({
        inS1: { n: 2, scope: s1 },
        inS2: { n: 1, scope: s2 },
        unscoped: { n: 1, scope: null },
      });
    });

    it("a concurrency limit on scope/limit key serializes the calls", async () => {
      const scope = key("lim");
      const res = await fetch(`${env.adminUrl}/limits/rules`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([{ pattern: `${scope}/*`, limits: { concurrency: 1 } }]),
      });
      expect(res.status).toBe(200);
      // The worker reloads rules periodically (rule-book-poll-interval, 500 ms in our config): retry until it applies.
      const runs = await waitFor(
        async () => {
          const pair = await callOk<[Busy, Busy]>(env.ingressUrl, "Signaller/twoBusy", { scope, limitKey: "user-1", ms: 300 });
          const [first, second] = [...pair].sort((a, b) => a.start - b.start) as [Busy, Busy];
          return second.start >= first.end ? pair : undefined;
        },
        15_000,
        "the limit rule to serialize two busy calls",
        0,
      );
      expect(runs).toHaveLength(2);
    });
  });
});
