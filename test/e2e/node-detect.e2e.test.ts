// perdure/node's one-port server over raw sockets: the version is decided per connection from its first bytes (the
// h2c preface, even when it trickles in byte by byte, or anything else as HTTP/1.1), connections that leave early
// or stall are closed without leaks, garbage gets Node's 400. Also the Node-flavoured entry points (endpoint(),
// handler(), http1Handler(), http2Handler(), createEndpointHandler) answer discovery in the mode of their version.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import * as restate from "../../adapters/node/index.js";
import * as core from "../../src/index.js";
import { detectHttpVersion, HTTP2_PREFACE, listen, type DetectedVersion, type DualProtocolServer } from "../../adapters/node/index.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (s: string) => new TextEncoder().encode(s);

async function until(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A listen() server that answers "<method> <path> <body>" and records each detected version. */
async function echoServer(opts: { detectTimeoutMs?: number } = {}) {
  const detected: Array<{ version: DetectedVersion; reads: number }> = [];
  const server = await listen(async (req: Request) => new Response(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`), 0, {
    ...opts,
    onDetected: (version, reads) => detected.push({ version, reads }),
  });
  cleanups.push(() => server.close());
  return { server, detected };
}

/** Writes `parts` (pausing `gapMs` after each) on a raw connection and collects everything until the server closes. */
function rawExchange(port: number, parts: Uint8Array[], opts: { gapMs?: number; end?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    let received = "";
    socket.on("data", (d) => (received += d.toString("latin1")));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
    socket.on("connect", async () => {
      for (const part of parts) {
        await new Promise<void>((done) => socket.write(part, () => done()));
        if (opts.gapMs) await sleep(opts.gapMs);
      }
      if (opts.end) socket.end();
    });
  });
}

/** A connection for http2.connect that sends its first `dribble` bytes one at a time, `gapMs` apart. */
function dribblingConnection(port: number, dribble: number, gapMs: number): Duplex {
  const socket = net.connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  let sent = 0;
  const write = (bytes: Uint8Array) => new Promise<void>((done, fail) => socket.write(bytes, (err) => (err ? fail(err) : done())));
  const duplex = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      (async () => {
        let offset = 0;
        for (; sent < dribble && offset < chunk.length; offset++, sent++) {
          await write(chunk.subarray(offset, offset + 1));
          await sleep(gapMs);
        }
        if (offset < chunk.length) await write(chunk.subarray(offset));
      })().then(() => callback(), callback);
    },
    read() {
      socket.resume();
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy();
      callback(err);
    },
  });
  socket.on("data", (d) => {
    if (!duplex.push(d)) socket.pause();
  });
  socket.on("end", () => duplex.push(null));
  socket.on("error", (e) => duplex.destroy(e));
  return duplex;
}

function h2Request(session: http2.ClientHttp2Session, path: string, method = "GET", body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":path": path, ":method": method });
    let out = "";
    let status = 0;
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.setEncoding("utf8");
    stream.on("data", (d: string) => (out += d));
    stream.on("end", () => resolve({ status, body: out }));
    stream.on("error", reject);
    stream.end(body);
  });
}

function connectH2(url: string, createConnection?: () => Duplex): http2.ClientHttp2Session {
  const session = createConnection ? http2.connect(url, { createConnection }) : http2.connect(url);
  session.on("error", () => {});
  cleanups.push(() => void session.destroy());
  return session;
}

describe("detectHttpVersion", () => {
  it("waits while the bytes are a proper prefix of the preface, then says h2c", () => {
    for (let n = 0; n < HTTP2_PREFACE.length; n++) expect(detectHttpVersion(HTTP2_PREFACE.subarray(0, n))).toBeUndefined();
    expect(detectHttpVersion(HTTP2_PREFACE)).toBe("h2c");
    expect(detectHttpVersion(new Uint8Array([...HTTP2_PREFACE, 0, 0, 0, 4]))).toBe("h2c");
  });

  it("says http/1.1 at the first byte that differs", () => {
    expect(detectHttpVersion(text("G"))).toBe("http/1.1");
    expect(detectHttpVersion(text("PO"))).toBe("http/1.1");
    expect(detectHttpVersion(text("PRI * HTTP/1.1"))).toBe("http/1.1");
    expect(detectHttpVersion(new Uint8Array([0x16, 0x03, 0x01]))).toBe("http/1.1"); // a TLS ClientHello
  });
});

describe("listen(): HTTP/2 and HTTP/1.1 on one port", { timeout: 10_000 }, () => {
  it("serves h2c when the preface arrives one byte at a time", async () => {
    const { server, detected } = await echoServer();
    const session = connectH2(server.url, () => dribblingConnection(server.port, HTTP2_PREFACE.length, 2));
    expect(await h2Request(session, "/over/h2", "POST", "slow preface")).toEqual({ status: 200, body: "POST /over/h2 slow preface" });
    // A second stream on the same session: the connection stays with the HTTP/2 server.
    expect(await h2Request(session, "/again")).toEqual({ status: 200, body: "GET /again " });
    expect(detected).toHaveLength(1);
    expect(detected[0]!.version).toBe("h2c");
    expect(detected[0]!.reads).toBeGreaterThan(1); // it really waited across fragments
  });

  it("serves h2c with the whole preface in one read", async () => {
    const { server, detected } = await echoServer();
    expect(await h2Request(connectH2(server.url), "/fast")).toEqual({ status: 200, body: "GET /fast " });
    expect(detected).toEqual([{ version: "h2c", reads: 1 }]);
  });

  it("serves an HTTP/1.1 GET from a raw client, and a fragmented POST", async () => {
    const { server, detected } = await echoServer();
    const get = await rawExchange(server.port, [text("GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")]);
    expect(get).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(get).toContain("GET /plain ");
    // "P", "O": a POST shares its first byte with the preface; the decision needs the second.
    const bytes = text("POST /frag HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody");
    const post = await rawExchange(server.port, [...bytes].map((b) => new Uint8Array([b])), { gapMs: 1 });
    expect(post).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(post).toContain("POST /frag body");
    expect(detected.map((d) => d.version)).toEqual(["http/1.1", "http/1.1"]);
    expect(detected[1]!.reads).toBeGreaterThanOrEqual(2);
  });

  it("keeps serving HTTP/1.1 keep-alive requests (fetch) and h2c side by side", async () => {
    const { server } = await echoServer();
    const session = connectH2(server.url);
    const results = await Promise.all([
      fetch(`${server.url}/a`, { method: "POST", body: "1" }).then((r) => r.text()),
      h2Request(session, "/b", "POST", "2").then((r) => r.body),
      fetch(`${server.url}/c`, { method: "POST", body: "3" }).then((r) => r.text()),
      h2Request(session, "/d", "POST", "4").then((r) => r.body),
    ]);
    expect(results).toEqual(["POST /a 1", "POST /b 2", "POST /c 3", "POST /d 4"]);
  });

  it("answers garbage with Node's 400 (as HTTP/1.1)", async () => {
    const { server, detected } = await echoServer();
    expect(await rawExchange(server.port, [text("HELLO THERE\r\n\r\n")])).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const tlsHello = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]);
    expect(await rawExchange(server.port, [tlsHello])).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(detected.map((d) => d.version)).toEqual(["http/1.1", "http/1.1"]);
    await until(() => server.openConnections() === 0, "garbage connections to close");
  });

  it("survives an h2c preface followed by garbage, and a preface-lookalike that turns into HTTP/1.1", async () => {
    const { server } = await echoServer();
    // Not an HTTP/2 frame after the preface: the session fails (GOAWAY) and the connection closes; the server lives on.
    await rawExchange(server.port, [HTTP2_PREFACE, text("this is not a frame header at all....")]);
    // Byte by byte: the first 11 bytes match the preface, only the 12th tells.
    const lookalike = await rawExchange(server.port, [...text("PRI * HTTP/1.1\r\nHost: x\r\n\r\n")].map((b) => new Uint8Array([b])), { gapMs: 1 });
    expect(lookalike).toMatch(/^HTTP\/1\.1 400/);
    await until(() => server.openConnections() === 0, "connections to close");
    expect(await (await fetch(`${server.url}/still`, { method: "POST", body: "up" })).text()).toBe("POST /still up");
  });

  it("closes connections that leave before deciding, without leaks or errors", async () => {
    const problems: unknown[] = [];
    const onProblem = (e: unknown) => problems.push(e);
    process.on("uncaughtException", onProblem);
    process.on("unhandledRejection", onProblem);
    try {
      const { server, detected } = await echoServer();
      // Nothing at all, then FIN.
      await rawExchange(server.port, [], { end: true });
      // Half a preface, then FIN.
      await rawExchange(server.port, [HTTP2_PREFACE.subarray(0, 10)], { end: true });
      // Half a preface, then a reset.
      await new Promise<void>((resolve) => {
        const socket = net.connect(server.port, "127.0.0.1", () => {
          socket.write(HTTP2_PREFACE.subarray(0, 5), () => setTimeout(() => socket.resetAndDestroy(), 20));
        });
        socket.on("error", () => {});
        socket.on("close", () => resolve());
      });
      await until(() => server.openConnections() === 0, "undecided connections to be released");
      expect(detected).toEqual([]);
      expect(await (await fetch(`${server.url}/after`, { method: "POST", body: "ok" })).text()).toBe("POST /after ok");
      await sleep(20);
      expect(problems).toEqual([]);
    } finally {
      process.off("uncaughtException", onProblem);
      process.off("unhandledRejection", onProblem);
    }
  });

  it("closes a connection that stalls mid-preface after detectTimeoutMs", async () => {
    const { server } = await echoServer({ detectTimeoutMs: 150 });
    const started = Date.now();
    const answer = await rawExchange(server.port, [HTTP2_PREFACE.subarray(0, 3)]);
    const elapsed = Date.now() - started;
    expect(answer).toBe("");
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(3_000);
    await until(() => server.openConnections() === 0, "stalled connection to be released");
  });

  it("close() ends idle h2 sessions, keep-alive and undecided connections at once", async () => {
    const { server } = await echoServer();
    const session = connectH2(server.url);
    await h2Request(session, "/warm");
    const agent = new http.Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    await new Promise<void>((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: server.port, path: "/ka", agent }, (res) => res.resume().on("end", resolve)).on("error", reject);
    });
    const undecided = net.connect(server.port, "127.0.0.1");
    undecided.on("error", () => {});
    cleanups.push(() => void undecided.destroy());
    await new Promise<void>((r) => undecided.on("connect", () => undecided.write("PRI", () => r())));
    await until(() => server.openConnections() === 3, "three open connections");
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(server.openConnections()).toBe(0);
  });
});

// The Node-flavoured builder: discovery is answered in the mode that suits the HTTP version it is asked over.
const greeter = restate.service({
  name: "NodeGreeter",
  handlers: { greet: async (_ctx: restate.Context, name: string) => `hi ${name}` },
});

async function discoverH1(url: string): Promise<string> {
  const res = await fetch(`${url}/discover`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { protocolMode: string }).protocolMode;
}

async function discoverH2(url: string): Promise<string> {
  const { status, body } = await h2Request(connectH2(url), "/discover");
  expect(status).toBe(200);
  return (JSON.parse(body) as { protocolMode: string }).protocolMode;
}

function listenOn<T extends http.Server | http2.Http2Server>(server: T): Promise<string> {
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`)));
}

