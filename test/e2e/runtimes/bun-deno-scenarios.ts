// The shared scenario tests for endpoints running in a child process on a real runtime (Bun, Deno). The services
// are in fixtures/bun-deno-services.ts; each deployment uses its own name prefix so several fit on one server.
import { execFile } from "node:child_process";
import { expect, it } from "vitest";
import { deploymentInfo, waitFor } from "../support/admin.js";
import { attach, callOk, resolveAwakeable, send } from "../support/ingress.js";
import type { RestateServer } from "../support/restate-server.js";
import { REQUEST_COUNTS_PATH } from "./fixtures/bun-deno-services.js";
import { repoRoot } from "./support/spawn-endpoint.js";

export interface Deployed {
  server: RestateServer;
  /** Base URL of the child endpoint (for its request counter). */
  endpointUrl: string;
  deploymentId: string;
}

export interface ScenarioOptions {
  prefix: string;
  /** As the admin API reports it (`protocol_type`). */
  protocolType: "RequestResponse" | "BidiStream";
  /** What restate-server reports for the deployment, e.g. "HTTP/1.1" or "HTTP/2.0". */
  httpVersion: string;
  /** Expected start of `whereAmI().runtime`, e.g. "bun 1." */
  runtime: string;
  /** The endpoint counts its requests (fixtures/bun-deno-services.ts countingRequests). */
  countsRequests: boolean;
  /** Bidirectional only: check that a stream silent for 15 s survives (it costs 15 s). */
  longSilence?: boolean;
}


async function requestCount(endpointUrl: string, path: string): Promise<number> {
  const res = await fetch(`${endpointUrl}${REQUEST_COUNTS_PATH}`);
  if (!res.ok) throw new Error(`request counter answered ${res.status}`);
  return ((await res.json()) as Record<string, number>)[path] ?? 0;
}

const unique = (what: string) => `${what}-${Math.random().toString(36).slice(2, 10)}`;

/** Registers the `it` cases of the shared scenario set; `get()` is read once the suite's beforeAll has run. */
export function scenarioTests(get: () => Deployed, opts: ScenarioOptions): void {
  const p = opts.prefix;

  it(`is registered as ${opts.protocolType} over ${opts.httpVersion}`, async () => {
    const { server, deploymentId } = get();
    const info = await deploymentInfo(server.adminUrl, deploymentId);
    expect(info.protocol_type).toBe(opts.protocolType);
    expect(info.http_version).toBe(opts.httpVersion);
  });

  it("runs on the real runtime, which passes its extra fetch arguments on", async () => {
    const where = await callOk<{ runtime: string; extraArgs: number }>(get().server.ingressUrl, `${p}Flows/whereAmI`);
    expect(where.runtime.startsWith(opts.runtime)).toBe(true);
    // Bun.serve passes the server, Deno.serve the connection info; the plain `Bun.serve({ ...handler })` too.
    expect(where.extraArgs).toBe(1);
  });

  it("greets with ctx.run and ctx.sleep", async () => {
    expect(await callOk(get().server.ingressUrl, `${p}Greeter/greet`, "ada")).toBe("Hello, ADA!");
  });

  it("keeps state in a virtual object", async () => {
    const { ingressUrl } = get().server;
    const key = unique("k");
    expect(await callOk(ingressUrl, `${p}Counter/${key}/add`, 2)).toBe(2);
    expect(await callOk(ingressUrl, `${p}Counter/${key}/add`, 5)).toBe(7);
    expect(await callOk(ingressUrl, `${p}Counter/${key}/get`)).toBe(7);
  });

  it("calls another service and an object", async () => {
    const { ingressUrl } = get().server;
    const name = unique("n");
    expect(await callOk(ingressUrl, `${p}Flows/greetAndCount`, name)).toBe(`Hello, ${name.toUpperCase()}! #1`);
    expect(await callOk(ingressUrl, `${p}Flows/greetAndCount`, name)).toBe(`Hello, ${name.toUpperCase()}! #2`);
  });

  it("waits for an awakeable resolved through the ingress", async () => {
    const { ingressUrl } = get().server;
    const box = unique("box");
    const id = await send(ingressUrl, `${p}Flows/waitForAwakeable`, box);
    const awakeableId = await waitFor(() => callOk<string | null>(ingressUrl, `${p}Mailbox/${box}/get`), 10_000, "awakeable id", 50);
    await resolveAwakeable(ingressUrl, awakeableId, "hello");
    expect((await attach(ingressUrl, id)).json).toBe("got hello");
  });

  if (opts.countsRequests) {
    // Bidirectional: every run is acknowledged on the open stream, so the whole handler takes one request.
    // Request-response: the endpoint must end the request to get its run results journaled, so it takes more.
    const expected = opts.protocolType === "BidiStream" ? "one request" : "more than one request";
    it(`completes three ctx.run steps in ${expected}`, async () => {
      const { server, endpointUrl } = get();
      const path = `/invoke/${p}Flows/threeSteps`;
      const before = await requestCount(endpointUrl, path);
      expect(await callOk(server.ingressUrl, `${p}Flows/threeSteps`, 4)).toBe("10!");
      const requests = (await requestCount(endpointUrl, path)) - before;
      if (opts.protocolType === "BidiStream") expect(requests).toBe(1);
      else expect(requests).toBeGreaterThan(1);
    });
  }

  if (opts.longSilence) {
    // The server keeps the stream open while the timer runs (its inactivity timeout is 60 s) and sends the
    // completion on it. A runtime that closes silent connections (Bun's default is after 10 s) cuts the stream,
    // and the server has to retry: more than one request.
    it("keeps a stream with 15 s of silence open: one request", { timeout: 30_000 }, async () => {
      const { server, endpointUrl } = get();
      const path = `/invoke/${p}Flows/longNap`;
      const before = await requestCount(endpointUrl, path);
      expect(await callOk(server.ingressUrl, `${p}Flows/longNap`)).toBe("rested");
      expect((await requestCount(endpointUrl, path)) - before).toBe(1);
    });
  }
}

/**
 * Runs fixtures/<runtime>-adapter-checks.ts on the real runtime (a child process that exits when done) and expects
 * every check to pass; the output names the failing ones.
 */
export function adapterChecksTest(runtime: string, command: string, args: string[], env: Record<string, string> = {}): void {
  it(`perdure/${runtime} serve() passes its checks inside the runtime`, async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: `${stdout}${stderr}` });
      });
    });
    const summary = /^CHECKS (\d+)\/(\d+)$/m.exec(output);
    expect(output).not.toMatch(/^not ok/m);
    expect(summary, output).not.toBeNull();
    expect(summary![1], output).toBe(summary![2]);
    expect(Number(summary![2])).toBeGreaterThan(0);
    expect(code, output).toBe(0);
  });
}
