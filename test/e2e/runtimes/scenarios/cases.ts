// The shared scenario tests (vitest `it` blocks) for one runtime cell: one deployment of scenarios/services.ts on one
// restate-server. Each runtime file calls defineScenarioCases once per cell, inside its own describe.
import { expect, it } from "vitest";
import { cancelInvocation, deploymentInfo, invocationStatus, journalEvents, waitFor } from "../../support/admin.js";
import { attach, attachWorkflow, call, callOk, resolveAwakeable, send } from "../../support/ingress.js";
import { FLAKY_FAILURES } from "./services.js";

/** Read once the suite's beforeAll has run. */
export interface ScenarioEnv {
  ingressUrl: string;
  adminUrl: string;
  /** The id the admin API gave this cell's deployment. */
  deploymentId: string;
  /** Requests the endpoint received on `path`, counted inside the endpoint. Required when `cell.countsRequests`. */
  requestCount?: (path: string) => Promise<number>;
}

/** What the cell claims to be; known when the tests are defined. */
export interface ScenarioCell {
  /** Service name prefix of this deployment (several deployments share one server). */
  prefix: string;
  mode: "request-response" | "bidirectional";
  /** As restate-server reports the deployment's transport: "HTTP/1.1" or "HTTP/2.0", or a Lambda ARN (no HTTP). */
  httpVersion: "HTTP/1.1" | "HTTP/2.0" | "Lambda";
  /** Expected start of the runtime name the handler reports, e.g. "bun ", "deno ", "workerd", "node ". */
  runtime: string;
  /** How many extra arguments the platform passes to fetch (they reach handlers as ctx.request().extraArgs). */
  extraArgs: number;
  /** The endpoint counts its requests (env.requestCount). */
  countsRequests: boolean;
}

const unique = (what: string) => `${what}-${Math.random().toString(36).slice(2, 10)}`;

