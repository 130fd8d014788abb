// adapters/node over real sockets: request/response translation, streaming both ways,
// errors → 500, client aborts cancel the response body without unhandled rejections.
import * as http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { serve, type FetchHandlerLike, type RunningServer } from "../../adapters/node/index.js";

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(handler: FetchHandlerLike): Promise<RunningServer> {
  running = await serve(handler);
  return running;
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// Short timeouts: a buffering adapter would deadlock the streaming tests rather than fail them.
describe("node adapter (HTTP/1.1)", { timeout: 5_000 }, () => {
  it("listens on 127.0.0.1 with a free port", async () => {
    const srv = await start(() => new Response("ok"));
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}`);
    expect(srv.port).toBeGreaterThan(0);
  });

  it("translates method, full URL, headers and body; answers status, headers and body", async () => {
    let seen: { method: string; url: string; custom: string | null; body: string } | undefined;
    const srv = await start({
      async fetch(req) {
        seen = { method: req.method, url: req.url, custom: req.headers.get("x-custom"), body: await req.text() };
        const headers = new Headers({ "content-type": "text/plain", "x-reply": "yes" });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response("created", { status: 201, headers });
      },
    });
    const res = await fetch(`${srv.url}/invoke/Svc/h?q=1`, { method: "POST", headers: { "x-custom": "v" }, body: "payload" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-reply")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.text()).toBe("created");
    expect(seen).toEqual({ method: "POST", url: `${srv.url}/invoke/Svc/h?q=1`, custom: "v", body: "payload" });
  });

  it("accepts a bare function and GET requests without a body", async () => {
    const srv = await start((req) => new Response(`${req.method} ${new URL(req.url).pathname} ${req.body === null}`));
    expect(await (await fetch(`${srv.url}/health`)).text()).toBe("GET /health true");
  });

  it("streams the response: each chunk reaches the client before the next is produced", async () => {
    const gate = deferred();
    const srv = await start(() => {
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("first;"));
          await gate.promise; // the second chunk waits until the client has the first one
          controller.enqueue(new TextEncoder().encode("second"));
          controller.close();
        },
      });
      return new Response(body);
    });
    const res = await fetch(srv.url, { method: "POST", body: "" });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe("first;");
    gate.resolve();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe("second");
  });

  it("streams the request body to the handler while the client is still sending", async () => {
    const firstChunkSeen = deferred<string>();
    const srv = await start(async (req) => {
      const reader = req.body!.getReader();
      const first = await reader.read();
      firstChunkSeen.resolve(new TextDecoder().decode(first.value));
      let rest = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rest += new TextDecoder().decode(value);
      }
      return new Response(`rest=${rest}`);
    });
    const { port } = srv;
    const answer = new Promise<string>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/stream" }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve(text));
      });
      req.on("error", reject);
      req.write("part-1");
      // Only send the end once the handler has read the first part: proves the body is not buffered whole.
      void firstChunkSeen.promise.then(() => req.end("part-2"));
    });
    expect(await firstChunkSeen.promise).toBe("part-1");
    expect(await answer).toBe("rest=part-2");
  });

  it("answers 500 with a readable message when the handler throws", async () => {
    const srv = await start(() => {
      throw new Error("handler exploded");
    });
    const res = await fetch(`${srv.url}/invoke/S/h`, { method: "POST", body: "x" });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("handler exploded");
  });

  it("answers 500 when the handler's promise rejects, and keeps serving", async () => {
    let calls = 0;
    const srv = await start(async () => {
      calls++;
      if (calls === 1) throw new TypeError("async failure");
      return new Response("fine");
    });
    const bad = await fetch(srv.url);
    expect(bad.status).toBe(500);
    expect(await bad.text()).toContain("TypeError: async failure");
    expect(await (await fetch(srv.url)).text()).toBe("fine");
  });

  it("cancels the response body when the client goes away, without unhandled rejections", async () => {
    const cancelled = deferred<unknown>();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const srv = await start((req) => {
        let timer: ReturnType<typeof setInterval> | undefined;
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            timer = setInterval(() => controller.enqueue(new TextEncoder().encode("tick\n")), 10);
          },
          cancel(reason) {
            clearInterval(timer);
            cancelled.resolve(reason);
          },
        });
        req.signal.addEventListener("abort", () => clearInterval(timer));
        return new Response(body);
      });
      const aborter = new AbortController();
      const res = await fetch(srv.url, { signal: aborter.signal });
      const reader = res.body!.getReader();
      await reader.read();
      aborter.abort();
      await expect(cancelled.promise).resolves.toBeDefined();
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      expect(await (await fetch(srv.url, { method: "HEAD" })).status).toBe(200);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("close() returns even with idle keep-alive connections", async () => {
    const srv = await start(() => new Response("ok"));
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port: srv.port, path: "/", agent }, (res) => {
          res.resume();
          res.on("end", () => resolve());
        })
        .on("error", reject);
    });
    const started = Date.now();
    await srv.close();
    running = undefined;
    expect(Date.now() - started).toBeLessThan(1000);
    agent.destroy();
  });
});
