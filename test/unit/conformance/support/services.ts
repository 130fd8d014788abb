// The test services the captures were made with (CAPTURES.md §1), rewritten with perdure's public API.
// Exact behaviour (names, return values, serde) is inferred from the decoded sidecars so that the outputs can match
// the official SDK's bytes:
//   Greeter.hello(name)      → "Hello <name>"                              (v6-h1-hello: OutputCommand "\"Hello Alice\"")
//   Greeter.greet(name)      → run "step" → 1, sleep 10 ms, "Hello <name> <n>" (RunCommand name "step", value "1"; SleepCommand without name)
//   Greeter.awake(tag)       → awakeable, run "publish" → its id, await it, "woken <JSON of the value>"
//   Greeter.failTerminal()   → TerminalError("nope", 409)
//   Greeter.flaky(tag)       → plain Error "flaky attempt N" for N < 3, then "ok after N"
//   Greeter.longSleep()      → sleep 1 h (then cancelled)
//   Greeter.rand()           → { random, uuid, id: ctx.request().id }       (key order as in the captured JSON)
//   Greeter.caller(name)     → call Greeter.hello(name), then send Greeter.hello(name + "-bg"), "caller got <result>"
//   Counter.add(n)           → count = (get("count") ?? 0) + n; set; return count   (eager state)
//   Counter.get()            → shared, get("count")
//   LazyCounter.add(n)       → like Counter.add, then stateKeys(): { total, keys }  (enableLazyState)

import * as restate from "../../../../src/index.js";

/** Sleep of Greeter.greet and Greeter.longSleep, for checking wake_up_time. */
export const GREET_SLEEP_MS = 10;
export const LONG_SLEEP_MS = 60 * 60 * 1000;

/**
 * The attempt number Greeter.flaky sees, per invocation id. The harness sets it from the captured StartMessage
 * (retry_count_since_last_stored_entry + 1), which is what a process-local counter in the capture endpoint counted.
 */
export const flakyAttempts = new Map<string, number>();

type GreeterHandlers = { hello: (ctx: restate.Context, name: string) => Promise<string> };
// A reference to the service itself, for caller (the definition below cannot name itself while being built).
const greeterRef: restate.ServiceDefinition<"Greeter", GreeterHandlers> = { name: "Greeter" };

export const greeter = restate.service({
  name: "Greeter",
  handlers: {
    hello: async (_ctx: restate.Context, name: string): Promise<string> => `Hello ${name}`,

    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const n = await ctx.run("step", () => 1);
      await ctx.sleep(GREET_SLEEP_MS);
      return `Hello ${name} ${n}`;
    },

    awake: async (ctx: restate.Context, _tag: string): Promise<string> => {
      const { id, promise } = ctx.awakeable<unknown>();
      await ctx.run("publish", () => id);
      const value = await promise;
      return `woken ${JSON.stringify(value)}`;
    },

    failTerminal: async (_ctx: restate.Context): Promise<string> => {
      throw new restate.TerminalError("nope", { errorCode: 409 });
    },

    flaky: async (ctx: restate.Context, _tag: string): Promise<string> => {
      const attempt = flakyAttempts.get(ctx.request().id);
      if (attempt === undefined) throw new restate.TerminalError("test harness did not set the attempt number");
      if (attempt < 3) throw new Error(`flaky attempt ${attempt}`);
      return `ok after ${attempt}`;
    },

    longSleep: async (ctx: restate.Context): Promise<string> => {
      await ctx.sleep(LONG_SLEEP_MS);
      return "slept";
    },

    rand: async (ctx: restate.Context) => ({
      random: ctx.rand.random(),
      uuid: ctx.rand.uuidv4(),
      id: ctx.request().id,
    }),

    caller: async (ctx: restate.Context, name: string): Promise<string> => {
      const result = await ctx.serviceClient(greeterRef).hello(name);
      ctx.serviceSendClient(greeterRef).hello(`${name}-bg`);
      return `caller got ${result}`;
    },
  },
});

const counterHandlers = {
  add: async (ctx: restate.ObjectContext, n: number): Promise<number> => {
    const count = ((await ctx.get<number>("count")) ?? 0) + n;
    ctx.set("count", count);
    return count;
  },
  get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<number> => {
    return (await ctx.get<number>("count")) ?? 0;
  }),
};

export const counter = restate.object({ name: "Counter", handlers: counterHandlers });

export const lazyCounter = restate.object({
  name: "LazyCounter",
  handlers: {
    add: async (ctx: restate.ObjectContext, n: number) => {
      const total = ((await ctx.get<number>("count")) ?? 0) + n;
      ctx.set("count", total);
      const keys = await ctx.stateKeys();
      return { total, keys };
    },
  },
  options: { enableLazyState: true },
});

/** The fetch handler serving the capture services, as the capture endpoint did (request-response). */
export function captureEndpoint() {
  return restate.endpoint().bind(greeter).bind(counter).bind(lazyCounter).handler();
}
