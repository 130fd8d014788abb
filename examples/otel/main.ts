// OpenTelemetry tracing of a perdure endpoint, with spans printed to the console.
//
//   npx vite-node examples/otel/main.ts    (listens on 127.0.0.1:9080; PORT=… to change)
//   restate-server --tracing-endpoint …    (optional: the server then sends its own trace context with each attempt)
//   restate deployments register http://127.0.0.1:9080 --use-http1.1
//   curl localhost:8080/Orders/place --json '{"item":"book"}' \
//        -H 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
//
// Each attempt prints a span "Orders/place" continuing the caller's (or the server's) trace, and each step that
// really executes prints a child span "run …". In request-response mode every ctx.run ends the attempt (the server
// stores the result, then starts the next attempt), so the handler span appears once per attempt while each step
// appears exactly once in total.
import { propagation, trace } from "@opentelemetry/api";
import * as restate from "../../adapters/node/index.js";
import { otelHooks } from "./otel-hooks.js";
import { TinyTracerProvider, W3CTraceContextPropagator, consoleExporter } from "./tiny-tracer.js";

// With the OpenTelemetry SDK: new NodeTracerProvider({ spanProcessors: [...] }).register() does both.
trace.setGlobalTracerProvider(new TinyTracerProvider(consoleExporter));
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const orders = restate.service({
  name: "Orders",
  options: { hooks: [otelHooks({ tracerName: "orders-example" })] },
  handlers: {
    place: async (ctx: restate.Context, order: { item: string }) => {
      ctx.console.info(`placing an order for ${order.item}`); // printed once, not on replays
      const reserved = await ctx.run("reserve", () => `reservation-${order.item}`);
      const charged = await ctx.run("charge", () => "charge-42");
      await ctx.run("notify", () => undefined);
      return { reserved, charged };
    },
  },
});

const server = await restate.serve(restate.endpoint().bind(orders).handler(), { port: Number(process.env.PORT ?? 9080) });
console.log(`listening on ${server.url}`);
