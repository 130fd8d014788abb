// Awakeables (resolved/rejected by a service or through the ingress) and RestatePromise
// combinators: all, race, any, allSettled, orTimeout (TimeoutError), map.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePromiseServices } from "./fixtures/promises.js";
import { waitFor } from "./support/admin.js";
import { PROTOCOLS, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { attach, callOk, rejectAwakeable, resolveAwakeable, send } from "./support/ingress.js";

describe.each(PROTOCOLS)("awakeables and combinators (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  const key = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion, services: makePromiseServices });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const awakeableIdOf = (mailboxKey: string) =>
    waitFor(() => callOk<string | null>(env.ingressUrl, `AwakeableMailbox/${mailboxKey}/get`), 10_000, "the awakeable id", 50);

  it("resolves an awakeable through the ingress", async () => {
    const k = key("ingress-ok");
    const id = await send(env.ingressUrl, "Awaiter/viaIngress", k);
    const awakeableId = await awakeableIdOf(k);
    expect(awakeableId).toMatch(/^sign_1/);
    await resolveAwakeable(env.ingressUrl, awakeableId, { greeting: "hi from outside" });
    expect((await attach(env.ingressUrl, id)).json).toEqual({ resolved: { greeting: "hi from outside" } });
  });

  it("rejects an awakeable through the ingress (TerminalError in the handler)", async () => {
    const k = key("ingress-no");
    const id = await send(env.ingressUrl, "Awaiter/viaIngress", k);
    await rejectAwakeable(env.ingressUrl, await awakeableIdOf(k), "rejected from outside");
    expect((await attach(env.ingressUrl, id)).json).toMatchObject({
      rejected: { terminal: true, timeout: false, message: "rejected from outside" },
    });
  });

  it("resolves an awakeable from another service", async () => {
    expect(await callOk(env.ingressUrl, "Awaiter/resolvedByService")).toEqual({ value: { n: 42 } });
  });

  it("rejects an awakeable from another service", async () => {
    expect(await callOk(env.ingressUrl, "Awaiter/rejectedByService")).toMatchObject({
      rejected: { terminal: true, message: "the sibling said no" },
    });
  });

  it("RestatePromise.all gathers run, sleep and awakeable results in order", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/all")).toEqual([1, 2, "three"]);
  });

  it("RestatePromise.all fails with the first failure", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/allWithFailure")).toMatchObject({
      failed: { terminal: true, message: "one failed" },
    });
  });

  it("RestatePromise.race settles with the first to complete", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/race")).toBe("fast");
  });

  it("RestatePromise.any skips failures and takes the first success", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/any")).toBe("second won");
  });

  it("RestatePromise.any rejects with every error when all fail", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/anyAllFail")).toEqual({ failed: true, errors: ["a failed", "b failed"] });
  });

  it("RestatePromise.allSettled reports each outcome", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/allSettled")).toEqual([
      { status: "fulfilled", value: "fine" },
      { status: "rejected", reason: "not fine" },
    ]);
  });

  it("orTimeout rejects with TimeoutError (a TerminalError, code 408)", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/orTimeoutFires")).toMatchObject({
      timedOut: { terminal: true, timeout: true, code: 408, name: "TimeoutError" },
    });
  });

  it("orTimeout passes the value through when in time", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/orTimeoutInTime")).toBe("in time");
  });

  it("map transforms values and failures", async () => {
    expect(await callOk(env.ingressUrl, "Combinators/map")).toEqual({ mapped: 20, recovered: "recovered from boom" });
  });
});
