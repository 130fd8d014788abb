// The Node HTTP/2 listener's bidirectional fast entry (src/endpoint/raw-bidi.ts): over a real h2c connection, an
// invocation on a bidirectional core handler runs without the handler's fetch function being called (no Request,
// no web streams), answers exactly like the fetch path, suspends when the server ends its side, and abandons the
// attempt when the peer resets the stream. Requests it does not cover (discovery, identity, codecs, request-response)
// still go through fetch.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { CORE_STATE } from "../../../src/endpoint/fetch-handler.js";
import { rawBidiPrepareOf } from "../../../src/endpoint/raw-bidi.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import type { AttemptInfo } from "../../../src/endpoint/invoke.js";
import { createHttp2RequestListener, createHttp2StreamListener } from "../../../adapters/node/http2.js";
import { concat, decodeAll, input, start, text } from "../machine/support.js";
import { TEST_KEY_ID } from "../identity/support.js";

const svc = restate.service({
  name: "H2",
  handlers: {
    greet: async (ctx: restate.Context, name: string) => `Hello ${name} (${ctx.request().attemptHeaders.get("x-caller") ?? "?"})`,
    nap: async (ctx: restate.Context) => {
      await ctx.sleep(60_000);
      return "woke";
    },
  },
});

const attempts: AttemptInfo[] = [];
const core = restate.createEndpointHandler({ services: [svc], bidirectional: true, onAttemptEnd: (i) => attempts.push(i) });
let fetchCalls = 0;
/** The core handler behind a counter: the fast entry finds the core's state and never calls it. */
const counted = Object.defineProperty((r: Request) => (fetchCalls++, core(r)), CORE_STATE, { value: (core as never)[CORE_STATE] });

const servers: http2.Http2Server[] = [];
const clients: http2.ClientHttp2Session[] = [];
async function serve(kind: "stream" | "compat"): Promise<http2.ClientHttp2Session> {
  const server = kind === "stream" ? http2.createServer() : http2.createServer(createHttp2RequestListener(counted));
  if (kind === "stream") server.on("stream", createHttp2StreamListener(counted));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  const client = http2.connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  clients.push(client);
  return client;
}

function call(client: http2.ClientHttp2Session, path: string, body: Uint8Array[], endBody = true, headers: Record<string, string> = {}) {
  const req = client.request({ ":method": "POST", ":path": path, "content-type": "application/vnd.restate.invocation.v6", ...headers });
  for (const b of body) req.write(b);
  if (endBody) req.end();
  const chunks: Uint8Array[] = [];
  const done = new Promise<{ status: number; contentType: string; messages: ReturnType<typeof decodeAll> }>((resolve, reject) => {
    let status = 0;
    let contentType = "";
    req.on("response", (h) => ((status = Number(h[":status"])), (contentType = String(h["content-type"]))));
    req.on("data", (c: Buffer) => chunks.push(new Uint8Array(c)));
    req.on("end", () => resolve({ status, contentType, messages: decodeAll(chunks) }));
    req.on("error", reject);
  });
  return { req, done };
}

beforeAll(() => {
  fetchCalls = 0;
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe("Node HTTP/2 bidirectional fast entry", () => {
  for (const kind of ["stream", "compat"] as const) {
    it(`${kind} listener: an invocation runs without fetch and answers like the fetch path`, async () => {
      const client = await serve(kind);
      const before = fetchCalls;
      const { done } = call(client, "/invoke/H2/greet", [concat([start(1), input("Ann")])], true, { "x-caller": "test" });
      const res = await done;
      expect(fetchCalls).toBe(before); // the fast entry served it
      expect(res.status).toBe(200);
      expect(res.contentType).toBe("application/vnd.restate.invocation.v6");
      expect(res.messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
      expect(text((res.messages[0]!.message as { value: { content: Uint8Array } }).value.content)).toBe('"Hello Ann (test)"');
      // The same request through fetch answers the same frames.
      const viaFetch = await core(
        new Request("http://x/invoke/H2/greet", { method: "POST", headers: { "content-type": "application/vnd.restate.invocation.v6", "x-caller": "test" }, body: concat([start(1), input("Ann")]) }),
      );
      const fetched = decodeAll([new Uint8Array(await viaFetch.arrayBuffer())]);
      expect(fetched.map((m) => m.type)).toEqual(res.messages.map((m) => m.type));
    });
  }

  it("chunks split anywhere (inside headers and payloads) decode the same", async () => {
    const client = await serve("stream");
    const body = concat([start(1), input("Bo")]);
    const pieces = [body.subarray(0, 3), body.subarray(3, 11), body.subarray(11, body.length - 2), body.subarray(body.length - 2)];
    const res = await call(client, "/invoke/H2/greet", pieces).done;
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
  });

  it("suspends when the server ends its side while the handler waits", async () => {
    const client = await serve("stream");
    const res = await call(client, "/invoke/H2/nap", [concat([start(1), input()])]).done;
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.SleepCommand, MessageType.Suspension]);
  });

  it("a stream reset by the peer abandons the attempt, and the connection keeps serving", async () => {
    const client = await serve("stream");
    const before = attempts.length;
    const { req } = call(client, "/invoke/H2/nap", [concat([start(1), input()])], false);
    req.on("error", () => {});
    await new Promise((r) => req.once("response", r));
    req.close(http2.constants.NGHTTP2_CANCEL);
    await expect.poll(() => attempts.length, { timeout: 5_000 }).toBeGreaterThan(before);
    expect(attempts.at(-1)!.handler).toBe("nap");
    expect(attempts.at(-1)!.reason).not.toBe("completed");
    const res = await call(client, "/invoke/H2/greet", [concat([start(1), input("Cy")])]).done;
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
  });

  it("a protocol error in the body answers an ErrorMessage on the stream", async () => {
    const client = await serve("stream");
    const res = await call(client, "/invoke/H2/greet", [new Uint8Array([0, 0, 0, 0, 0, 0, 0])]).done; // a cut header
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
  });

  it("is not offered for request-response handlers, identity keys or a journal value codec; discovery goes through fetch", async () => {
    expect(rawBidiPrepareOf(core)).toBeDefined();
    expect(rawBidiPrepareOf({ fetch: core })).toBeDefined();
    expect(rawBidiPrepareOf(restate.createEndpointHandler({ services: [svc] }))).toBeUndefined();
    expect(rawBidiPrepareOf(restate.createEndpointHandler({ services: [svc], bidirectional: true, identityKeys: [TEST_KEY_ID] }))).toBeUndefined();
    const codec = { encode: (b: Uint8Array) => b, decode: async (b: Uint8Array) => b };
    expect(rawBidiPrepareOf(restate.createEndpointHandler({ services: [svc], bidirectional: true, journalValueCodecProvider: async () => codec }))).toBeUndefined();
    const prepare = rawBidiPrepareOf(core)!;
    expect(prepare("GET", "/discover", [])).toBeUndefined();
    expect(prepare("POST", "/invoke/H2/nope", ["content-type", "application/vnd.restate.invocation.v6"])).toBeUndefined();
    expect(prepare("POST", "/invoke/H2/greet", ["content-type", "application/json"])).toBeUndefined();

    const client = await serve("stream");
    const before = fetchCalls;
    const req = client.request({ ":method": "GET", ":path": "/discover", accept: "application/vnd.restate.endpointmanifest.v4+json" });
    req.end();
    const status = await new Promise<number>((r) => req.on("response", (h) => r(Number(h[":status"]))));
    req.resume();
    expect(status).toBe(200);
    expect(fetchCalls).toBe(before + 1);
  });
});
