// The ONE scenario set every runtime cell deploys (Bun, Deno, workerd, Lambda (in the emulator, by ARN), Hono on Node, Node h2c).
// It builds the services from the perdure module it is given (the core, or an adapter that re-exports it), and
// imports nothing at run time, so the same file loads in Bun and Deno (TypeScript directly), in workerd and Lambda
// bundles, and in Node. Names carry a prefix so that several deployments fit on one restate-server.
// cases.ts holds the tests that drive these services.
import type * as Perdure from "../../../../src/index.js";

type Context = Perdure.Context;
type ObjectContext = Perdure.ObjectContext;
type ObjectSharedContext = Perdure.ObjectSharedContext;
type WorkflowContext = Perdure.WorkflowContext;
type WorkflowSharedContext = Perdure.WorkflowSharedContext;

/** What the scenarios need from the perdure module (`perdure`, `perdure/cloudflare`, `perdure/lambda`, …). */
export type ScenarioSdk = Pick<typeof Perdure, "service" | "object" | "workflow" | "handlers" | "CancelledError">;

/** The greeter's durable sleep. */
export const GREET_SLEEP_MS = 100;

/** The flaky step fails this many times before it succeeds. */
export const FLAKY_FAILURES = 2;

/** The long silent sleep (longer than Bun's default 10 s idle timeout; shorter than the server's 60 s inactivity timeout). */
export const LONG_NAP_MS = 15_000;

type RuntimeGlobals = {
  Bun?: { version: string };
  Deno?: { version: { deno: string } };
  navigator?: { userAgent?: string };
  process?: { versions?: { node?: string } };
};

