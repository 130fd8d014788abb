// A perdure endpoint as a Cloudflare Worker: a greeter that counts visits in a virtual object.
//
//   npx wrangler dev            (wrangler.toml at the repository root points here)
//   restate deployments register http://127.0.0.1:8787 --use-http1.1
//   curl localhost:8080/Greeter/greet --json '"Ada"'      → "Welcome, Ada! (visit 1)"
//
// Workers serve request-response over HTTP/1.1 only: register the deployment with `use_http_11: true`.
import * as restate from "../../adapters/cloudflare/index.js";

/** Bindings declared in wrangler.toml ([vars]). */
interface Env {
  GREETING: string;
}

const counter = restate.object({
  name: "Counter",
  handlers: {
    add: async (ctx: restate.ObjectContext, delta: number): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<number> => {
      return (await ctx.get<number>("count")) ?? 0;
    }),
  },
});

const greeter = restate.service({
  name: "Greeter",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      // env is not journaled: read it into the journal once, so retries and replays see the same value.
      const greeting = await ctx.run("greeting", () => restate.workerEnv<Env>(ctx).GREETING);
      const visits = await ctx.objectClient(counter, name).add(1);
      return `${greeting}, ${name}! (visit ${visits})`;
    },
    /** Greets after a durable timer: the Worker is not kept running while it waits. */
    greetLater: async (ctx: restate.Context, req: { name: string; delayMs: number }): Promise<string> => {
      await ctx.sleep(req.delayMs);
      return ctx.serviceClient(greeter).greet(req.name);
    },
  },
});

export default restate.endpoint().bind(greeter).bind(counter).handler();
