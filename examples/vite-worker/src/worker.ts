// A perdure endpoint as the Worker of a Vite app: @cloudflare/vite-plugin builds it (vite build) and serves it on
// workerd (vite dev / vite preview). Register the served URL with restate-server using use_http_11 (Workers speak
// HTTP/1.1 only):
//   curl localhost:9070/deployments --json '{"uri": "http://127.0.0.1:4173", "use_http_11": true}'
// In a project of your own, import from "perdure/cloudflare".
import * as restate from "../../../adapters/cloudflare/index.js";

interface Env {
  GREETING: string;
}

const visits = restate.object({
  name: "ViteVisits",
  handlers: {
    add: async (ctx: restate.ObjectContext): Promise<number> => {
      const next = ((await ctx.get<number>("n")) ?? 0) + 1;
      ctx.set("n", next);
      return next;
    },
  },
});

const greeter = restate.service({
  name: "ViteGreeter",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const greeting = await ctx.run("greeting", () => restate.workerEnv<Env>(ctx).GREETING);
      await ctx.sleep(50);
      const n = await ctx.objectClient(visits, name).add();
      return `${greeting}, ${name}! (visit ${n}, served by Vite on workerd)`;
    },
  },
});

export default restate.endpoint().bind(greeter).bind(visits).handler();