/** Which runtime this code really runs on, read from the runtime's own globals (Bun and Deno also define `process`). */
export function runtimeName(): string {
  const g = globalThis as RuntimeGlobals;
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  if (g.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (g.process?.versions?.node) return `node ${g.process.versions.node}`;
  return "unknown";
}

export function makeScenarioServices(restate: ScenarioSdk, prefix = "") {
  // Executions of the flaky step per key, in this endpoint process (or Worker isolate).
  const flakyExecutions = new Map<string, number>();

  const greeter = restate.service({
    name: `${prefix}Greeter`,
    handlers: {
      greet: async (ctx: Context, name: string) => {
        const loud = await ctx.run("shout", () => name.toUpperCase());
        await ctx.sleep(GREET_SLEEP_MS);
        return `Hello, ${loud}!`;
      },
    },
  });

  const counter = restate.object({
    name: `${prefix}Counter`,
    handlers: {
      add: async (ctx: ObjectContext, n: number) => {
        const next = ((await ctx.get<number>("count")) ?? 0) + n;
        ctx.set("count", next);
        return next;
      },
      get: restate.handlers.object.shared(async (ctx: ObjectSharedContext) => (await ctx.get<number>("count")) ?? 0),
    },
  });

  // Where handlers leave ids (awakeable ids, "I got here" markers) for the test to pick up.
  const mailbox = restate.object({
    name: `${prefix}Mailbox`,
    handlers: {
      put: async (ctx: ObjectContext, value: string) => ctx.set("value", value),
      get: restate.handlers.object.shared(async (ctx: ObjectSharedContext) => (await ctx.get<string>("value")) ?? null),
    },
  });

  // The saga's durable record of what was reserved and released.
  const ledger = restate.object({
    name: `${prefix}Ledger`,
    handlers: {
      log: async (ctx: ObjectContext, entry: string) => {
        ctx.set("entries", [...((await ctx.get<string[]>("entries")) ?? []), entry]);
      },
      entries: restate.handlers.object.shared(async (ctx: ObjectSharedContext) => (await ctx.get<string[]>("entries")) ?? []),
    },
  });

  // A workflow whose run waits on a durable promise that a shared handler resolves.
  const approval = restate.workflow({
    name: `${prefix}Approval`,
    handlers: {
      run: async (ctx: WorkflowContext, item: string) => {
        ctx.set("stage", "waiting");
        const decision = await ctx.promise<string>("decision").get();
        ctx.set("stage", "decided");
        return `${item}: ${decision}`;
      },
      decide: restate.handlers.workflow.shared(async (ctx: WorkflowSharedContext, decision: string) => {
        await ctx.promise<string>("decision").resolve(decision);
        return "noted";
      }),
      stage: restate.handlers.workflow.shared(async (ctx: WorkflowSharedContext) => (await ctx.get<string>("stage")) ?? null),
    },
  });

  // A trip booking: two reservations, then a long wait; cancelled through the admin API, it releases what it reserved
  // (in reverse order) and ends with the CancelledError (409).
  const trip = restate.service({
    name: `${prefix}Trip`,
    handlers: {
      book: async (ctx: Context, tripId: string) => {
        const log = (entry: string) => ctx.objectClient(ledger, tripId).log(entry);
        const compensations: string[] = [];
        try {
          const flight = await ctx.run("reserve flight", () => `flight-${tripId}`);
          compensations.push(`released ${flight}`);
          await log(`reserved ${flight}`);
          const car = await ctx.run("reserve car", () => `car-${tripId}`);
          compensations.push(`released ${car}`);
          await log(`reserved ${car}`);
          await ctx.objectClient(mailbox, tripId).put("waiting for payment");
          await ctx.sleep(60_000); // the payment never comes
          return "booked";
        } catch (e) {
          if (!(e instanceof restate.CancelledError)) throw e;
          for (const undo of compensations.reverse()) await log(await ctx.run(undo, () => undo));
          throw e;
        }
      },
    },
  });

  const flows = restate.service({
    name: `${prefix}Flows`,
    handlers: {
      // Calls between services: a call to a service, a one-way send (+10) and a call (+1) to the same object key.
      greetAndCount: async (ctx: Context, name: string) => {
        const greeting = await ctx.serviceClient(greeter).greet(name);
        ctx.objectSendClient(counter, `calls-${name}`).add(10);
        const count = await ctx.objectClient(counter, `calls-${name}`).add(1);
        return { greeting, count };
      },
      // Publishes an awakeable id in a mailbox, then waits for someone to resolve it through the ingress.
      waitForAwakeable: async (ctx: Context, box: string) => {
        const { id, promise } = ctx.awakeable<string>();
        await ctx.objectClient(mailbox, box).put(id);
        return `got ${await promise}`;
      },
      // The step fails FLAKY_FAILURES times (each failure ends the attempt; the server retries), then succeeds; the
      // journaled result is the execution count seen by the step that succeeded.
      flaky: async (ctx: Context, key: string) => {
        const executions = await ctx.run(
          "flaky step",
          () => {
            const n = (flakyExecutions.get(key) ?? 0) + 1;
            flakyExecutions.set(key, n);
            if (n <= FLAKY_FAILURES) throw new Error(`flaky failure ${n} of ${key}`);
            return n;
          },
          { initialRetryInterval: 10, retryIntervalFactor: 1, maxRetryAttempts: 10 },
        );
        return { executions, executionsAfterward: flakyExecutions.get(key) ?? 0 };
      },
      threeSteps: async (ctx: Context, n: number) => {
        const a = await ctx.run("one", () => n + 1);
        const b = await ctx.run("two", () => a * 2);
        return ctx.run("three", () => `${b}!`);
      },
      // Silent for LONG_NAP_MS while the server keeps a bidirectional stream open.
      longNap: async (ctx: Context) => {
        await ctx.sleep(LONG_NAP_MS);
        return ctx.run("after", () => "rested");
      },
      // Proves where the handler ran, and that the platform's extra fetch arguments reach the handler.
      whereAmI: async (ctx: Context) => ({ runtime: runtimeName(), extraArgs: ctx.request().extraArgs.length }),
    },
  });

  // The durable-code guardrails, which live in the core and so must hold on every runtime. Each run gives up after its
  // first failure, so the guardrail's message reaches the caller instead of being retried.
  const once = { maxRetryAttempts: 0 } as const;
  const guardrails = restate.service({
    name: `${prefix}Guardrails`,
    handlers: {
      // A durable operation started inside a ctx.run closure is refused at once, naming the operation and the fix.
      sleepInsideRun: async (ctx: Context) => {
        await ctx.run("nap inside", async () => {
          await ctx.sleep(10);
        }, once);
        return "slept";
      },
      // A value JSON cannot encode names the run it belongs to and where inside the value it fails.
      bigIntResult: async (ctx: Context) => ctx.run("big", () => ({ items: [{ total: 10n }] }), once),
    },
  });

  return [greeter, counter, mailbox, ledger, approval, trip, flows, guardrails];
}

/** Path answered by the counting wrapper itself (not perdure): `{ "<path>": <requests received> }`. */
export const REQUEST_COUNTS_PATH = "/__test/request-counts";

export type CountingFetch<A extends unknown[]> = ((request: Request, ...extra: A) => Promise<Response> | Response) & {
  /** Requests received so far, per path. */
  readonly counts: Readonly<Record<string, number>>;
};

/** Wraps a fetch function to count requests per path (inside the endpoint) and answer REQUEST_COUNTS_PATH. */
export function countingRequests<A extends unknown[]>(
  fetch: (request: Request, ...extra: A) => Promise<Response> | Response,
): CountingFetch<A> {
  const counts: Record<string, number> = {};
  const counted = (request: Request, ...extra: A) => {
    const path = new URL(request.url).pathname;
    if (path === REQUEST_COUNTS_PATH) return Response.json(counts);
    counts[path] = (counts[path] ?? 0) + 1;
    return fetch(request, ...extra);
  };
  return Object.assign(counted, { counts });
}
