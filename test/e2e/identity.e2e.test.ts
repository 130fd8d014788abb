// Request identity v1 over the real restate-server: a server holding the test private key signs discovery and every
// invocation attempt, and an endpoint configured with the matching `publickeyv1_…` key accepts them; a server without
// the key cannot even register the endpoint. V6 only (the scheme does not depend on the protocol version).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type RunningServer } from "../../adapters/node/index.js";
import { makeIdentityServices } from "./fixtures/identity.js";
import { registerDeployment } from "./support/admin.js";
import { loadSdk, sdkName, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { call } from "./support/ingress.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";
import { TEST_KEY_ID, testKey } from "../unit/identity/support.js";

describe("request identity v1 (protocol V6)", () => {
  let signed: EndpointUnderTest;
  let unsigned: RestateServer;
  let ran: string[];

  beforeAll(async () => {
    // The two servers start side by side: startup dominates this file's time.
    const [env, plain] = await Promise.allSettled([
      startEndpointUnderTest({
        protocolVersion: 6,
        services: (sdk) => {
          const made = makeIdentityServices(sdk);
          ran = made.ran;
          return made.services;
        },
        requestIdentityPrivateKeyPem: testKey.private_key_pem,
        identityKeys: [TEST_KEY_ID],
      }),
      startRestateServer(),
    ]);
    if (env.status === "fulfilled") signed = env.value;
    if (plain.status === "fulfilled") unsigned = plain.value;
    if (env.status === "rejected" || plain.status === "rejected") {
      await Promise.allSettled([signed?.stop(), unsigned?.stop()]);
      throw env.status === "rejected" ? env.reason : (plain as PromiseRejectedResult).reason;
    }
  });
  afterAll(async () => {
    await Promise.allSettled([signed?.stop(), unsigned?.stop()]);
  });

  it("the server loads the signing key and logs the same kid the endpoint is configured with", () => {
    // Compact log format here: `Loaded request identity key kid="publickeyv1_…"` (the pretty format writes `kid: "…"`).
    const line = signed.server.logs().split("\n").find((l) => l.includes("Loaded request identity key"));
    expect(line).toBeDefined();
    expect(line).toMatch(new RegExp(`kid[:=] ?"${TEST_KEY_ID}"`));
  });

  it("registration (signed discovery) succeeds and a signed invocation runs the handler", async () => {
    expect(signed.deployment.services.map((s) => s.name)).toEqual(["SignedGreeter"]);
    const res = await call(signed.ingressUrl, "SignedGreeter/hello", "Ann");
    expect(res.status, res.text).toBe(200);
    expect(res.json).toBe("Hello, Ann! (signed)");
    expect(ran).toContain("Ann");
  });

  it("unsigned requests straight to the endpoint get 401; health stays open", async () => {
    const discover = await fetch(`${signed.endpoint.url}/discover`);
    expect(discover.status).toBe(401);
    expect(await discover.json()).toEqual({ message: expect.stringMatching(/^Unauthorized/) });
    const before = ran.length;
    const invoke = await fetch(`${signed.endpoint.url}/invoke/SignedGreeter/hello`, {
      method: "POST",
      headers: { "content-type": "application/vnd.restate.invocation.v6" },
      body: new Uint8Array(8),
    });
    expect(invoke.status).toBe(401);
    expect(ran.length).toBe(before);
    expect((await fetch(`${signed.endpoint.url}/health`)).status).toBe(200);
  });

  it("a server without the signing key cannot register the endpoint: discovery gets 401", async () => {
    const attempt = registerDeployment(unsigned.adminUrl, signed.endpoint.url, { useHttp11: true });
    // The admin API answers with the server's META0003 error, which quotes our status and body.
    await expect(attempt).rejects.toThrow(/META0003.*got status code '401 Unauthorized'/);
    if (sdkName === "perdure") await expect(attempt).rejects.toThrow(/Unauthorized: missing header x-restate-signature-scheme/);
    const deployments = (await (await fetch(`${unsigned.adminUrl}/deployments`)).json()) as { deployments: unknown[] };
    expect(deployments.deployments).toEqual([]);
  });

  it("createEndpointHandler({ identityKeys }) under a path prefix: aud is relative to the deployment URI", async () => {
    const sdk = await loadSdk();
    const made = makeIdentityServices(sdk, "PrefixedSignedGreeter");
    let endpoint: RunningServer | undefined;
    try {
      endpoint = await serve(sdk.createEndpointHandler({ services: made.services, identityKeys: [TEST_KEY_ID] }));
      const deployment = await registerDeployment(signed.adminUrl, `${endpoint.url}/pfx/a`, { useHttp11: true });
      expect(deployment.services.map((s) => s.name)).toEqual(["PrefixedSignedGreeter"]);
      const res = await call(signed.ingressUrl, "PrefixedSignedGreeter/hello", "Bo");
      expect(res.status, res.text).toBe(200);
      expect(res.json).toBe("Hello, Bo! (signed)");
      expect(made.ran).toEqual(["Bo"]);
    } finally {
      await endpoint?.close();
    }
  });
});
