// The endpoint process of the chaos test, run by Bun and SIGKILLed at random points:
//   bun run test/chaos/chaos-endpoint.ts <rr|bidi>     (env PORT, COUNTER_URL)
// ChaosFlow.run executes STEPS ctx.run steps; each one increments the external counter keyed by
// (workflow key, step) over HTTP and journals the count it got back, then the workflow adds its amount to a Tally
// object through a durable call. Prints `PORT=<n>` once listening.
import * as restate from "../../src/index.js";
import { serve } from "../../adapters/bun/index.js";

const counterUrl = process.env.COUNTER_URL!;
const mode = process.argv[2] ?? "rr";

export interface FlowInput {
  steps: number;
  tallyKey: string;
  amount: number;
}
export interface StepResult {
  step: number;
  value: number;
  /** The counter's value after this execution: the number of times the step had executed when it was journaled. */
  execution: number;
}

const tally = restate.object({
  name: "Tally",
  handlers: {
    add: async (ctx: restate.ObjectContext, amount: number) => {
      const total = ((await ctx.get<number>("total")) ?? 0) + amount;
      ctx.set("total", total);
      const applied = ((await ctx.get<number>("applied")) ?? 0) + 1;
      ctx.set("applied", applied);
      return total;
    },
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => ({
      total: (await ctx.get<number>("total")) ?? 0,
      applied: (await ctx.get<number>("applied")) ?? 0,
    })),
  },
});

const chaosFlow = restate.workflow({
  name: "ChaosFlow",
  handlers: {
    run: async (ctx: restate.WorkflowContext, input: FlowInput) => {
      const steps: StepResult[] = [];
      for (let step = 1; step <= input.steps; step++) {
        steps.push(
          await ctx.run(`step-${step}`, async () => {
            const res = await fetch(`${counterUrl}/inc/${encodeURIComponent(`${ctx.key}:${step}`)}`, { method: "POST" });
            if (!res.ok) throw new Error(`counter answered ${res.status}`);
            const execution = Number(await res.text());
            return { step, value: step * 10, execution };
          }),
        );
      }
      await ctx.objectClient(tally, input.tallyKey).add(input.amount);
      return { key: ctx.key, steps };
    },
  },
});

const endpoint = restate
  .endpoint()
  .bind(tally)
  .bind(chaosFlow)
  // Retry quickly after a kill: the test measures loss, not back-off.
  .defaultServiceOptions({ retryPolicy: { initialInterval: 100, maxInterval: 1_000 } });
const server = serve(endpoint, { port: Number(process.env.PORT ?? 0), bidirectional: mode === "bidi" });
console.log(`PORT=${server.port}`);
