// Request identity v1 on the non-Node runtimes (Node: test/e2e/identity.e2e.test.ts). One restate-server signs every
// request with the throwaway test key of the protocol vectors; four endpoints, each on its real runtime and built
// with withIdentityV1(<the test public key>) handed over as an argument or a binding, share it under their own
// service name prefixes: Bun (request-response), Deno (bidirectional over h2c), workerd (request-response) and
// Lambda in the Lambda emulator, registered by ARN (request-response). Per runtime: signed registration succeeds, a scenario call works
// (several signed requests: the greeter suspends twice in request-response), and unsigned requests straight to the
// endpoint get 401 while GET /health answers 200.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VECTORS_DIR } from "../../support/vectors-dir.js";
import { lambdaClientEnv, registerLambdaDeployment } from "../../../src/testing/index.js";
import { deploymentInfo, registerDeployment, type DeploymentRegistration } from "../support/admin.js";
import { callOk } from "../support/ingress.js";
import { startRestateServer, type RestateServer } from "../support/restate-server.js";
import { bundleWorker, startWorkerd } from "./fixtures/workers-runtime.js";
import { Processes, type Stoppable } from "./support/processes.js";
import { startLambdaFunctions, type LambdaFunctionUnderTest } from "./support/lambda-function.js";
import { bundleForNode, denoRunner, fixturePath, startBunEndpoint } from "./support/runtime-endpoints.js";

const testKey = JSON.parse(fs.readFileSync(path.join(VECTORS_DIR, "identity-test-key.json"), "utf8")) as {
  private_key_pem: string;
  public_key_identity_string: string;
};
const PUBLIC_KEY = testKey.public_key_identity_string;

interface IdentityCell {
  runtime: string;
  prefix: string;
  useHttp11: boolean;
  protocolType: "RequestResponse" | "BidiStream";
  /** "Lambda": registered by ARN, the server calls the Invoke API (no HTTP version of its own). */
  httpVersion: "HTTP/1.1" | "HTTP/2.0" | "Lambda";
}

const CELLS: IdentityCell[] = [
  { runtime: "Bun", prefix: "IdBun", useHttp11: true, protocolType: "RequestResponse", httpVersion: "HTTP/1.1" },
  { runtime: "Deno", prefix: "IdDeno", useHttp11: false, protocolType: "BidiStream", httpVersion: "HTTP/2.0" },
  { runtime: "workerd", prefix: "IdWorkerd", useHttp11: true, protocolType: "RequestResponse", httpVersion: "HTTP/1.1" },
  { runtime: "Lambda", prefix: "IdLambda", useHttp11: true, protocolType: "RequestResponse", httpVersion: "Lambda" },
];

type Endpoint = Stoppable & { url: string };

