// A CommonJS project (no "type": "module"): TypeScript emits require() calls, which load perdure's ES modules
// through Node's require(esm).
import restate = require("perdure");
import nodeAdapter = require("perdure/node");
import msgpack = require("perdure/msgpack");
import clients = require("perdure/clients");

const greeter = restate.service({
  name: "PackCjs",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const id = await ctx.run("id", () => "run-1");
      return `Hello ${name} (${id})`;
    },
    size: restate.handlers.handler({ input: msgpack.serde<Map<string, number>>(), output: restate.serde.json }, async (_ctx: restate.Context, m: Map<string, number>) => m.size),
  },
});

async function main(): Promise<void> {
  const [command, url] = process.argv.slice(2);
  if (command === "serve") {
    const server = await nodeAdapter.serve(restate.createEndpointHandler({ services: [greeter] }), { port: Number(process.env.PORT) });
    console.log(`endpoint listening on ${server.url}`);
    process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
  } else {
    const rs = clients.connect({ url: url! });
    const greeting: string = await rs.serviceClient(greeter).greet("Ada");
    const size: number = await rs.serviceClient(greeter).size(new Map([["a", 1], ["b", 2]]), clients.rpc.opts({ input: msgpack.serde<Map<string, number>>() }));
    console.log(JSON.stringify({ greeting, size }));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
