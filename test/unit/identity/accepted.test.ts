// Requests the server really sends (and the variants its verifier accepts) reach the handler.
import { generateKeyPair, exportJWK } from "jose";
import { base58 } from "@scure/base";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MessageType } from "../../../src/protocol/message-types.js";
import { concat, decodeAll, input, start, text } from "../machine/support.js";
import { TEST_KEY_ID, captureBody, loadCapture, mint, nowSeconds, recordingEndpoint, serverClaims, signedHeaders } from "./support.js";

const V6 = "application/vnd.restate.invocation.v6";
let warnings: string[];

beforeEach(() => {
  warnings = [];
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(" ")));
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function invokeHello(fetch: (r: Request) => Promise<Response>, token: string, path = "/invoke/Greeter/hello", name = "Ann") {
  const res = await fetch(
    new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { ...signedHeaders(token), "content-type": V6 },
      body: concat([start(1), input(name)]),
    }),
  );
  expect(res.status, await res.clone().text()).toBe(200);
  const messages = decodeAll([new Uint8Array(await res.arrayBuffer())]);
  expect(messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
  return text((messages[0]!.message as { value: { content: Uint8Array } }).value.content);
}

async function anotherKey() {
  const pair = await generateKeyPair("EdDSA");
  const jwk = await exportJWK(pair.publicKey);
  const id = `publickeyv1_${base58.encode(Buffer.from(jwk.x!, "base64url"))}`;
  return { id, privateKey: pair.privateKey };
}

describe("accepted", () => {
  it("a valid invocation token runs the handler (builder and createEndpointHandler)", async () => {
    for (const via of ["builder", "createEndpointHandler"] as const) {
      const ep = recordingEndpoint([TEST_KEY_ID], via);
      expect(await invokeHello(ep.fetch, await mint(serverClaims("/invoke/Greeter/hello")))).toBe('"Hello Ann"');
      expect(ep.calls).toEqual(['hello:"Ann"']);
    }
    expect(warnings).toEqual([]);
  });

  it("a valid discovery token gets the manifest, also under a prefix", async () => {
    const ep = recordingEndpoint([TEST_KEY_ID]);
    for (const path of ["/discover", "/some/prefix/discover"]) {
      const res = await ep.fetch(new Request(`http://localhost${path}`, { headers: signedHeaders(await mint(serverClaims("/discover"))) }));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { services: { name: string }[] }).services.map((s) => s.name)).toEqual(["Greeter"]);
    }
  });

  it("a path prefix is ignored: aud is the path relative to the deployment", async () => {
    const ep = recordingEndpoint([TEST_KEY_ID]);
    const token = await mint(serverClaims("/invoke/Greeter/hello"));
    expect(await invokeHello(ep.fetch, token, "/pfx/a/invoke/Greeter/hello", "Bo")).toBe('"Hello Bo"');
  });

  it("aud as a one-element array", async () => {
    const ep = recordingEndpoint([TEST_KEY_ID]);
    expect(await invokeHello(ep.fetch, await mint(serverClaims(["/invoke/Greeter/hello"])))).toBe('"Hello Ann"');
  });

  it("no kid in the header", async () => {
    const ep = recordingEndpoint([TEST_KEY_ID]);
    const token = await mint(serverClaims("/invoke/Greeter/hello"), { header: { typ: "JWT", alg: "EdDSA" } });
    expect(await invokeHello(ep.fetch, token)).toBe('"Hello Ann"');
  });

  it("no iat (the reference verifier does not enforce it either)", async () => {
    const ep = recordingEndpoint([TEST_KEY_ID]);
    const now = nowSeconds();
    expect(await invokeHello(ep.fetch, await mint({ aud: "/invoke/Greeter/hello", nbf: now - 60, exp: now + 60 }))).toBe('"Hello Ann"');
  });

  it("key rotation: two keys configured, token signed by the second (with its kid, with the first's kid, with none)", async () => {
    const second = await anotherKey();
    const ep = recordingEndpoint([TEST_KEY_ID, second.id]);
    const claims = serverClaims("/invoke/Greeter/hello");
    for (const kid of [second.id, TEST_KEY_ID, undefined]) {
      const header = kid ? { typ: "JWT", alg: "EdDSA", kid } : { typ: "JWT", alg: "EdDSA" };
      expect(await invokeHello(ep.fetch, await mint(claims, { key: second.privateKey, header }))).toBe('"Hello Ann"');
    }
    // ... and the first key still works.
    expect(await invokeHello(ep.fetch, await mint(claims))).toBe('"Hello Ann"');
    expect(ep.calls).toHaveLength(4);
  });

  it("a key that is not configured is not accepted just because another one is", async () => {
    const second = await anotherKey();
    const ep = recordingEndpoint([second.id]);
    const res = await ep.fetch(
      new Request("http://localhost/invoke/Greeter/hello", {
        method: "POST",
        headers: { ...signedHeaders(await mint(serverClaims("/invoke/Greeter/hello"))), "content-type": V6 },
        body: concat([start(1), input("x")]),
      }),
    );
    expect(res.status).toBe(401);
    expect(ep.calls).toEqual([]);
  });

  it("the captured signed request (headers and body as the server sent them) runs at its capture time", async () => {
    const capture = loadCapture("id-h1-hello");
    const token = capture.request.headers_in_wire_order.find(([k]) => k === "x-restate-jwt-v1")![1];
    const { iat } = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { iat: number };
    vi.useFakeTimers({ toFake: ["Date"], now: iat * 1000 });
    const ep = recordingEndpoint([TEST_KEY_ID]);
    const headers = new Headers(capture.request.headers_in_wire_order.filter(([k]) => k !== "transfer-encoding" && k !== "host"));
    const res = await ep.fetch(new Request(`http://localhost${capture.request.path}`, { method: "POST", headers, body: captureBody(capture) }));
    expect(res.status).toBe(200);
    expect(ep.calls).toHaveLength(1);
    // Sixty-one seconds later the same bytes are refused (exp = iat + 60, zero leeway).
    vi.setSystemTime((iat + 61) * 1000);
    const late = await ep.fetch(new Request(`http://localhost${capture.request.path}`, { method: "POST", headers, body: captureBody(capture) }));
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual({ message: "Unauthorized: token expired" });
    expect(ep.calls).toHaveLength(1);
  });
});
