import * as restate from "perdure";
import { serve } from "perdure/deno";

const greeter = restate.service({
  name: "PackDeno",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const id = await ctx.run("id", () => "run-1");
      return `Hello ${name} from Deno (${id})`;
    },
  },
});

const running = serve(restate.endpoint().bind(greeter), { port: Number(Deno.env.get("PORT")), bidirectional: true });
console.log(`endpoint listening on ${running.url}`);
