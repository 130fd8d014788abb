import * as restate from "perdure";
import { serve } from "perdure/bun";

const greeter = restate.service({
  name: "PackBun",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const id = await ctx.run("id", () => "run-1");
      return `Hello ${name} from Bun (${id})`;
    },
  },
});

const running = serve(restate.endpoint().bind(greeter), { port: Number(Bun.env.PORT), bidirectional: true });
console.log(`endpoint listening on ${running.url}`);
