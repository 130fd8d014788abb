// A Worker typed only by `wrangler types` (worker-configuration.d.ts: the runtime's types and this Worker's Env).
import * as restate from "perdure/cloudflare";

const greeter = restate.service({
  name: "PackWorkers",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const greeting = await ctx.run("greeting", () => restate.workerEnv<Env>(ctx).GREETING);
      restate.executionContext<ExecutionContext>(ctx).waitUntil(Promise.resolve());
      return `${greeting} ${name}`;
    },
  },
});

export default restate.endpoint().bind(greeter).handler() satisfies ExportedHandler<Env>;
