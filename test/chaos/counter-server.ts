// The external side effect of the chaos test: an HTTP counter living in the controller process, outside the
// endpoint process, so it survives every kill. POST /inc/<key> increments and returns the new count.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface CounterServer {
  url: string;
  counts: Map<string, number>;
  close(): Promise<void>;
}

export async function startCounterServer(): Promise<CounterServer> {
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const match = /^\/inc\/(.+)$/.exec(req.url ?? "");
    if (req.method !== "POST" || !match) {
      res.writeHead(404).end();
      return;
    }
    const key = decodeURIComponent(match[1]!);
    const next = (counts.get(key) ?? 0) + 1;
    counts.set(key, next);
    res.writeHead(200, { "content-type": "text/plain" }).end(String(next));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
