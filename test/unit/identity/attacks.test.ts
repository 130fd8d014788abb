// The attack matrix against a real fetch handler built with the test public key: every forged, replayed or
// malformed request gets 401 with a short reason, is logged once, and no handler code runs.
import { SignJWT, generateKeyPair } from "jose";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { start, input, concat } from "../machine/support.js";
import { TEST_KEY_ID, b64url, loadCapture, mint, nowSeconds, recordingEndpoint, serverClaims, signedHeaders, testKey } from "./support.js";

const INVOKE_PATH = "/invoke/Greeter/hello";
const V6 = "application/vnd.restate.invocation.v6";

let endpoint: ReturnType<typeof recordingEndpoint>;
let warnings: string[];

beforeEach(() => {
  endpoint = recordingEndpoint([TEST_KEY_ID]);
  warnings = [];
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
});
afterEach(() => {
  vi.restoreAllMocks();
});

function invokeRequest(headers: Record<string, string> | Headers, path = INVOKE_PATH): Request {
  const h = new Headers(headers);
  h.set("content-type", V6);
  return new Request(`http://localhost${path}`, { method: "POST", headers: h, body: concat([start(1), input("Ann")]) });
}

async function expectRefused(res: Response, reason: string | RegExp) {
  const body = (await res.json()) as { message: string };
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toBe("application/json");
  if (typeof reason === "string") expect(body.message).toBe(`Unauthorized: ${reason}`);
  else expect(body.message).toMatch(reason);
  expect(body.message).not.toContain("Greeter"); // the refusal says nothing about what is bound
  expect(endpoint.calls).toEqual([]);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(body.message.slice("Unauthorized: ".length));
}

/** A token for INVOKE_PATH with one part of the payload replaced after signing. */
function withPayload(token: string, payload: Record<string, unknown>): string {
  const [h, , s] = token.split(".");
  return `${h}.${b64url(JSON.stringify(payload))}.${s}`;
}

let otherEd25519: CryptoKey;
let hmacRsEs: { rs: CryptoKey; es: CryptoKey };
beforeAll(async () => {
  otherEd25519 = (await generateKeyPair("EdDSA")).privateKey;
  hmacRsEs = { rs: (await generateKeyPair("RS256")).privateKey, es: (await generateKeyPair("ES256")).privateKey };
});

