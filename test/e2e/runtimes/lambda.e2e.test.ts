// perdure/lambda driven by the real restate-server: the Lambda handler runs in a Node child process behind a local
// bridge that turns each HTTP/1.1 request into the API Gateway v1 event restate-server sends to Lambda functions,
// and the handler's result back into the answer. Shared scenario set on V6, plus the Lambda context and the
// 6 MB response limit as the server sees them.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deploymentInfo, invocationStatus, killInvocation, registerDeployment, waitFor } from "../support/admin.js";
import { attach, callOk, resolveAwakeable, send } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { repoRoot, spawnEndpoint, type SpawnedEndpoint } from "./support/spawn-endpoint.js";
import { BRIDGE_COUNTS_PATH } from "./support/lambda-bridge.js";

/** Bundles a TypeScript entry for plain Node (no loader at run time), into a fresh temp dir. */
async function bundleForNode(entry: string, dir: string): Promise<string> {
  const outfile = path.join(dir, `${path.basename(entry, ".ts")}.mjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: "node", format: "esm", target: "node20", logLevel: "error" });
  return outfile;
}

describe("perdure/lambda behind a local Lambda bridge (protocol V6)", () => {
  let server: RestateServer;
  let child: SpawnedEndpoint;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-lambda-"));
    const [bundle, rs] = await Promise.all([
      bundleForNode(path.join(repoRoot, "test/e2e/runtimes/fixtures/lambda-endpoint.ts"), tmp),
      startRestateServer(),
    ]);
    server = rs;
    child = await spawnEndpoint({ command: process.execPath, args: [bundle] });
    await registerDeployment(server.adminUrl, child.url, { useHttp11: true });
  });
  afterAll(async () => {
    await Promise.allSettled([child?.stop(), server?.stop()]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const counts = async () => (await (await fetch(`${child.url}${BRIDGE_COUNTS_PATH}`)).json()) as Record<string, number>;

  it("registers as a request-response deployment over HTTP/1.1, discovered through a Lambda event", async () => {
    const list = (await (await fetch(`${server.adminUrl}/deployments`)).json()) as { deployments: { id: string }[] };
    const info = await deploymentInfo(server.adminUrl, list.deployments[0]!.id);
    expect(info.protocol_type).toBe("RequestResponse");
    expect(info.sdk_version).toMatch(/^perdure\//);
    expect((await counts())["/discover"]).toBe(1);
  });

  it("greeter: ctx.run and ctx.sleep over several Lambda invocations", async () => {
    expect(await callOk(server.ingressUrl, "Greeter/greet", "ann")).toBe("Hello, ANN!");
    // run proposal → suspension, then sleep → suspension, then the output: one event per attempt.
    expect((await counts())["/invoke/Greeter/greet"]).toBeGreaterThanOrEqual(3);
  });

  it("object: state survives between invocations", async () => {
    const key = `k-${Date.now()}`;
    expect(await callOk(server.ingressUrl, `Counter/${key}/add`, 2)).toBe(2);
    expect(await callOk(server.ingressUrl, `Counter/${key}/add`, 5)).toBe(7);
    expect(await callOk(server.ingressUrl, `Counter/${key}/get`)).toBe(7);
  });

  it("a call between services (service and object)", async () => {
    expect(await callOk(server.ingressUrl, "Flows/greetAndCount", "bo")).toBe("Hello, BO! #1");
    expect(await callOk(server.ingressUrl, "Flows/greetAndCount", "bo")).toBe("Hello, BO! #2");
  });

  it("an awakeable resolved through the ingress", async () => {
    const box = `box-${Date.now()}`;
    const id = await send(server.ingressUrl, "Flows/waitForAwakeable", box);
    const awakeableId = await waitFor(() => callOk<string | null>(server.ingressUrl, `Mailbox/${box}/get`), 10_000, "awakeable id", 50);
    await resolveAwakeable(server.ingressUrl, awakeableId, "hi");
    expect((await attach(server.ingressUrl, id)).json).toBe("got hi");
  });

  it("handlers see the Lambda context as ctx.request().extraArgs[0]", async () => {
    expect(await callOk(server.ingressUrl, "LambdaInfo/context")).toEqual({ functionName: "perdure-lambda-e2e", hasRequestId: true });
  });

  it("an output over the 6 MB limit becomes an attempt failure that names the limit, and is retried", async () => {
    const id = await send(server.ingressUrl, "LambdaInfo/big", 5_000_000);
    const status = await waitFor(
      async () => {
        const s = await invocationStatus(server.adminUrl, id);
        return s?.last_failure ? s : undefined;
      },
      15_000,
      "a recorded failure",
      100,
    );
    expect(status.last_failure).toMatch(/response too large for AWS Lambda/);
    expect(status.last_failure).toMatch(/over the 6291456-byte limit \(6 MB\)/);
    expect(status.status).not.toBe("completed");
    await killInvocation(server.adminUrl, id);
  });
});
