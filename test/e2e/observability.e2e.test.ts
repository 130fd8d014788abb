// Logging and hooks through the real server (protocol V6, request-response: every sleep and every ctx.run ends the
// attempt, and the next attempt replays what came before):
//   - ctx.console lines reach the endpoint's logger once per real execution (replayed ones are flagged, not printed);
//   - the handler interceptor fires once per attempt, the run interceptor exactly once per step in total;
//   - the OpenTelemetry example (examples/otel) exports one span per attempt and one per executed step, in the
//     caller's trace, each attempt span a child of the trace context restate-server sent with that attempt.
import { propagation, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type RunningServer } from "../../adapters/node/index.js";
import * as restate from "../../src/index.js";
import { LogSource, consoleTransport, type LogMetadata, type LoggerTransport } from "../../src/context/logging.js";
import { otelHooks } from "../../examples/otel/otel-hooks.js";
import { TinyTracerProvider, W3CTraceContextPropagator, inMemoryExporter } from "../../examples/otel/tiny-tracer.js";
import { registerDeployment } from "./support/admin.js";
import { freePort } from "../../src/local/ports.js";
import { call, callOk } from "./support/ingress.js";
import { startRestateServer, type RestateServer } from "./support/restate-server.js";

interface Line {
  meta: LogMetadata;
  args: unknown[];
}


