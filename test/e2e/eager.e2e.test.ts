// Eager runs in request-response mode against the real server, V6 and V7: N sequential runs in one attempt, the
// journal the server stores, the conditions under which the endpoint must still suspend, cancellation while an eager
// response streams, and an endpoint killed in the middle of a response.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { serve, type RunningServer } from "../../adapters/node/index.js";
import { cancelInvocation, invocationStatus, query, registerDeployment, waitFor } from "./support/admin.js";
import { attach, callOk, send } from "./support/ingress.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";
import { PROTOCOLS } from "./support/endpoint-under-test.js";
import { binPath, spawnEndpoint, type SpawnedEndpoint } from "./runtimes/support/spawn-endpoint.js";
import { FrameDecoder } from "../../src/protocol/frame.js";
import { decodeMessage } from "../../src/protocol/messages.js";
import { MessageType } from "../../src/protocol/message-types.js";

const STEPS = 20;
const handlers = {
  twenty: async (ctx: restate.Context) => {
    let sum = 0;
    for (let i = 1; i <= STEPS; i++) sum += await ctx.run(`step-${i}`, () => i);
    return sum;
  },
  thenSleep: async (ctx: restate.Context) => {
    const a = await ctx.run("a", () => "A");
    const b = await ctx.run("b", () => "B");
    await ctx.sleep(200);
    return a + b + (await ctx.run("c", () => "C"));
  },
  raceSleep: async (ctx: restate.Context) =>
    restate.RestatePromise.race([ctx.run("quick", () => "run"), ctx.sleep(30_000).map(() => "timer")]),
  allRuns: async (ctx: restate.Context) => restate.RestatePromise.all([ctx.run("x", () => 1), ctx.run("y", () => 2), ctx.run("z", () => 3)]),
  slowThenSleep: async (ctx: restate.Context) => {
    try {
      for (let i = 0; i < 8; i++) await ctx.run(`slow-${i}`, () => new Promise((r) => setTimeout(() => r(i), 100)));
      await ctx.sleep(30_000);
      return "slept";
    } catch (e) {
      if (!(e instanceof restate.CancelledError)) throw e;
      await ctx.run("compensate", () => "undone");
      throw new restate.TerminalError("cancelled after compensation", { errorCode: 409 });
    }
  },
};
const eager = restate.service({ name: "EagerSteps", options: { eagerRuns: true }, handlers });
// 20 runs of 30 ms against a 100 ms budget per attempt: the attempt suspends on purpose, the server resumes it.
const budgeted = restate.service({
  name: "BudgetedSteps",
  options: { eagerRuns: true, eagerRunsBudget: 100 },
  handlers: {
    slow: async (ctx: restate.Context) => {
      let sum = 0;
      for (let i = 1; i <= STEPS; i++) sum += await ctx.run(`slow-${i}`, () => new Promise<number>((r) => setTimeout(() => r(i), 30)));
      return sum;
    },
  },
});
const stock = restate.service({ name: "StockSteps", handlers });

