// perdure/lambda: API Gateway v1 / v2 / function URL / ALB events in, Lambda results out; discovery and invocations
// through the real core; the 6 MB response limit; malformed events.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { restateRoutes } from "../../../adapters/hono/index.js";
import * as lambda from "../../../adapters/lambda/index.js";
import * as core from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import type { Message } from "../../../src/protocol/messages.js";
import { concat, decodeAll, input, start, text } from "../machine/support.js";
import { TEST_KEY_ID, mint, serverClaims, signedHeaders } from "../identity/support.js";

const V6 = "application/vnd.restate.invocation.v6";
const DISCOVER_ACCEPT =
  "application/vnd.restate.endpointmanifest.v1+json, application/vnd.restate.endpointmanifest.v2+json, " +
  "application/vnd.restate.endpointmanifest.v3+json, application/vnd.restate.endpointmanifest.v4+json";

const greeter = lambda.service({
  name: "Greeter",
  handlers: {
    greet: async (_ctx: lambda.Context, name: string) => `Hello ${name}`,
    requestId: async (ctx: lambda.Context) => (ctx.request().extraArgs[0] as { awsRequestId?: string } | undefined)?.awsRequestId ?? "none",
    big: async (_ctx: lambda.Context, size: number) => "x".repeat(size),
  },
});

const handler = lambda.endpoint().bind(greeter).handler();
const b64 = (bytes: Uint8Array | string) => Buffer.from(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes).toString("base64");
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

/** The event restate-server sends when it invokes a Lambda: path, httpMethod, headers, body (always base64, "" if empty). */
function v1Event(path: string, method: string, headers: Record<string, string>, body?: Uint8Array) {
  return { path, httpMethod: method, headers, body: body ? b64(body) : "", isBase64Encoded: true };
}

function v2Event(path: string, method: string, headers: Record<string, string>, body?: Uint8Array, extra: Record<string, unknown> = {}) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers,
    requestContext: { http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1" }, domainName: "abc.lambda-url.eu-west-1.on.aws" },
    ...(body ? { body: b64(body), isBase64Encoded: true } : { isBase64Encoded: false }),
    ...extra,
  };
}

const invokeBody = (name: string) => concat([start(1), input(name)]);

function messagesOf(result: lambda.LambdaHttpResult): Message[] {
  expect(result.isBase64Encoded).toBe(true);
  return decodeAll([unb64(result.body)]);
}

function headersOf(result: lambda.LambdaHttpResult): Record<string, string> {
  return ("headers" in result ? result.headers : undefined) ?? {};
}

function outputText(messages: Message[]): string {
  expect(messages.map((m) => m.type)).toEqual([MessageType.OutputCommand, MessageType.End]);
  return text((messages[0]!.message as { value: { content: Uint8Array } }).value.content);
}

