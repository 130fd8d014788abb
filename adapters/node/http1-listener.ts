// A Node request listener (`http.createServer(listener)`) that runs a fetch-style handler (Request → Response).
// Only types come from Node here, so runtimes with Node-compatible servers (Bun, Deno) can use it without the
// root entry importing Node modules.
import type * as http from "node:http";
import { rawPrepareOf, type RawInvocation } from "../../src/endpoint/adapter-api.js";
import { webBodyStream } from "./body.js";
import { toFetchFunction, type FetchHandlerLike } from "./types.js";

function toRequest(req: http.IncomingMessage, signal: AbortSignal): Request {
  const host = req.headers.host ?? `${req.socket.localAddress ?? "127.0.0.1"}:${req.socket.localPort ?? 80}`;
  const url = new URL(req.url ?? "/", `http://${host}`);
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.startsWith(":")) continue;
    headers.append(name, raw[i + 1]!);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal };
  if (hasBody) {
    init.body = webBodyStream(req, "request body aborted by the client");
    init.duplex = "half"; // required by undici for streamed request bodies
  }
  return new Request(url, init);
}

function waitForDrainOrClose(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function writeResponse(response: Response, res: http.ServerResponse, method: string | undefined): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const setCookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  if (setCookies.length > 0) res.setHeader("set-cookie", setCookies);
  if (response.body === null || method === "HEAD") {
    response.body?.cancel().catch(() => {}); // HEAD: the head is all the client gets
    res.end();
    return;
  }
  // Send the head now: in streaming modes the peer waits for it before the first frame.
  res.flushHeaders();
  const reader = response.body.getReader();
  const onClose = () => {
    if (!res.writableFinished) reader.cancel(new Error("client closed the connection")).catch(() => {});
  };
  res.on("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      // Each write goes to the socket right away (the server sets TCP_NODELAY).
      if (!res.write(value)) await waitForDrainOrClose(res);
    }
    res.end();
  } finally {
    res.off("close", onClose);
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * The fast path (a perdure core handler in request-response mode): read the body into one array, hand bytes and
 * header pairs to the core, write its answer in one go — no Request, Response, streams or AbortController.
 */
function serveRaw(invoke: RawInvocation, req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Uint8Array[] = [];
  let size = 0;
  req.on("data", (chunk: Uint8Array) => {
    chunks.push(chunk);
    size += chunk.length;
  });
  req.on("end", () => {
    let body: Uint8Array;
    if (chunks.length === 1) body = chunks[0]!;
    else {
      body = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        body.set(c, at);
        at += c.length;
      }
    }
    invoke(body).then(
      (answer) => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      },
      (err: unknown) => {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`Internal error while handling ${req.method} ${req.url}: ${describeError(err)}\n`);
      },
    );
  });
  // A client that goes away mid-body: nothing was started, nothing to answer.
  req.on("error", () => {});
}

/** A request listener for `http.createServer` that runs `handler` for every request. */
export function createHttp1Listener(handler: FetchHandlerLike): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const fetchFn = toFetchFunction(handler);
  const prepare = rawPrepareOf(handler);
  return (req, res) => {
    const raw = prepare?.(req.method ?? "GET", req.url ?? "/", req.rawHeaders);
    if (raw) return serveRaw(raw, req, res);
    const aborter = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) aborter.abort(new Error("client closed the connection"));
    });
    const run = async () => {
      let response: Response;
      try {
        response = await fetchFn(toRequest(req, aborter.signal));
      } catch (err) {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`Internal error while handling ${req.method} ${req.url}: ${describeError(err)}\n`);
        return;
      }
      await writeResponse(response, res, req.method);
    };
    run().catch((err: unknown) => {
      // The head may be out already; cutting the connection is the only honest signal left.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end(`Internal error while sending the response: ${describeError(err)}\n`);
      } else {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    });
  };
}