describe.each(PROTOCOLS)("eager runs end to end (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let server: RestateServer;
  let endpoint: RunningServer;
  const requests = new Map<string, number>();
  const attempts: restate.AttemptInfo[] = [];
  const count = (path: string) => requests.get(path) ?? 0;

  beforeAll(async () => {
    server = await startRestateServer({ protocolV7: protocolVersion === 7 });
    const { fetch } = restate.endpoint().bind(eager).bind(stock).bind(budgeted).onAttemptEnd((a) => attempts.push(a)).handler();
    endpoint = await serve((request: Request) => {
      const p = new URL(request.url).pathname;
      requests.set(p, count(p) + 1);
      return fetch(request);
    });
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
  });
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), endpoint?.close()]);
  });

  async function journalOf(id: string) {
    return query(server.adminUrl, `SELECT entry_type, name FROM sys_journal WHERE id = '${id}' ORDER BY index`);
  }

  it(`a budget of 100 ms per attempt: ${STEPS} runs of 30 ms take several attempts, each suspending on purpose, and finish`, async () => {
    const id = await send(server.ingressUrl, "BudgetedSteps/slow");
    expect((await attach(server.ingressUrl, id)).json).toBe((STEPS * (STEPS + 1)) / 2);
    const mine = attempts.filter((a) => a.invocationId === id);
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.length).toBeLessThanOrEqual(STEPS);
    expect(mine.at(-1)!.reason).toBe("completed");
    for (const a of mine.slice(0, -1)) expect(a.reason).toBe("suspended: eager-runs budget of 100 ms spent");
    // Every run executed once: the stored journal has each run and its result once, in order.
    const journal = await journalOf(id);
    const runs = journal.filter((e) => e.entry_type === "Command: Run").map((e) => e.name);
    expect(runs).toEqual(Array.from({ length: STEPS }, (_, i) => `slow-${i + 1}`));
  }, 60_000);

  it(`runs ${STEPS} sequential steps in ONE attempt (the option off needs ${STEPS + 1}), storing each result after its run`, async () => {
    const before = count("/invoke/EagerSteps/twenty");
    const id = await send(server.ingressUrl, "EagerSteps/twenty");
    expect((await attach(server.ingressUrl, id)).json).toBe((STEPS * (STEPS + 1)) / 2);
    expect(count("/invoke/EagerSteps/twenty") - before).toBe(1);
    expect(attempts.find((a) => a.invocationId === id)).toMatchObject({ reason: "completed", eagerRuns: STEPS });
    const journal = await journalOf(id);
    expect(journal).toHaveLength(2 + 2 * STEPS);
    for (let i = 1; i <= STEPS; i++) {
      expect(journal[2 * i - 1]).toMatchObject({ entry_type: "Command: Run", name: `step-${i}` });
      expect(String(journal[2 * i]!.entry_type)).toMatch(/^Notification: Run/);
    }
    const stockBefore = count("/invoke/StockSteps/twenty");
    expect(await callOk(server.ingressUrl, "StockSteps/twenty")).toBe((STEPS * (STEPS + 1)) / 2);
    expect(count("/invoke/StockSteps/twenty") - stockBefore).toBe(STEPS + 1);
  });

  it("suspends at a sleep after eager runs and replays that journal correctly", async () => {
    const before = count("/invoke/EagerSteps/thenSleep");
    expect(await callOk(server.ingressUrl, "EagerSteps/thenSleep")).toBe("ABC");
    expect(count("/invoke/EagerSteps/thenSleep") - before).toBe(2);
  });

  it("does not go eager for a run racing a timer (the server decides the order)", async () => {
    const before = count("/invoke/EagerSteps/raceSleep");
    expect(await callOk(server.ingressUrl, "EagerSteps/raceSleep")).toBe("run");
    expect(count("/invoke/EagerSteps/raceSleep") - before).toBe(2);
  });

  it("resolves RestatePromise.all of runs in one attempt", async () => {
    const before = count("/invoke/EagerSteps/allRuns");
    expect(await callOk(server.ingressUrl, "EagerSteps/allRuns")).toEqual([1, 2, 3]);
    expect(count("/invoke/EagerSteps/allRuns") - before).toBe(1);
  });

  it("a cancellation arriving while an eager response streams ends the invocation cancelled, never in a journal mismatch", async () => {
    const id = await send(server.ingressUrl, "EagerSteps/slowThenSleep");
    await new Promise((r) => setTimeout(r, 350)); // a few slow runs into the streaming response
    await cancelInvocation(server.adminUrl, id);
    const res = await attach(server.ingressUrl, id);
    expect(res.status).toBe(409);
    expect(res.text).toContain("cancelled after compensation");
    const status = await invocationStatus(server.adminUrl, id);
    expect(status?.last_failure_error_code ?? null).not.toBe("RT0016");
    const journal = await journalOf(id);
    expect(journal.map((r) => r.name)).toContain("compensate");
  });
});

