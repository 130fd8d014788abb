// The OpenTelemetry example's building blocks without a server: which trace context an attempt span continues
// (the server's per-attempt `traceparent`, else the caller's), error and suspension statuses, and the W3C parser.
import { ROOT_CONTEXT, SpanStatusCode, defaultTextMapGetter, propagation, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { otelHooks } from "../../../examples/otel/otel-hooks.js";
import { TinyTracerProvider, W3CTraceContextPropagator, inMemoryExporter } from "../../../examples/otel/tiny-tracer.js";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, invoke, json, start } from "../machine/support.js";

const CALLER = "00-11111111111111111111111111111111-2222222222222222-01";
const SERVER = "00-11111111111111111111111111111111-3333333333333333-01";

const { spans, exporter } = inMemoryExporter();
beforeAll(() => {
  trace.setGlobalTracerProvider(new TinyTracerProvider(exporter));
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  trace.disable();
  propagation.disable();
});

const svc = restate.service({
  name: "Shop",
  options: { hooks: [otelHooks()] },
  handlers: {
    buy: async (ctx: restate.Context, what: string) => {
      if (what === "fail") throw new restate.TerminalError("out of stock");
      return ctx.run("pay", () => `paid ${what}`);
    },
  },
});
const { fetch } = restate.endpoint().bind(svc).setLogger(() => {}).handler();
const withAttemptHeaders = (headers: Record<string, string>) => (r: Request) =>
  fetch(new Request(r, { headers: { ...Object.fromEntries(r.headers), ...headers } }));
const inputFrom = (value: string, headers: { key: string; value: string }[]) =>
  frame(MessageType.InputCommand, { headers, value: { content: json(value) } });

describe("otelHooks", () => {
  it("continues the caller's trace when the server sends none with the attempt", async () => {
    spans.length = 0;
    await invoke(fetch, "/invoke/Shop/buy", [start(1), inputFrom("book", [{ key: "traceparent", value: CALLER }])]);
    const [run, attempt] = spans;
    expect(attempt).toMatchObject({ name: "Shop/buy", traceId: "11111111111111111111111111111111", parentSpanId: "2222222222222222" });
    expect(attempt!.attributes).toMatchObject({ "restate.invocation.id": "inv_test", "rpc.service": "Shop", "rpc.method": "buy", "restate.attempt.suspended": true });
    expect(run).toMatchObject({ name: "run pay", parentSpanId: attempt!.spanId, traceId: attempt!.traceId, status: { code: SpanStatusCode.OK } });
  });

  it("prefers the server's per-attempt traceparent", async () => {
    spans.length = 0;
    await invoke(withAttemptHeaders({ traceparent: SERVER }), "/invoke/Shop/buy", [start(1), inputFrom("book", [{ key: "traceparent", value: CALLER }])]);
    expect(spans.find((s) => s.name === "Shop/buy")).toMatchObject({ parentSpanId: "3333333333333333" });
  });

  it("starts a new trace without any trace context, and records a handler error as ERROR", async () => {
    spans.length = 0;
    await invoke(fetch, "/invoke/Shop/buy", [start(1), inputFrom("fail", [])]);
    expect(spans).toHaveLength(1);
    expect(spans[0]!.parentSpanId).toBeUndefined();
    expect(spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: "out of stock" });
    expect(spans[0]!.events).toEqual([{ name: "exception", attributes: { "exception.message": "out of stock" } }]);
  });
});

describe("W3CTraceContextPropagator", () => {
  const p = new W3CTraceContextPropagator();
  const extract = (traceparent: string | undefined) =>
    trace.getSpanContext(p.extract(ROOT_CONTEXT, traceparent === undefined ? {} : { traceparent }, defaultTextMapGetter));

  it("parses valid headers and refuses malformed or invalid ones", () => {
    expect(extract(CALLER)).toEqual({ traceId: "11111111111111111111111111111111", spanId: "2222222222222222", traceFlags: 1, isRemote: true });
    expect(extract(undefined)).toBeUndefined();
    expect(extract("garbage")).toBeUndefined();
    expect(extract("ff-11111111111111111111111111111111-2222222222222222-01")).toBeUndefined();
    expect(extract("00-00000000000000000000000000000000-2222222222222222-01")).toBeUndefined();
    expect(extract("00-11111111111111111111111111111111-0000000000000000-01")).toBeUndefined();
  });

  it("injects what it extracts", () => {
    const carrier: Record<string, string> = {};
    p.inject(p.extract(ROOT_CONTEXT, { traceparent: SERVER }, defaultTextMapGetter), carrier, { set: (c, k, v) => void ((c as Record<string, string>)[k] = v) });
    expect(carrier).toEqual({ traceparent: SERVER });
  });
});