export function defineScenarioCases(getEnv: () => ScenarioEnv, cell: ScenarioCell): void {
  const p = cell.prefix;
  const protocolType = cell.mode === "bidirectional" ? "BidiStream" : "RequestResponse";

  it(`is registered as ${protocolType} over ${cell.httpVersion}`, async () => {
    const { adminUrl, deploymentId } = getEnv();
    const info = await deploymentInfo(adminUrl, deploymentId);
    // A Lambda deployment has an ARN instead of a URI, and always runs request-response.
    if (cell.httpVersion === "Lambda") expect({ arn: info.arn, protocol_type: info.protocol_type }).toEqual({ arn: expect.stringMatching(/^arn:aws:lambda:/), protocol_type: undefined });
    else expect({ protocol_type: info.protocol_type, http_version: info.http_version }).toEqual({
      protocol_type: protocolType,
      http_version: cell.httpVersion,
    });
    expect(info.sdk_version).toMatch(/^perdure\//);
  });

  it(`runs on ${cell.runtime.trim()}, which passes ${cell.extraArgs} extra fetch argument(s) on`, async () => {
    const where = await callOk<{ runtime: string; extraArgs: number }>(getEnv().ingressUrl, `${p}Flows/whereAmI`);
    expect(where.runtime.startsWith(cell.runtime), where.runtime).toBe(true);
    expect(where.extraArgs).toBe(cell.extraArgs);
  });

  it("greeter: ctx.run and a durable ctx.sleep", async () => {
    const { ingressUrl, adminUrl } = getEnv();
    const id = await send(ingressUrl, `${p}Greeter/greet`, "ada");
    const res = await attach(ingressUrl, id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toBe("Hello, ADA!");
    expect((await invocationStatus(adminUrl, id))?.pinned_service_protocol_version).toBe(6);
  });

  it("object: an exclusive handler keeps state, a shared handler reads it", async () => {
    const { ingressUrl } = getEnv();
    const key = unique("k");
    expect(await callOk(ingressUrl, `${p}Counter/${key}/add`, 2)).toBe(2);
    expect(await callOk(ingressUrl, `${p}Counter/${key}/add`, 5)).toBe(7);
    expect(await callOk(ingressUrl, `${p}Counter/${key}/get`)).toBe(7);
    expect(await callOk(ingressUrl, `${p}Counter/${unique("other")}/get`)).toBe(0);
  });

  it("workflow: the run waits on a durable promise that a shared handler resolves", async () => {
    const { ingressUrl } = getEnv();
    const key = unique("wf");
    await send(ingressUrl, `${p}Approval/${key}/run`, "order-7");
    // The run has stored its stage and is parked on the promise before anyone resolves it.
    await waitFor(async () => (await callOk<string | null>(ingressUrl, `${p}Approval/${key}/stage`)) === "waiting", 10_000, "the run to wait", 50);
    expect(await callOk(ingressUrl, `${p}Approval/${key}/decide`, "approved")).toBe("noted");
    const res = await attachWorkflow(ingressUrl, `${p}Approval`, key);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toBe("order-7: approved");
    expect(await callOk(ingressUrl, `${p}Approval/${key}/stage`)).toBe("decided");
  });

  it(`ctx.run: a step that fails ${FLAKY_FAILURES} times is retried and then succeeds`, async () => {
    const { ingressUrl, adminUrl } = getEnv();
    const key = unique("flaky");
    const id = await send(ingressUrl, `${p}Flows/flaky`, key);
    const res = await attach(ingressUrl, id);
    expect(res.status, res.text).toBe(200);
    // The journaled result is the third execution's; the closure was not run again when the journal was replayed.
    expect(res.json).toEqual({ executions: FLAKY_FAILURES + 1, executionsAfterward: FLAKY_FAILURES + 1 });
    // The server recorded each failed attempt durably (journal events are retained with the journal).
    const failures = (await journalEvents(adminUrl, id)).filter((e) => e.event_type === "TransientError");
    expect(failures.map((e) => [e.event.related_command_name, e.event.error_message])).toEqual(
      Array.from({ length: FLAKY_FAILURES }, (_, i) => ["flaky step", expect.stringContaining(`flaky failure ${i + 1} of ${key}`)]),
    );
    expect((await invocationStatus(adminUrl, id))?.completion_result).toBe("success");
  });

  it("calls between services: a service call, a one-way send and an object call", async () => {
    const { ingressUrl } = getEnv();
    const name = unique("n");
    const result = await callOk<{ greeting: string; count: number }>(ingressUrl, `${p}Flows/greetAndCount`, name);
    expect(result.greeting).toBe(`Hello, ${name.toUpperCase()}!`);
    // The send (+10) and the call (+1) target the same key; whichever runs first, both land.
    expect([1, 11]).toContain(result.count);
    await waitFor(async () => (await callOk<number>(ingressUrl, `${p}Counter/calls-${name}/get`)) === 11, 10_000, "both adds", 50);
  });

  it("awakeable: the handler waits until the ingress resolves it", async () => {
    const { ingressUrl } = getEnv();
    const box = unique("box");
    const id = await send(ingressUrl, `${p}Flows/waitForAwakeable`, box);
    const awakeableId = await waitFor(() => callOk<string | null>(ingressUrl, `${p}Mailbox/${box}/get`), 10_000, "awakeable id", 50);
    await resolveAwakeable(ingressUrl, awakeableId, "hello");
    const res = await attach(ingressUrl, id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toBe("got hello");
  });

  it("cancellation through the admin API runs the saga's compensations and ends in 409", async () => {
    const { ingressUrl, adminUrl } = getEnv();
    const tripId = unique("trip");
    const id = await send(ingressUrl, `${p}Trip/book`, tripId);
    await waitFor(() => callOk<string | null>(ingressUrl, `${p}Mailbox/${tripId}/get`), 10_000, "both reservations", 50);
    await cancelInvocation(adminUrl, id);
    const res = await attach(ingressUrl, id);
    expect(res.status, res.text).toBe(409);
    expect(await callOk(ingressUrl, `${p}Ledger/${tripId}/entries`)).toEqual([
      `reserved flight-${tripId}`,
      `reserved car-${tripId}`,
      `released car-${tripId}`,
      `released flight-${tripId}`,
    ]);
    expect((await invocationStatus(adminUrl, id))?.completion_result).toBe("failure");
  });

  it("guardrail: ctx.sleep inside a ctx.run closure fails at once, naming the operation, the run and the fix", async () => {
    const res = await call(getEnv().ingressUrl, `${p}Guardrails/sleepInsideRun`);
    expect(res.status, res.text).toBe(500);
    expect(res.text).toContain("ctx.sleep(");
    expect(res.text).toContain("inside the ctx.run('nap inside') closure");
    expect(res.text).toContain("move it out of the closure");
  });

  it("guardrail: a BigInt in a run result names the run and the path inside the value", async () => {
    const res = await call(getEnv().ingressUrl, `${p}Guardrails/bigIntResult`);
    expect(res.status, res.text).toBe(500);
    expect(res.text).toContain("ctx.run('big') result at $.items[0].total");
    expect(res.text).toMatch(/BigInt/);
  });

  if (cell.countsRequests) {
    // Bidirectional: every run is acknowledged on the open stream, so the whole handler takes one request.
    // Request-response: the endpoint ends the request to get a run journaled, so the handler takes more.
    const expected = cell.mode === "bidirectional" ? "exactly one request" : "more than one request";
    it(`three ctx.run steps complete in ${expected} (counted inside the endpoint)`, async () => {
      const { ingressUrl, requestCount } = getEnv();
      if (!requestCount) throw new Error("this cell counts requests but gave no requestCount");
      const path = `/invoke/${p}Flows/threeSteps`;
      const before = await requestCount(path);
      expect(await callOk(ingressUrl, `${p}Flows/threeSteps`, 4)).toBe("10!");
      const requests = (await requestCount(path)) - before;
      if (cell.mode === "bidirectional") expect(requests).toBe(1);
      else expect(requests).toBeGreaterThan(1);
    });
  }
}