describe("perdure/node entry points", { timeout: 10_000 }, () => {
  it("re-exports the core API", () => {
    expect(typeof restate.service).toBe("function");
    expect(typeof restate.object).toBe("function");
    expect(typeof restate.serde.json.serialize).toBe("function");
    expect(new restate.TerminalError("x")).toBeInstanceOf(restate.RestateError);
  });

  it("endpoint().listen(port) serves both versions: bidirectional over h2c, request-response over HTTP/1.1", async () => {
    const ep = restate.endpoint().bind(greeter);
    cleanups.push(() => ep.close());
    const port = await ep.listen(0, { hostname: "127.0.0.1" });
    expect(port).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${port}`;
    expect(await discoverH1(url)).toBe("REQUEST_RESPONSE");
    expect(await discoverH2(url)).toBe("BIDI_STREAM");
    await ep.close();
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it("bidirectional(false) forces request-response on both versions; (true) forces bidirectional", async () => {
    const rr = restate.endpoint().bind(greeter).bidirectional(false);
    const bidi = restate.endpoint().bind(greeter).bidirectional(true);
    cleanups.push(() => rr.close(), () => bidi.close());
    const rrUrl = `http://127.0.0.1:${await rr.listen(0, { hostname: "127.0.0.1" })}`;
    const bidiUrl = `http://127.0.0.1:${await bidi.listen(0, { hostname: "127.0.0.1" })}`;
    expect([await discoverH1(rrUrl), await discoverH2(rrUrl)]).toEqual(["REQUEST_RESPONSE", "REQUEST_RESPONSE"]);
    expect([await discoverH1(bidiUrl), await discoverH2(bidiUrl)]).toEqual(["BIDI_STREAM", "BIDI_STREAM"]);
  });

  it("http1Handler() plugs into http.createServer, http2Handler() into http2.createServer", async () => {
    const ep = restate.endpoint().bind(greeter);
    expect(await discoverH1(await listenOn(http.createServer(ep.http1Handler())))).toBe("REQUEST_RESPONSE");
    expect(await discoverH1(await listenOn(http.createServer(ep.http1Handler({ bidirectional: true }))))).toBe("BIDI_STREAM");
    expect(await discoverH2(await listenOn(http2.createServer(ep.http2Handler())))).toBe("BIDI_STREAM");
    expect(await discoverH2(await listenOn(http2.createServer(ep.http2Handler({ bidirectional: false }))))).toBe("REQUEST_RESPONSE");
  });

  it("handler() and createEndpointHandler() serve either version, and also carry a fetch handler", async () => {
    const combined = restate.endpoint().bind(greeter).handler();
    expect(await discoverH1(await listenOn(http.createServer(combined)))).toBe("REQUEST_RESPONSE");
    expect(await discoverH2(await listenOn(http2.createServer(combined)))).toBe("BIDI_STREAM");
    const { fetch: viaFetch } = restate.endpoint().bind(greeter).handler();
    expect(((await (await viaFetch(new Request("http://x/discover"))).json()) as { protocolMode: string }).protocolMode).toBe("REQUEST_RESPONSE");

    const listener = restate.createEndpointHandler({ services: [greeter] });
    expect(await discoverH1(await listenOn(http.createServer(listener)))).toBe("REQUEST_RESPONSE");
    expect(await discoverH2(await listenOn(http2.createServer(listener)))).toBe("BIDI_STREAM");
    const forced = restate.createEndpointHandler({ services: [greeter], bidirectional: true });
    expect(await discoverH1(await listenOn(http.createServer(forced)))).toBe("BIDI_STREAM");
  });

  it("the HTTP/2 compatibility path streams a request body larger than its buffer", async () => {
    // 1 MiB through http2.createServer(listener): the body is read through the compatibility request, so it
    // must not stall at that request's buffer limit.
    const listener = restate.createHttp2RequestListener(async (req: Request) => new Response(String((await req.arrayBuffer()).byteLength)));
    const url = await listenOn(http2.createServer(listener));
    const res = await h2Request(connectH2(url), "/upload", "POST", "x".repeat(1 << 20));
    expect(res).toEqual({ status: 200, body: String(1 << 20) });
  });

  it("listen() takes a builder: the core's (its handler()) or perdure/node's (a handler per version)", async () => {
    const serveBuilder = async (builder: Parameters<typeof listen>[0]) => {
      const server = await listen(builder);
      cleanups.push(() => server.close());
      return [await discoverH1(server.url), await discoverH2(server.url)];
    };
    expect(await serveBuilder(core.endpoint().bind(greeter))).toEqual(["REQUEST_RESPONSE", "REQUEST_RESPONSE"]);
    expect(await serveBuilder(core.endpoint().bind(greeter).bidirectional())).toEqual(["BIDI_STREAM", "BIDI_STREAM"]);
    expect(await serveBuilder(restate.endpoint().bind(greeter))).toEqual(["REQUEST_RESPONSE", "BIDI_STREAM"]);
    expect(await serveBuilder(restate.endpoint().bind(greeter).handler())).toEqual(["REQUEST_RESPONSE", "REQUEST_RESPONSE"]);
  });

  it("serve() has both shapes: a fetch handler (HTTP/1.1 server) or the official { services, port } (port number)", async () => {
    const fetchStyle: (h: restate.FetchHandlerLike, o?: restate.HttpServeOptions) => Promise<restate.RunningServer> = restate.serve;
    const officialStyle: (o: restate.ServeOptions) => Promise<number> = restate.serve;
    const running = await fetchStyle(() => new Response("fetch-style"));
    cleanups.push(() => running.close());
    expect(await (await fetch(running.url)).text()).toBe("fetch-style");
    // perdure/node's handler() is a Node listener with a `.fetch`: serve() must use the latter.
    const viaBuilder = await restate.serve(restate.endpoint().bind(greeter).handler());
    cleanups.push(() => viaBuilder.close());
    expect(await discoverH1(viaBuilder.url)).toBe("REQUEST_RESPONSE");
    // The options shape goes to the services path (which refuses an empty list before it opens a port).
    await expect(officialStyle({ services: [], port: 0, hostname: "127.0.0.1" })).rejects.toThrow(/at least one service/);
  });

  it("serveServices() serves on one port and can be closed", async () => {
    const server = await restate.serveServices({ services: [greeter], port: 0, hostname: "127.0.0.1" });
    cleanups.push(() => server.close());
    expect(await discoverH1(server.url)).toBe("REQUEST_RESPONSE");
    expect(await discoverH2(server.url)).toBe("BIDI_STREAM");
  });
});