describe("refused before any routing or user code (401)", () => {
  const headerCases: [string, Record<string, string>, string][] = [
    ["no identity headers at all", {}, "missing header x-restate-signature-scheme"],
    ["scheme v2", { "x-restate-signature-scheme": "v2" }, "unsupported signature scheme v2"],
    ["scheme unsigned", { "x-restate-signature-scheme": "unsigned" }, "unsigned request"],
    ["scheme v1 without a token", { "x-restate-signature-scheme": "v1" }, "missing header x-restate-jwt-v1"],
    ["an empty token", { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": "" }, "missing header x-restate-jwt-v1"],
    ["a garbage token", signedHeaders("garbage"), "malformed token"],
    ["three garbage parts", signedHeaders("a.b.c"), "malformed token"],
  ];
  for (const [label, headers, reason] of headerCases) {
    it(label, async () => expectRefused(await endpoint.fetch(invokeRequest(headers)), reason));
  }

  it("alg none (unsecured JWT)", async () => {
    const token = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${b64url(JSON.stringify(serverClaims(INVOKE_PATH)))}.`;
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "token algorithm not allowed (EdDSA only)");
  });

  it("HS256 with the public key bytes as the HMAC secret", async () => {
    const secret = Buffer.from(testKey.public_key_raw_hex, "hex");
    const token = await new SignJWT(serverClaims(INVOKE_PATH)).setProtectedHeader({ alg: "HS256", kid: TEST_KEY_ID }).sign(secret);
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "token algorithm not allowed (EdDSA only)");
  });

  it("HS256 with the public key string as the HMAC secret", async () => {
    const token = await new SignJWT(serverClaims(INVOKE_PATH)).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(TEST_KEY_ID));
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "token algorithm not allowed (EdDSA only)");
  });

  for (const alg of ["RS256", "ES256"] as const) {
    it(`${alg} signed with some other key`, async () => {
      const key = alg === "RS256" ? hmacRsEs.rs : hmacRsEs.es;
      const token = await new SignJWT(serverClaims(INVOKE_PATH)).setProtectedHeader({ alg }).sign(key);
      await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "token algorithm not allowed (EdDSA only)");
    });
  }

  it("a well-formed EdDSA token signed by another Ed25519 key (even claiming our kid)", async () => {
    const token = await mint(serverClaims(INVOKE_PATH), { key: otherEd25519 });
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "invalid signature");
  });

  it("a tampered payload with the original signature", async () => {
    const at = nowSeconds();
    const original = await mint(serverClaims("/invoke/Greeter/other", at));
    const token = withPayload(original, { ...serverClaims(INVOKE_PATH, at) });
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "invalid signature");
  });

  it("a tampered signature", async () => {
    const token = await mint(serverClaims(INVOKE_PATH));
    const sigStart = token.lastIndexOf(".") + 1;
    const i = sigStart + 10; // a middle character: every bit of it is signature data
    const tampered = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(tampered))), "invalid signature");
  });

  it("an expired token (exp one second ago)", async () => {
    const now = nowSeconds();
    const token = await mint({ aud: INVOKE_PATH, iat: now - 61, nbf: now - 121, exp: now - 1 });
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "token expired");
  });

  it("a token not yet valid (nbf 30 s in the future)", async () => {
    const now = nowSeconds();
    const token = await mint({ aud: INVOKE_PATH, iat: now, nbf: now + 30, exp: now + 120 });
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "token not yet valid");
  });

  it("a token for another handler replayed on this one", async () => {
    const token = await mint(serverClaims("/invoke/Greeter/other"));
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "audience mismatch");
  });

  it("a /discover token used on an invocation", async () => {
    const token = await mint(serverClaims("/discover"));
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), "audience mismatch");
  });

  it("an invocation token used on /discover", async () => {
    const token = await mint(serverClaims(INVOKE_PATH));
    await expectRefused(await endpoint.fetch(new Request("http://localhost/discover", { headers: signedHeaders(token) })), "audience mismatch");
  });

  it("an audience with the prefix kept (the server signs the path relative to the deployment)", async () => {
    const token = await mint(serverClaims(`/pfx${INVOKE_PATH}`));
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token), `/pfx${INVOKE_PATH}`)), "audience mismatch");
  });

  for (const claim of ["exp", "nbf", "aud"] as const) {
    it(`a token without ${claim}`, async () => {
      const claims = serverClaims(INVOKE_PATH);
      delete claims[claim];
      await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(await mint(claims)))), `missing claim ${claim}`);
    });
  }

  it("exp that is not a number", async () => {
    const claims = { ...serverClaims(INVOKE_PATH), exp: "9999999999" } as never;
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(await mint(claims)))), "invalid claim exp");
  });

  it("a duplicated token header (a, b)", async () => {
    const good = await mint(serverClaims(INVOKE_PATH));
    const headers = new Headers({ "x-restate-signature-scheme": "v1" });
    headers.append("x-restate-jwt-v1", good);
    headers.append("x-restate-jwt-v1", good);
    expect(headers.get("x-restate-jwt-v1")).toBe(`${good}, ${good}`);
    await expectRefused(await endpoint.fetch(invokeRequest(headers)), "duplicate header x-restate-jwt-v1");
  });

  it("a duplicated scheme header (v1, v1)", async () => {
    const headers = new Headers(signedHeaders(await mint(serverClaims(INVOKE_PATH))));
    headers.append("x-restate-signature-scheme", "v1");
    await expectRefused(await endpoint.fetch(invokeRequest(headers)), "duplicate header x-restate-signature-scheme");
  });

  it("an oversized token, refused before parsing", async () => {
    const token = `${"A".repeat(4000)}.${"B".repeat(100)}.C`;
    await expectRefused(await endpoint.fetch(invokeRequest(signedHeaders(token))), /^Unauthorized: token too large \(4103 > 4096 bytes\)$/);
  });

  it("a captured, genuinely signed request is refused now: it expired long ago", async () => {
    const capture = loadCapture("id-h1-hello");
    const headers = new Headers(capture.request.headers_in_wire_order.filter(([k]) => k !== "transfer-encoding" && k !== "host"));
    await expectRefused(await endpoint.fetch(invokeRequest(headers, capture.request.path)), "token expired");
  });

  it("a scheme value is never echoed raw (truncated, non-printables replaced)", async () => {
    const res = await endpoint.fetch(invokeRequest({ "x-restate-signature-scheme": `v9${"x".repeat(100)}` }));
    await expectRefused(res, /^Unauthorized: unsupported signature scheme v9x{30}…$/);
  });
});

describe("unsigned callers learn nothing about routes", () => {
  const probes: [string, RequestInit][] = [
    ["/invoke/NoSuchService/x", { method: "POST" }],
    ["/invoke/Greeter/noSuchHandler", { method: "POST" }],
    [INVOKE_PATH, { method: "GET" }],
    [INVOKE_PATH, { method: "POST", headers: { "content-type": "text/plain" } }],
    ["/discover", { method: "POST" }],
    ["/discover", { method: "GET" }],
    ["/no/such/route", {}],
  ];
  for (const [path, init] of probes) {
    it(`${init.method ?? "GET"} ${path} ${JSON.stringify(init.headers ?? {})} → 401, not 404/405/415/200`, async () => {
      const res = await endpoint.fetch(new Request(`http://localhost${path}`, init));
      await expectRefused(res, "missing header x-restate-signature-scheme");
    });
  }

  it("GET …/health stays open (no identity headers needed)", async () => {
    for (const path of ["/health", "/some/prefix/health"]) {
      const res = await endpoint.fetch(new Request(`http://localhost${path}`));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("OK");
    }
    expect(warnings).toEqual([]);
  });
});
