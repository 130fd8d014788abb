import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { concat, frame, input, invoke, json, start, text } from "../machine/support.js";

const greeter = restate.service({
  name: "Greeter",
  handlers: {
    hello: async (_ctx: restate.Context, name: string) => `Hello ${name}`,
    throwsString: async () => {
      throw "plain string";
    },
    throwsObject: async () => {
      throw { reason: "no Error here", at: 3 };
    },
    throwsUndefined: async () => {
      throw undefined;
    },
    terminal: async () => {
      throw new restate.TerminalError("nope", { errorCode: 409, metadata: { why: "test" } });
    },
  },
});

const { fetch } = restate.endpoint().bind(greeter).handler();

function request(path: string, init: RequestInit = {}) {
  return fetch(new Request(`http://localhost${path}`, init));
}

async function errorText(res: Response) {
  return (await res.text()).toLowerCase();
}

describe("routing and HTTP errors", () => {
  it("answers health under any prefix", async () => {
    const res = await request("/some/prefix/health");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("OK");
  });

  it("404 for an unknown path, service or handler, naming what exists", async () => {
    const path = await request("/nope", { method: "POST" });
    expect(path.status).toBe(404);
    const svc = await request("/invoke/Nope/hello", { method: "POST", headers: { "content-type": "application/vnd.restate.invocation.v6" } });
    expect(svc.status).toBe(404);
    expect(await errorText(svc)).toContain("bound: greeter");
    const handler = await request("/invoke/Greeter/nope", { method: "POST", headers: { "content-type": "application/vnd.restate.invocation.v6" } });
    expect(handler.status).toBe(404);
    expect(await errorText(handler)).toContain("no handler named 'nope'");
  });

  it("405 for a wrong method, with Allow", async () => {
    const res = await request("/invoke/Greeter/hello", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await request("/discover", { method: "POST" })).status).toBe(405);
  });

  it("415 for an unsupported protocol version, naming the supported range", async () => {
    for (const ct of ["application/vnd.restate.invocation.v8", "application/vnd.restate.invocation.v4", "application/json", ""]) {
      const res = await request("/invoke/Greeter/hello", { method: "POST", headers: ct ? { "content-type": ct } : {}, body: new Uint8Array(1) });
      expect(res.status).toBe(415);
      expect(await errorText(res)).toContain("protocol versions 5 to 7");
    }
  });

  it("serves discovery with the highest manifest version offered", async () => {
    const res = await request("/pfx/discover", {
      headers: { accept: "application/vnd.restate.endpointmanifest.v1+json, application/vnd.restate.endpointmanifest.v2+json" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.restate.endpointmanifest.v2+json");
    const manifest = (await res.json()) as { protocolMode: string; minProtocolVersion: number; maxProtocolVersion: number; services: { name: string }[] };
    expect(manifest).toMatchObject({ protocolMode: "REQUEST_RESPONSE", minProtocolVersion: 5, maxProtocolVersion: 7 });
    expect(manifest.services.map((s) => s.name)).toEqual(["Greeter"]);
  });
});

describe("invocations", () => {
  it("answers with the request's content type and the terminal frame", async () => {
    for (const version of [5, 6, 7]) {
      const res = await invoke(fetch, "/invoke/Greeter/hello", [start(1), input("Ann")], version);
      expect(res.status).toBe(200);
      expect(res.contentType).toBe(`application/vnd.restate.invocation.v${version}`);
      expect(res.messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
      expect(text((res.messages[0]!.message as { value: { content: Uint8Array } }).value.content)).toBe('"Hello Ann"');
    }
  });

  it("turns input that is not JSON into a terminal failure 400 for the caller", async () => {
    const bad = frame(MessageType.InputCommand, { value: { content: new TextEncoder().encode("{not json") } });
    const res = await invoke(fetch, "/invoke/Greeter/hello", [start(1), bad]);
    const failure = (res.messages[0]!.message as { failure: { code: number; message: string } }).failure;
    expect(failure.code).toBe(400);
    // The official SDK's wording: "Failed to deserialize input: " and the JSON parser's message.
    expect(failure.message).toMatch(/^Failed to deserialize input: .*JSON/);
    expect(res.messages[1]!.type).toBe(MessageType.End);
  });

  it("journals a TerminalError with its code and metadata", async () => {
    const res = await invoke(fetch, "/invoke/Greeter/terminal", [start(1), input()]);
    expect(res.messages[0]!.message).toMatchObject({ failure: { code: 409, message: "nope", metadata: [{ key: "why", value: "test" }] } });
  });

  it("gives thrown non-Error values a readable message and lets the server retry", async () => {
    const cases = { throwsString: "plain string", throwsObject: "no Error here", throwsUndefined: "undefined" };
    for (const [handler, expected] of Object.entries(cases)) {
      const res = await invoke(fetch, `/invoke/Greeter/${handler}`, [start(1), input()]);
      expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
      const err = res.messages[0]!.message as { code: number; message: string };
      expect(err.code).toBe(500);
      expect(err.message).toContain(expected);
    }
  });

  const protocolErrors: [string, Uint8Array[], RegExp][] = [
    ["no StartMessage first", [input()], /expected StartMessage/],
    ["body ends before known_entries", [start(3), input()], /ended after 1 of the 3 journal entries/],
    ["truncated frame", [start(1), input().subarray(0, 5)], /ended inside a frame/],
    ["unknown message type", [start(2), input(), new Uint8Array([0x12, 0x34, 0, 0, 0, 0, 0, 0])], /unknown message type/i],
    ["garbage payload", [start(2), input(), concat([new Uint8Array([0x04, 0x11, 0, 0, 0, 0, 0, 3]), new Uint8Array([0xff, 0xff, 0xff])])], /RunCommand/],
    ["empty body", [], /before a StartMessage/],
  ];
  for (const [label, body, pattern] of protocolErrors) {
    it(`answers ${label} with ErrorMessage 571 and a readable reason`, async () => {
      const res = await invoke(fetch, "/invoke/Greeter/hello", body);
      expect(res.status).toBe(200);
      expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
      const err = res.messages[0]!.message as { code: number; message: string };
      expect(err.code).toBe(571);
      expect(err.message).toMatch(pattern);
    });
  }

  it("keeps working after bad requests", async () => {
    await invoke(fetch, "/invoke/Greeter/hello", [new Uint8Array([1, 2, 3])]);
    const res = await invoke(fetch, "/invoke/Greeter/hello", [start(1), input("Zoe")]);
    expect(text((res.messages[0]!.message as { value: { content: Uint8Array } }).value.content)).toBe('"Hello Zoe"');
  });
});

describe("builder validation", () => {
  it("fails at startup for an empty endpoint or a non-definition", () => {
    expect(() => restate.createEndpointHandler({ services: [] })).toThrow(/at least one service/);
    expect(() => restate.endpoint().bind({ name: "x" } as never)).toThrow();
  });

  it("refuses to bind the same service twice", () => {
    expect(() => restate.endpoint().bind(greeter).bind(greeter).handler()).toThrow(/bound twice/);
  });
});

void json;

describe("maxMessageSize on the builder", () => {
  it("refuses a message over the limit before buffering it, naming the limit", async () => {
    const { fetch: small } = restate.endpoint().bind(greeter).maxMessageSize(2048).handler();
    const big = frame(MessageType.InputCommand, { value: { content: new Uint8Array(4096) } });
    const res = await invoke(small, "/invoke/Greeter/hello", [start(1), big]);
    const err = res.messages[0]!.message as { code: number; message: string };
    expect(err.code).toBe(571);
    expect(err.message).toMatch(/2048/);
    expect(() => restate.endpoint().maxMessageSize(10)).toThrow(RangeError);
  });
});