describe("request identity v1 on Bun, Deno, workerd and Lambda (protocol V6, one signing server)", () => {
  const processes = new Processes();
  const deno = denoRunner();
  let tmp: string | undefined;
  let server: RestateServer;
  const endpoints = new Map<string, Endpoint>();
  let lambda: LambdaFunctionUnderTest;
  let lambdaArn: string;
  const registrations = new Map<string, DeploymentRegistration | Error>();

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-identity-"));
    const workerBundle = bundleWorker(fixturePath("workers-identity-endpoint.ts"), tmp);
    const lambdaBundle = bundleForNode(fixturePath("lambda-endpoint.ts"), tmp);
    let bun: Endpoint, denoEndpoint: Endpoint, workerd: Endpoint;
    [lambda] = await processes.startAll([startLambdaFunctions()]);
    const lambdaDeployed = lambdaBundle.then((bundle) =>
      lambda.deploy("perdure-identity", bundle, { environment: { PERDURE_PREFIX: "IdLambda", PERDURE_IDENTITY_KEY: PUBLIC_KEY } }),
    );
    [server, bun, denoEndpoint, workerd] = await processes.startAll([
      startRestateServer({ requestIdentityPrivateKeyPem: testKey.private_key_pem, env: lambdaClientEnv(lambda.emulator) }),
      startBunEndpoint("rr", "IdBun", PUBLIC_KEY),
      deno.start("bidirectional", "IdDeno", PUBLIC_KEY),
      workerBundle.then((bundle) => startWorkerd({ bundle, bindings: { IDENTITY_KEY: PUBLIC_KEY, PREFIX: "IdWorkerd" } })),
    ]);
    lambdaArn = (await lambdaDeployed).versionArn;
    endpoints.set("Bun", bun).set("Deno", denoEndpoint).set("workerd", workerd);
    // Each registration on its own: one failing runtime must not hide the others' results.
    await Promise.all(
      CELLS.map(async (cell) => {
        const registration =
          cell.runtime === "Lambda"
            ? registerLambdaDeployment(server.adminUrl, lambdaArn)
            : registerDeployment(server.adminUrl, endpoints.get(cell.runtime)!.url, { useHttp11: cell.useHttp11 });
        const registered = await registration.catch(
          (err: unknown) => err as Error,
        );
        registrations.set(cell.runtime, registered);
      }),
    );
  });

  afterAll(async () => {
    await processes.stopAll();
    deno.dispose();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  function registrationOf(runtime: string): DeploymentRegistration {
    const registered = registrations.get(runtime);
    if (registered === undefined || registered instanceof Error) throw new Error(`${runtime} was not registered: ${registered?.message}`);
    return registered;
  }

  it("the server loads the signing key whose public half the endpoints are configured with", () => {
    const line = server.logs().split("\n").find((l) => l.includes("Loaded request identity key"));
    expect(line).toMatch(new RegExp(`kid[:=] ?"${PUBLIC_KEY}"`));
  });

  for (const cell of CELLS) describe(`${cell.runtime} (${cell.protocolType} over ${cell.httpVersion})`, () => {
    const p = cell.prefix;

    it("signed discovery: registration succeeds, over the transport it claims", async () => {
      const registered = registrationOf(cell.runtime);
      expect(registered.services.map((s) => s.name)).toContain(`${p}Greeter`);
      const info = await deploymentInfo(server.adminUrl, registered.id);
      if (cell.httpVersion === "Lambda") return void expect(info.arn).toBe(lambdaArn);
      expect({ protocol_type: info.protocol_type, http_version: info.http_version }).toEqual({
        protocol_type: cell.protocolType,
        http_version: cell.httpVersion,
      });
    });

    it("signed invocations: the greeter (ctx.run + ctx.sleep) answers", async () => {
      registrationOf(cell.runtime);
      expect(await callOk(server.ingressUrl, `${p}Greeter/greet`, "signed")).toBe("Hello, SIGNED!");
    });

    it("unsigned requests straight to the endpoint get 401; GET /health answers 200", async () => {
      if (cell.runtime === "Lambda") {
        // Straight to the function: API Gateway v1 events without the server's signature.
        const discover = await lambda.invokeHttp("perdure-identity", { path: "/discover", httpMethod: "GET" });
        expect(discover.statusCode).toBe(401);
        expect(JSON.parse(discover.body)).toEqual({ message: expect.stringMatching(/^Unauthorized/) });
        const invoke = await lambda.invokeHttp("perdure-identity", {
          path: `/invoke/${p}Greeter/greet`,
          httpMethod: "POST",
          headers: { "content-type": "application/vnd.restate.invocation.v6" },
          body: new Uint8Array(8),
        });
        expect(invoke.statusCode).toBe(401);
        expect((await lambda.invokeHttp("perdure-identity", { path: "/health", httpMethod: "GET" })).statusCode).toBe(200);
        return;
      }
      const url = endpoints.get(cell.runtime)!.url;
      const discover = await fetch(`${url}/discover`);
      expect(discover.status).toBe(401);
      expect(await discover.json()).toEqual({ message: expect.stringMatching(/^Unauthorized/) });
      const invoke = await fetch(`${url}/invoke/${p}Greeter/greet`, {
        method: "POST",
        headers: { "content-type": "application/vnd.restate.invocation.v6" },
        body: new Uint8Array(8),
      });
      expect(invoke.status).toBe(401);
      await invoke.arrayBuffer();
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      await health.arrayBuffer();
    });
  });
});
