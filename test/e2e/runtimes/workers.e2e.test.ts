// perdure on Cloudflare Workers' runtime (workerd), offline: the fixture Worker (the shared scenario set of scenarios/
// plus a Platform service) is bundled with esbuild and served by the workerd binary from node_modules
// (request-response over HTTP/1.1, registered with use_http_11: true), against one real restate-server on protocol
// V6. See fixtures/workers-runtime.ts for how workerd is started.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as cloudflare from "../../../adapters/cloudflare/index.js";
import { invocationStatus, query, registerDeployment, waitFor } from "../support/admin.js";
import { attach, callOk, resolveAwakeable, send } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { defineScenarioCases, type ScenarioEnv } from "./scenarios/cases.js";
import { GREET_SLEEP_MS } from "./scenarios/services.js";
import { bundleWorker, makeTempDir, repoRoot, startWorkerd } from "./fixtures/workers-runtime.js";
import { Processes } from "./support/processes.js";

const fixture = (name: string) => path.join(repoRoot, "test", "e2e", "runtimes", "fixtures", name);
const BINDINGS = { GREETING: "Hello from a workerd binding", TENANT: "acme" };
// Timestamps from three processes (this one, workerd, restate-server), each read at millisecond granularity and
// truncated its own way: comparisons across processes were seen to disagree by 1 ms.
const CLOCK_SLACK_MS = 5;

interface JournalRow {
  index: number;
  entry_type: string;
  entry_json: string;
  appended_at: string;
}