describe("an eager endpoint killed in the middle of a response (Bun child process)", () => {
  let server: RestateServer;
  let child: SpawnedEndpoint | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "perdure-eager-kill-"));
    server = await startRestateServer();
  });
  afterAll(async () => {
    await Promise.allSettled([child?.stop(), server?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (port: number) =>
    spawnEndpoint({
      command: binPath("bun"),
      args: ["--no-install", "run", "test/e2e/fixtures/eager-endpoint.ts"],
      env: { PORT: String(port), EXECUTIONS_FILE: path.join(dir, "executions.log") },
    });

  it("keeps the runs stored before the kill, re-executes only the interrupted one, and completes", async () => {
    child = await start(0);
    const port = child.port;
    await registerDeployment(server.adminUrl, child.url, { useHttp11: true });
    const log = () => readFileSync(path.join(dir, "executions.log"), "utf8").split("\n").filter(Boolean);
    const id = await send(server.ingressUrl, "Killable/abc");
    await waitFor(async () => (log().includes("b-started") ? true : undefined), 10_000, "closure b to start", 20);
    // Kill only once the server has stored a's result (its proposal is streamed as soon as it is written, but may
    // still be in flight when b starts); b is still running then.
    await waitFor(
      async () => {
        const rows = await query(server.adminUrl, `SELECT entry_type FROM sys_journal WHERE id = '${id}' ORDER BY index`);
        return rows.some((r) => String(r.entry_type).startsWith("Notification: Run")) ? true : undefined;
      },
      10_000,
      "a's result in the journal",
      20,
    );
    process.kill(child.pid, "SIGKILL");
    await child.stop();
    child = await start(port);
    const res = await attach(server.ingressUrl, id);
    expect(res.json).toBe("ABC");
    const executions = log();
    expect(executions.filter((l) => l === "a")).toHaveLength(1);
    expect(executions.filter((l) => l === "b")).toHaveLength(2);
    expect(executions.filter((l) => l === "c")).toHaveLength(1);
  });
});

describe.each(PROTOCOLS)("an eager response cut at several points (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let server: RestateServer;
  let endpoint: RunningServer;
  const executions = new Map<string, string[]>(); // invocation id → closure names, in execution order
  let nextCut: { key: string; limit: number } | undefined; // applied to the first attempt of the next invocation
  const cutOf = new Map<string, { key: string; limit: number }>(); // invocation id → its cut
  const firstResponse = new Map<string, Uint8Array>(); // test key → what the first attempt would have sent, whole

  const cut = restate.service({
    name: "Cut",
    options: { eagerRuns: true },
    handlers: {
      abc: async (ctx: restate.Context, key: string) => {
        const seen = (name: string) => () => {
          executions.set(key, [...(executions.get(key) ?? []), name]);
          return name.toUpperCase();
        };
        return (await ctx.run("a", seen("a"))) + (await ctx.run("b", seen("b"))) + (await ctx.run("c", seen("c")));
      },
    },
  });

  beforeAll(async () => {
    server = await startRestateServer({ protocolV7: protocolVersion === 7 });
    const { fetch } = restate.endpoint().bind(cut).handler();
    endpoint = await serve(async (request: Request) => {
      // The ingress headers are not on the endpoint's request; the invocation id is (one per invocation).
      const id = request.headers.get("x-restate-invocation-id");
      const response = await fetch(request);
      if (id === null || !new URL(request.url).pathname.endsWith("/invoke/Cut/abc") || cutOf.has(id) || !nextCut) return response;
      const { key, limit } = nextCut;
      nextCut = undefined;
      cutOf.set(id, { key, limit });
      // First attempt: send only `limit` bytes of the response, then break the connection.
      const whole = new Uint8Array(await response.arrayBuffer());
      firstResponse.set(key, whole);
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(whole.slice(0, limit));
          setTimeout(() => c.error(new Error("cut by the test")), 50);
        },
      });
      return new Response(body, { status: response.status, headers: response.headers });
    });
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
  });
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), endpoint?.close()]);
  });

  /** Runs whose ProposeRunCompletion frame lies entirely within the first `limit` bytes: stored, never re-executed. */
  function storedRuns(whole: Uint8Array, limit: number): Set<number> {
    const stored = new Set<number>();
    let offset = 0;
    const decoder = new FrameDecoder();
    for (const frame of decoder.push(whole)) {
      offset += 8 + frame.payload.length;
      const m = decodeMessage(frame);
      if (m.type === MessageType.ProposeRunCompletion && offset <= limit) stored.add((m.message as { resultCompletionId: number }).resultCompletionId);
    }
    return stored;
  }

  // Frames of the first response: Run a (8+6), Propose a (8+5), Run b, Propose b, Run c, Propose c, Output, End.
  for (const [label, limit] of [
    ["inside the first frame's header", 3],
    ["inside Run b's payload", 30],
    ["right after Propose b", 54],
    ["inside Propose c", 70],
  ] as const) {
    it(`cut ${label} (byte ${limit}): the retry sees a clean prefix and completes, re-running only unstored closures`, async () => {
      const key = `${label}-${protocolVersion}`;
      nextCut = { key, limit };
      expect(await callOk(server.ingressUrl, "Cut/abc", key)).toBe("ABC");
      const stored = storedRuns(firstResponse.get(key)!, limit);
      const ran = executions.get(key)!;
      for (const [id, name] of [[1, "a"], [2, "b"], [3, "c"]] as const) {
        expect(ran.filter((n) => n === name), `closure ${name}`).toHaveLength(stored.has(id) ? 1 : 2);
      }
    });
  }
});
