// perdure/node's serve helpers resolve with the RunningServer every adapter shares: port, url, close(), and
// [Symbol.asyncDispose] (the same function, for `await using`). Loopback, free ports, no restate-server needed.
import { describe, expect, it } from "vitest";
import { listen, serve, serveHttp2, type RunningServer } from "../../../adapters/node/index.js";

const hello = () => new Response("ok");

async function answers(url: string): Promise<boolean> {
  try {
    return (await (await fetch(url)).text()) === "ok";
  } catch {
    return false;
  }
}

describe("perdure/node RunningServer", () => {
  const starters: Record<string, () => Promise<RunningServer>> = {
    "serve (HTTP/1.1)": () => serve(hello),
    "listen (h2c and HTTP/1.1)": () => listen(hello, 0),
  };
  for (const [name, start] of Object.entries(starters)) {
    for (const end of ["close", "asyncDispose"] as const) {
      it(`${name}: { port, url }, and ${end === "close" ? "close()" : "[Symbol.asyncDispose]()"} stops it`, async () => {
        const server = await start();
        expect(server[Symbol.asyncDispose]).toBe(server.close);
        expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
        expect(await answers(server.url)).toBe(true);
        await (end === "close" ? server.close() : server[Symbol.asyncDispose]());
        expect(await answers(server.url)).toBe(false);
      });
    }
  }

  it("serveHttp2 (h2c) has the same shape", async () => {
    const server = await serveHttp2(hello);
    expect(server[Symbol.asyncDispose]).toBe(server.close);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    await server[Symbol.asyncDispose]();
  });
});