describe("Cloudflare Workers (workerd), request-response over HTTP/1.1, protocol V6", () => {
  const processes = new Processes();
  let tmp: string | undefined;
  let server: RestateServer;
  let cell: ScenarioEnv | undefined;

  beforeAll(async () => {
    tmp = makeTempDir("perdure-workers-");
    const bundled = bundleWorker(fixture("workers-endpoint.ts"), tmp);
    const [rs, worker] = await processes.startAll([
      startRestateServer(),
      bundled.then((bundle) => startWorkerd({ bundle, bindings: BINDINGS })),
    ]);
    server = rs;
    const { id } = await registerDeployment(server.adminUrl, worker.url, { useHttp11: true });
    cell = { ingressUrl: server.ingressUrl, adminUrl: server.adminUrl, deploymentId: id };
  });

  afterAll(async () => {
    await processes.stopAll();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

  async function journal(id: string): Promise<JournalRow[]> {
    const rows = await query(server.adminUrl, `SELECT index, entry_type, entry_json, appended_at FROM sys_journal WHERE id = '${id}' ORDER BY index`);
    return rows as unknown as JournalRow[];
  }

  describe("the shared scenario set", () => {
    defineScenarioCases(() => cell!, {
      prefix: "",
      mode: "request-response",
      httpVersion: "HTTP/1.1",
      runtime: "workerd",
      extraArgs: 2, // env and ExecutionContext
      countsRequests: false,
    });
  });

  it("greeter: the durable sleep's wake-up time is absolute and taken when the handler sleeps", async () => {
    const sent = Date.now();
    const id = await send(server.ingressUrl, "Greeter/greet", "Ada");
    const res = await attach(server.ingressUrl, id);
    expect(res.status).toBe(200);
    expect(res.json).toBe("Hello, ADA!");
    expect(Date.now() - sent).toBeGreaterThanOrEqual(GREET_SLEEP_MS);

    // workerd's Date.now() only moves on I/O; the endpoint reads it when the handler calls ctx.sleep, which comes
    // after the request body was read, so the wake-up time lies between "sent" and the Sleep command's append.
    const entries = await journal(id);
    expect(entries.map((e) => e.entry_type)).toEqual([
      "Command: Input",
      "Command: Run",
      "Notification: Run",
      "Command: Sleep",
      "Notification: Sleep",
      "Command: Output",
    ]);
    const sleep = entries[3]!;
    const wakeUp = (JSON.parse(sleep.entry_json) as { Command: { Sleep: { wake_up_time: number } } }).Command.Sleep.wake_up_time;
    const sleptFrom = wakeUp - GREET_SLEEP_MS;
    expect(sleptFrom).toBeGreaterThanOrEqual(sent - CLOCK_SLACK_MS);
    expect(sleptFrom).toBeLessThanOrEqual(Date.parse(sleep.appended_at) + CLOCK_SLACK_MS);
    expect(Date.parse(entries[4]!.appended_at)).toBeGreaterThanOrEqual(wakeUp - CLOCK_SLACK_MS);
  });

  it("greeter: Date.now() journaled after the sleep is at least the sleep later than before it", async () => {
    const sleepMs = 500;
    const { before, after } = await callOk<{ before: number; after: number }>(server.ingressUrl, "Platform/clock", sleepMs);
    expect(after - before).toBeGreaterThanOrEqual(sleepMs - CLOCK_SLACK_MS);
  });

  it("awakeable: while it waits, no Worker request stays open (the attempt ends in a suspension)", async () => {
    const box = unique("box");
    const id = await send(server.ingressUrl, "Flows/waitForAwakeable", box);
    const awakeableId = await waitFor(() => callOk<string | null>(server.ingressUrl, `Mailbox/${box}/get`), 10_000, "awakeable id", 50);
    await waitFor(async () => (await invocationStatus(server.adminUrl, id))?.status === "suspended", 10_000, "suspension", 50);
    await resolveAwakeable(server.ingressUrl, awakeableId, "from the ingress");
    const res = await attach(server.ingressUrl, id);
    expect(res.status).toBe(200);
    expect(res.json).toBe("got from the ingress");
  });

  it("runs many invocations at once in one isolate (no I/O crosses requests)", async () => {
    const names = Array.from({ length: 12 }, () => unique("many"));
    const results = await Promise.all(
      names.map((name) => callOk<{ greeting: string }>(server.ingressUrl, "Flows/greetAndCount", name)),
    );
    expect(results.map((r) => r.greeting)).toEqual(names.map((n) => `Hello, ${n.toUpperCase()}!`));
  });

  it("a handler reads the Worker's env and ExecutionContext through the adapter", async () => {
    const seen = await callOk<Record<string, unknown>>(server.ingressUrl, "Platform/env");
    const again = await callOk<Record<string, number>>(server.ingressUrl, "Platform/env");
    // The first call's waitUntil work ran in the isolate before the second call read the counter.
    expect(again.backgroundRunsBefore).toBeGreaterThan(seen.backgroundRunsBefore as number);
    expect(seen).toMatchObject({
      greeting: BINDINGS.GREETING,
      tenant: BINDINGS.TENANT,
      bindingNames: ["GREETING", "TENANT"],
      waitUntil: "function",
      passThroughOnException: "function",
      extraArgs: 2,
    });
  });
});

describe("Cloudflare Workers adapter refusals", () => {
  it("a Worker that enables the bidirectional mode fails at startup in workerd, with the reason", async () => {
    const tmp = makeTempDir("perdure-workers-bidi-");
    try {
      const bundle = await bundleWorker(fixture("workers-bidirectional.ts"), tmp);
      // If it did start (a regression), stop it before failing.
      const outcome = await startWorkerd({ bundle }).then(
        async (running) => {
          await running.stop();
          return new Error("workerd started the Worker");
        },
        (err: unknown) => err as Error,
      );
      expect(outcome.message).toMatch(/exited during startup/);
      expect(outcome.message).toMatch(/bidirectional mode is not available on Cloudflare Workers/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("refuses bidirectional: true in createEndpointHandler, accepts bidirectional(false)", () => {
    const svc = cloudflare.service({ name: "S", handlers: { h: async () => "ok" } });
    expect(() => cloudflare.createEndpointHandler({ services: [svc], bidirectional: true })).toThrow(/workerd serves HTTP\/1\.1 only/);
    expect(() => cloudflare.endpoint().bind(svc).bidirectional()).toThrow(/use_http_11: true/);
    expect(typeof cloudflare.endpoint().bind(svc).bidirectional(false).handler().fetch).toBe("function");
    expect(typeof cloudflare.createEndpointHandler({ services: [svc] })).toBe("function");
  });

  it("workerEnv and executionContext throw a clear error outside Workers", () => {
    const onNode = { request: () => ({ extraArgs: [] as unknown[] }) };
    expect(() => cloudflare.workerEnv(onNode)).toThrow(/workerEnv\(ctx\): no Cloudflare Workers env .* fetch\(request, env, ctx\)/);
    expect(() => cloudflare.executionContext(onNode)).toThrow(/executionContext\(ctx\): no Cloudflare Workers ExecutionContext/);
    const envWithoutCtx = { request: () => ({ extraArgs: [{ A: "1" }] as unknown[] }) };
    expect(() => cloudflare.workerEnv(envWithoutCtx)).toThrow(/holds 1 value\(s\)/);
    const executionCtx = { waitUntil: () => {}, passThroughOnException: () => {} };
    const onWorkers = { request: () => ({ extraArgs: [{ A: "1" }, executionCtx] as unknown[] }) };
    expect(cloudflare.workerEnv<{ A: string }>(onWorkers).A).toBe("1");
    expect(cloudflare.executionContext(onWorkers)).toBe(executionCtx);
  });
});