describe("observability through the real server (protocol V6, request-response)", () => {
  let server: RestateServer;
  let endpoint: RunningServer;

  // Everything the endpoint's logger receives, and what the console transport behind it printed.
  const received: Line[] = [];
  const printed: string[] = [];
  const print = (level: string) => (...args: unknown[]) => void printed.push(`${level} ${args.map(String).join(" ")}`);
  const printer = consoleTransport({ console: { trace: print("trace"), debug: print("debug"), info: print("info"), warn: print("warn"), error: print("error") } });
  const logger: LoggerTransport = (meta, ...args) => {
    received.push({ meta, args });
    printer(meta, ...args);
  };

  // Hook activity per test tag.
  interface Counts {
    bodies: number;
    handlerCalls: number;
    handlerOk: number;
    handlerRejected: number;
    runs: string[];
  }
  const counts = new Map<string, Counts>();
  const countsOf = (tag: string) => {
    let c = counts.get(tag);
    if (!c) counts.set(tag, (c = { bodies: 0, handlerCalls: 0, handlerOk: 0, handlerRejected: 0, runs: [] }));
    return c;
  };
  const counting: restate.HooksProvider = ({ request }) => {
    const tag = JSON.parse(new TextDecoder().decode(request.body)) as string;
    const c = countsOf(tag);
    return {
      interceptor: {
        handler: async (next) => {
          c.handlerCalls++;
          try {
            await next();
            c.handlerOk++;
          } catch (e) {
            c.handlerRejected++;
            throw e;
          }
        },
        run: async (name, next) => {
          c.runs.push(name);
          await next();
        },
      },
    };
  };

  // The OpenTelemetry example's hooks, exporting into memory; plus the traceparent of each attempt, to check parents.
  const { spans, exporter } = inMemoryExporter();
  const attemptTraceparents: string[] = [];

  const obs = restate.service({
    name: "Obs",
    handlers: {
      logSleep: async (ctx: restate.Context, tag: string) => {
        ctx.console.info(`before ${tag}`);
        await ctx.sleep(50);
        ctx.console.info(`after ${tag}`);
        return "slept";
      },
      threeSteps: restate.handlers.handler({ hooks: [counting] }, async (ctx: restate.Context, tag: string) => {
        countsOf(tag).bodies++;
        const a = await ctx.run("s1", () => 1);
        const b = await ctx.run("s2", () => a + 1);
        const c = await ctx.run("s3", () => b + 1);
        return [a, b, c];
      }),
    },
  });
  const orders = restate.service({
    name: "Orders",
    options: { hooks: [otelHooks()] },
    handlers: {
      place: async (ctx: restate.Context, item: string) => {
        const traceparent = ctx.request().attemptHeaders.get("traceparent");
        if (typeof traceparent === "string") attemptTraceparents.push(traceparent);
        const reservation = await ctx.run("reserve", () => `res-${item}`);
        await ctx.run("charge", () => 42);
        await ctx.run("notify", () => undefined);
        return reservation;
      },
    },
  });

  beforeAll(async () => {
    trace.setGlobalTracerProvider(new TinyTracerProvider(exporter));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    // A free port nothing listens on: the server traces (and sends traceparent per attempt) but exports nowhere.
    server = await startRestateServer({ env: { RESTATE_TRACING_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });
    endpoint = await serve(restate.createEndpointHandler({ services: [obs, orders], logger }));
    await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
  });
  afterAll(async () => {
    await Promise.allSettled([server?.stop(), endpoint?.close()]);
    trace.disable();
    propagation.disable();
  });

  it("ctx.console: each line is printed once per real execution; the replayed one reaches the logger flagged", async () => {
    const tag = `t${Math.random().toString(36).slice(2)}`;
    expect(await callOk(server.ingressUrl, "Obs/logSleep", tag)).toBe("slept");
    const mine = received.filter((l) => String(l.args[0]).endsWith(tag));
    // Attempt 1 logs "before" and suspends on the sleep; attempt 2 replays "before", then logs "after".
    expect(mine.map((l) => [l.args[0], l.meta.replaying])).toEqual([
      [`before ${tag}`, false],
      [`before ${tag}`, true],
      [`after ${tag}`, false],
    ]);
    expect(mine.every((l) => l.meta.source === LogSource.USER && l.meta.context?.invocationTarget === "Obs/logSleep")).toBe(true);
    expect(new Set(mine.map((l) => l.meta.context?.invocationId)).size).toBe(1);
    expect(printed.filter((p) => p.endsWith(tag))).toEqual([
      `info [Obs/logSleep][${mine[0]!.meta.context!.invocationId}] INFO: before ${tag}`,
      `info [Obs/logSleep][${mine[0]!.meta.context!.invocationId}] INFO: after ${tag}`,
    ]);
  });

  it("hooks: the handler interceptor fires once per attempt, the run interceptor once per step in total", async () => {
    const tag = `t${Math.random().toString(36).slice(2)}`;
    expect(await callOk(server.ingressUrl, "Obs/threeSteps", tag)).toEqual([1, 2, 3]);
    const c = countsOf(tag);
    // Request-response: each step ends its attempt (run proposed → suspended), the 4th attempt completes.
    expect(c.bodies).toBe(4);
    expect(c.handlerCalls).toBe(c.bodies);
    expect(c.handlerRejected).toBe(3); // next() rejected by each suspension
    expect(c.handlerOk).toBe(1);
    expect(c.runs).toEqual(["s1", "s2", "s3"]);
  });

  it("OpenTelemetry example: spans per attempt and per executed step, in the caller's trace, parented by the server's attempt context", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const callerSpan = "b7ad6b7169203331";
    const res = await call(server.ingressUrl, "Orders/place", "book", { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(res.status, res.text).toBe(200);
    const invocationId = res.headers.get("x-restate-id")!;
    const mine = spans.filter((s) => s.traceId === traceId);
    const attempts = mine.filter((s) => s.name === "Orders/place");
    const steps = mine.filter((s) => s.name.startsWith("run "));

    expect(attempts).toHaveLength(4);
    expect(attempts.every((s) => s.attributes["restate.invocation.id"] === invocationId)).toBe(true);
    expect(attempts.map((s) => s.status.code)).toEqual([0, 0, 0, 1]); // UNSET ×3 (suspended), then OK
    expect(attempts.slice(0, 3).every((s) => s.attributes["restate.attempt.suspended"] === true)).toBe(true);
    // Each attempt span continues the trace context restate-server sent with that attempt.
    expect(attemptTraceparents).toHaveLength(4);
    expect(attempts.map((s) => s.parentSpanId)).toEqual(attemptTraceparents.map((tp) => tp.split("-")[2]));
    expect(attemptTraceparents.every((tp) => tp.split("-")[1] === traceId)).toBe(true);

    expect(steps.map((s) => s.name)).toEqual(["run reserve", "run charge", "run notify"]);
    // Step i executed in attempt i, under that attempt's span.
    expect(steps.map((s) => s.parentSpanId)).toEqual(attempts.slice(0, 3).map((s) => s.spanId));
    expect(steps.every((s) => s.status.code === 1)).toBe(true);
  });
});
