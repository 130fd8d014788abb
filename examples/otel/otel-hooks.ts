// OpenTelemetry spans for perdure handlers, written against @opentelemetry/api only: whatever tracer provider and
// propagator the application registers (the OpenTelemetry SDK, or the tiny ones in ./tiny-tracer.ts) receive them.
//
//   restate.service({ name: "Orders", options: { hooks: [otelHooks()] }, handlers: { … } })
//
// One span per attempt ("Orders/place") and one child span per ctx.run that really executes ("run charge"):
// replayed runs are skipped by perdure, so a step that was journaled in an earlier attempt is not traced again.
// The parent is the trace context restate-server sent with this attempt (`traceparent` in the attempt headers, when
// the server has tracing enabled), else the one the caller sent with the invocation (`traceparent` in its headers).

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Context, type Span, type TextMapGetter } from "@opentelemetry/api";
import type { HooksProvider, Request } from "../../src/index.js";

export interface OtelHooksOptions {
  /** Instrumentation scope name given to the tracer provider. */
  tracerName?: string;
}

type HeaderMap = ReadonlyMap<string, string | string[] | undefined>;

const mapGetter: TextMapGetter<HeaderMap> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key.toLowerCase()),
};

/** The trace context to continue: restate-server's for this attempt, else the caller's. */
export function parentContextOf(request: Request): Context {
  for (const headers of [request.attemptHeaders, request.headers] as HeaderMap[]) {
    const extracted = propagation.extract(ROOT_CONTEXT, headers, mapGetter);
    if (trace.getSpanContext(extracted)) return extracted;
  }
  return ROOT_CONTEXT;
}

export function otelHooks(options: OtelHooksOptions = {}): HooksProvider {
  return ({ request }) => {
    const tracer = trace.getTracer(options.tracerName ?? "perdure");
    let attemptSpan: Span | undefined;
    return {
      interceptor: {
        handler: async (next) => {
          const span = tracer.startSpan(
            `${request.target.service}/${request.target.handler}`,
            {
              kind: SpanKind.SERVER,
              attributes: {
                "restate.invocation.id": request.id,
                "restate.invocation.target": String(request.target),
                "rpc.system": "restate",
                "rpc.service": request.target.service,
                "rpc.method": request.target.handler,
              },
            },
            parentContextOf(request),
          );
          attemptSpan = span;
          try {
            await next();
            span.setStatus({ code: SpanStatusCode.OK });
          } catch (e) {
            endedWith(span, e, request.attemptCompletedSignal.aborted);
            throw e; // the outcome is the handler's: never swallow
          } finally {
            span.end();
          }
        },
        run: async (name, next) => {
          const parent = attemptSpan ? trace.setSpan(ROOT_CONTEXT, attemptSpan) : parentContextOf(request);
          const span = tracer.startSpan(`run ${name || "(unnamed)"}`, { kind: SpanKind.INTERNAL, attributes: { "restate.run.name": name } }, parent);
          try {
            await next();
            span.setStatus({ code: SpanStatusCode.OK });
          } catch (e) {
            endedWith(span, e, false);
            throw e;
          } finally {
            span.end();
          }
        },
      },
    };
  };
}

/** A suspension is not an error: the attempt ended while waiting, and the next attempt continues. */
function endedWith(span: Span, error: unknown, attemptEnded: boolean): void {
  if (attemptEnded) {
    span.addEvent("restate.attempt.suspended");
    span.setAttribute("restate.attempt.suspended", true);
    return;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}