describe("perdure/lambda: discovery and invocations", () => {
  it("answers discovery for an API Gateway v1 event (the shape restate-server sends)", async () => {
    const result = await handler(v1Event("/discover", "GET", { accept: DISCOVER_ACCEPT, "x-restate-cluster-name": "c" }));
    expect(result.statusCode).toBe(200);
    expect(headersOf(result)["content-type"]).toBe("application/vnd.restate.endpointmanifest.v4+json");
    expect(result.isBase64Encoded).toBe(true);
    const manifest = JSON.parse(new TextDecoder().decode(unb64(result.body))) as { protocolMode: string; services: { name: string }[] };
    expect(manifest.protocolMode).toBe("REQUEST_RESPONSE");
    expect(manifest.services.map((s) => s.name)).toEqual(["Greeter"]);
  });

  it("accepts a null or missing body (API Gateway's way of saying empty)", async () => {
    for (const body of [null, undefined]) {
      const result = await handler({ path: "/discover", httpMethod: "GET", headers: { accept: DISCOVER_ACCEPT }, body, isBase64Encoded: false });
      expect(result.statusCode).toBe(200);
    }
  });

  it("answers discovery for a v2 / function URL event, also under a path prefix", async () => {
    const result = await handler(v2Event("/stage/restate/discover", "GET", { accept: DISCOVER_ACCEPT }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(new TextDecoder().decode(unb64(result.body))).services[0].name).toBe("Greeter");
  });

  it("runs an invocation from a v1 event with a base64 Start+Input body", async () => {
    const result = await handler(v1Event("/invoke/Greeter/greet", "POST", { "content-type": V6, accept: V6 }, invokeBody("Ann")));
    expect(result.statusCode).toBe(200);
    expect(headersOf(result)["content-type"]).toBe(V6);
    expect(outputText(messagesOf(result))).toBe('"Hello Ann"');
  });

  it("runs an invocation from a v2 event", async () => {
    const result = await handler(v2Event("/invoke/Greeter/greet", "POST", { "content-type": V6 }, invokeBody("Bo")));
    expect(result.statusCode).toBe(200);
    expect(outputText(messagesOf(result))).toBe('"Hello Bo"');
  });

  it("passes the Lambda context to handlers as ctx.request().extraArgs[0]", async () => {
    const result = await handler(v1Event("/invoke/Greeter/requestId", "POST", { "content-type": V6 }, invokeBody("x")), {
      awsRequestId: "req-42",
      functionName: "f",
    });
    expect(outputText(messagesOf(result))).toBe('"req-42"');
  });

  it("createEndpointHandler returns a Lambda handler too; bidirectional is refused", async () => {
    const h = lambda.createEndpointHandler({ services: [greeter] });
    expect(outputText(messagesOf(await h(v1Event("/invoke/Greeter/greet", "POST", { "content-type": V6 }, invokeBody("Cy")))))).toBe('"Hello Cy"');
    expect(() => lambda.createEndpointHandler({ services: [greeter], bidirectional: true } as never)).toThrow(/bidirectional/);
    // As on Workers, the builder has every shared method: bidirectional(true) fails at once, (false) is accepted.
    expect(() => lambda.endpoint().bind(greeter).bidirectional()).toThrow(/not possible on AWS Lambda/);
    const rr = lambda.endpoint().bind(greeter).bidirectional(false).handler();
    expect(outputText(messagesOf(await rr(v1Event("/invoke/Greeter/greet", "POST", { "content-type": V6 }, invokeBody("Di")))))).toBe('"Hello Di"');
  });

  it("re-exports the whole core API, so `import * as restate from \"perdure/lambda\"` works", () => {
    for (const name of Object.keys(core)) expect(lambda, name).toHaveProperty(name);
    expect(lambda.TerminalError).toBe(core.TerminalError);
    expect(lambda.serde).toBe(core.serde);
    expect(lambda.endpoint).not.toBe(core.endpoint);
    expect(typeof lambda.lambdaHandler).toBe("function");
  });

  it("checks request identity when keys are configured (withIdentityV1)", async () => {
    const signed = lambda.endpoint().bind(greeter).withIdentityV1(TEST_KEY_ID).handler();
    const unsigned = await signed(v1Event("/invoke/Greeter/greet", "POST", { "content-type": V6 }, invokeBody("x")));
    expect(unsigned.statusCode).toBe(401);
    const token = await mint(serverClaims("/invoke/Greeter/greet"));
    const ok = await signed(v1Event("/invoke/Greeter/greet", "POST", { "content-type": V6, ...signedHeaders(token) }, invokeBody("Di")));
    expect(outputText(messagesOf(ok))).toBe('"Hello Di"');
  });

  it("answers 404/415 of the core unchanged", async () => {
    expect((await handler(v1Event("/invoke/Nope/greet", "POST", { "content-type": V6 }, invokeBody("x")))).statusCode).toBe(404);
    expect((await handler(v1Event("/invoke/Greeter/greet", "POST", { "content-type": "application/json" }, invokeBody("x")))).statusCode).toBe(415);
  });
});

describe("lambdaHandler: event and result translation", () => {
  type Seen = { method: string; url: string; headers: Record<string, string>; body: Uint8Array; extra: unknown[] };
  function echo(respond?: (seen: Seen) => Response) {
    const seen: Seen[] = [];
    const h = lambda.lambdaHandler(async (request: Request, ...extra: unknown[]) => {
      const s: Seen = {
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: new Uint8Array(await request.arrayBuffer()),
        extra,
      };
      seen.push(s);
      return respond ? respond(s) : new Response(s.body as Uint8Array<ArrayBuffer>, { status: 201, headers: { "x-echo": "1" } });
    });
    return { h, seen };
  }

  it("round-trips binary bodies through base64 for v1, v2 and ALB events", async () => {
    const { h } = echo();
    for (const size of [0, 1, 2, 3, 4, 255, 256, 65_537, 1_000_001]) {
      const bytes = new Uint8Array(size).map((_, i) => (i * 131 + size) & 255);
      const events = [
        v1Event("/echo", "POST", {}, bytes),
        v2Event("/echo", "POST", {}, bytes),
        { requestContext: { elb: { targetGroupArn: "arn:tg" } }, httpMethod: "POST", path: "/echo", headers: {}, body: b64(bytes), isBase64Encoded: true },
      ];
      for (const event of events) {
        const result = await h(event);
        expect(result.statusCode).toBe(201);
        expect(result.isBase64Encoded).toBe(true);
        expect(Buffer.compare(unb64(result.body), bytes), `size ${size}`).toBe(0);
      }
    }
  });

  it("takes a body that is not base64-encoded as UTF-8 text", async () => {
    const { h, seen } = echo();
    await h({ httpMethod: "POST", path: "/t", headers: {}, body: "héllo", isBase64Encoded: false });
    expect(new TextDecoder().decode(seen[0]!.body)).toBe("héllo");
  });

  it("v1: prefers multiValueHeaders, rebuilds the query string, uses the host header", async () => {
    const { h, seen } = echo();
    await h({
      httpMethod: "get",
      path: "/a b/discover",
      headers: { host: "api.example.com", "x-multi": "last" },
      multiValueHeaders: { host: ["api.example.com"], "x-multi": ["first", "last"] },
      queryStringParameters: { q: "x y" },
      multiValueQueryStringParameters: { q: ["x y", "z&w"] },
      body: "ignored for GET",
      isBase64Encoded: false,
    });
    expect(seen[0]!.method).toBe("GET");
    expect(seen[0]!.url).toBe("https://api.example.com/a%20b/discover?q=x+y&q=z%26w");
    expect(seen[0]!.headers["x-multi"]).toBe("first, last");
    expect(seen[0]!.body.length).toBe(0);
  });

  it("v2: rawQueryString, cookies in, set-cookie out as cookies, domain name as host", async () => {
    const { h, seen } = echo(() => {
      const headers = new Headers({ "content-type": "text/plain" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("ok", { headers });
    });
    const result = (await h(v2Event("/p", "POST", { "x-h": "1,2" }, undefined, { rawQueryString: "a=1&b=%20", cookies: ["s=1", "t=2"] }))) as lambda.ApiGatewayV2Result;
    expect(seen[0]!.url).toBe("https://abc.lambda-url.eu-west-1.on.aws/p?a=1&b=%20");
    expect(seen[0]!.headers.cookie).toBe("s=1; t=2");
    expect(seen[0]!.headers["x-h"]).toBe("1,2");
    expect(result.cookies).toEqual(["a=1", "b=2"]);
    expect(result.headers).toEqual({ "content-type": "text/plain" });
    expect(new TextDecoder().decode(unb64(result.body))).toBe("ok");
  });

  it("v1: several set-cookie values go to multiValueHeaders", async () => {
    const { h } = echo(() => {
      const headers = new Headers();
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response(null, { status: 204, headers });
    });
    const result = (await h(v1Event("/x", "GET", {}))) as lambda.ApiGatewayV1Result;
    expect(result.statusCode).toBe(204);
    expect(result.multiValueHeaders).toEqual({ "set-cookie": ["a=1", "b=2"] });
    expect(result.body).toBe("");
  });

  it("ALB: query values passed through verbatim, statusDescription, multi-value headers when the event had them", async () => {
    const { h, seen } = echo();
    const albEvent = {
      requestContext: { elb: { targetGroupArn: "arn:tg" } },
      httpMethod: "POST",
      path: "/x",
      multiValueQueryStringParameters: { q: ["a%20b"] },
      multiValueHeaders: { host: ["lb.example"], "x-a": ["1", "2"] },
      body: "",
      isBase64Encoded: false,
    };
    const result = (await h(albEvent)) as lambda.AlbResult;
    expect(seen[0]!.url).toBe("https://lb.example/x?q=a%20b");
    expect(seen[0]!.headers["x-a"]).toBe("1, 2");
    expect(result.statusDescription).toBe("201 Created");
    expect(result.multiValueHeaders?.["x-echo"]).toEqual(["1"]);
    expect(result.headers).toBeUndefined();
  });

  it("passes the context as the only extra argument, none without one", async () => {
    const { h, seen } = echo();
    await h(v1Event("/x", "GET", {}), { awsRequestId: "r1" });
    await h(v1Event("/x", "GET", {}));
    expect(seen[0]!.extra).toEqual([{ awsRequestId: "r1" }]);
    expect(seen[1]!.extra).toEqual([]);
  });

  it("wraps an existing fetch handler: a Hono app with the endpoint under /restate", async () => {
    const app = new Hono();
    app.get("/ping", (c) => c.text("pong"));
    app.route("/restate", restateRoutes(core.endpoint().bind(greeter).handler()));
    const h = lambda.lambdaHandler(app);
    const pong = await h(v2Event("/ping", "GET", {}));
    expect(new TextDecoder().decode(unb64(pong.body))).toBe("pong");
    const result = await h(v2Event("/restate/invoke/Greeter/greet", "POST", { "content-type": V6 }, invokeBody("Hu")));
    expect(outputText(messagesOf(result))).toBe('"Hello Hu"');
  });

  it("answers 500 with a message when the fetch handler throws", async () => {
    const h = lambda.lambdaHandler(() => {
      throw new TypeError("kaputt");
    });
    const result = await h(v1Event("/invoke/A/b", "POST", {}, new Uint8Array([1])));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).message).toContain("TypeError: kaputt");
  });

  it("refuses compressed request bodies with 415 (the endpoint never offers lambdaCompression)", async () => {
    const result = await handler(v1Event("/invoke/Greeter/greet", "POST", { "content-type": V6, "content-encoding": "zstd" }, invokeBody("x")));
    expect(result.statusCode).toBe(415);
    expect(JSON.parse(result.body).message).toContain("zstd");
  });
});

describe("lambdaHandler: the 6 MB response limit", () => {
  const LIMIT = lambda.LAMBDA_SYNC_RESPONSE_LIMIT;

  it("is 6 MB", () => expect(LIMIT).toBe(6 * 1024 * 1024));

  it("an invocation whose output is too large ends in a protocol ErrorMessage naming the limit and the size", async () => {
    const result = await handler(v1Event("/invoke/Greeter/big", "POST", { "content-type": V6 }, concat([start(1), input(5_000_000)])));
    expect(result.statusCode).toBe(200);
    expect(headersOf(result)["content-type"]).toBe(V6);
    expect(JSON.stringify(result).length).toBeLessThan(LIMIT);
    const messages = messagesOf(result);
    expect(messages.map((m) => m.type)).toEqual([MessageType.Error]);
    const error = messages[0]!.message as { code: number; message: string };
    expect(error.code).toBe(500);
    expect(error.message).toMatch(/response too large for AWS Lambda/);
    expect(error.message).toContain(`${LIMIT}-byte limit (6 MB)`);
    expect(error.message).toMatch(/would be (\d+) bytes \(a (\d+)-byte body/);
    const [, payload, body] = /would be (\d+) bytes \(a (\d+)-byte body/.exec(error.message)!;
    expect(Number(body)).toBeGreaterThan(5_000_000);
    expect(Number(payload)).toBeGreaterThan(LIMIT);
  });

  it("a result of exactly the limit passes; 3 more body bytes give a 500 naming the limit", async () => {
    const sized = (n: number) => lambda.lambdaHandler(() => new Response(new Uint8Array(n), { headers: { "content-type": "application/octet-stream" } }));
    const overhead = JSON.stringify(await sized(0)(v1Event("/x", "GET", {}))).length;
    const fits = Math.floor((LIMIT - overhead) / 4) * 3;
    const atLimit = await sized(fits)(v1Event("/x", "GET", {}));
    expect(atLimit.statusCode).toBe(200);
    expect(JSON.stringify(atLimit).length).toBeLessThanOrEqual(LIMIT);
    expect(JSON.stringify(atLimit).length).toBeGreaterThan(LIMIT - 4);
    const over = await sized(fits + 3)(v1Event("/x", "GET", {}));
    expect(over.statusCode).toBe(500);
    expect(over.isBase64Encoded).toBe(false);
    expect(JSON.parse(over.body).message).toContain(`over the ${LIMIT}-byte limit (6 MB)`);
  });

  it("the limit can be lowered", async () => {
    const h = lambda.lambdaHandler(() => new Response(new Uint8Array(1000)), { maxResponseBytes: 1000 });
    const result = await h(v2Event("/x", "GET", {}));
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body).message).toContain("over the 1000-byte limit");
  });
});

describe("lambdaHandler: malformed events get a 400 with a reason", () => {
  const cases: [string, unknown, RegExp][] = [
    ["undefined", undefined, /got undefined/],
    ["null", null, /got null/],
    ["a string", "GET /discover", /got a string/],
    ["an array", [1, 2], /got an array/],
    ["an empty object", {}, /not an HTTP event.*keys: none/],
    ["a non-HTTP event (SQS)", { Records: [{ body: "x" }] }, /not an HTTP event.*keys: Records/],
    ["v1 without path", { httpMethod: "POST", headers: {} }, /no path \(path\)/],
    ["v1 without method", { path: "/discover", headers: {} }, /no HTTP method \(httpMethod\)/],
    ["v2 without requestContext", { version: "2.0", rawPath: "/discover" }, /requestContext\.http\.method/],
    ["v2 without rawPath", { version: "2.0", requestContext: { http: { method: "GET" } } }, /no path \(rawPath\)/],
    ["a body that is not a string", { httpMethod: "POST", path: "/x", body: 42 }, /body must be a string, got number/],
    ["a body that is not base64", { httpMethod: "POST", path: "/x", body: "not base64!", isBase64Encoded: true }, /not base64 \(invalid base64: character " "/],
    ["headers that are not an object", { httpMethod: "POST", path: "/x", headers: "a: b" }, /headers must be an object/],
    ["an invalid header name", { httpMethod: "GET", path: "/x", headers: { "bad name": "v" } }, /header "bad name"/],
    ["an invalid method", { httpMethod: "GE T", path: "/x" }, /cannot build a request/],
  ];
  for (const [what, event, reason] of cases) {
    it(what, async () => {
      const result = await handler(event as never);
      expect(result.statusCode).toBe(400);
      expect(result.isBase64Encoded).toBe(false);
      expect(headersOf(result)["content-type"]).toBe("application/json");
      expect(JSON.parse(result.body).message).toMatch(reason);
    });
  }

  it("answers in the event's own shape (v2 stays v2)", async () => {
    const result = await handler({ version: "2.0", rawPath: "/x" } as never);
    expect(result.statusCode).toBe(400);
    expect("statusDescription" in result).toBe(false);
    const alb = await handler({ requestContext: { elb: {} }, path: "/x" } as never);
    expect(alb.statusCode).toBe(400);
    expect((alb as lambda.AlbResult).statusDescription).toBe("400 Bad Request");
  });
});
