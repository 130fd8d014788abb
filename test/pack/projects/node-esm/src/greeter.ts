import * as restate from "perdure";
import * as msgpack from "perdure/msgpack";

export const greeter = restate.service({
  name: "PackNodeEsm",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const id = await ctx.run("id", () => "run-1");
      return `Hello ${name} (${id})`;
    },
    // MessagePack in and out: a Date survives the round trip through restate-server.
    nextDay: restate.handlers.handler({ input: msgpack.serde<Date>(), output: msgpack.serde<Date>() }, async (_ctx: restate.Context, day: Date) => {
      return new Date(day.getTime() + 86_400_000);
    }),
  },
});
