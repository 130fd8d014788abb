// A minimal OpenTelemetry tracer provider and W3C Trace Context propagator, built on @opentelemetry/api alone, for
// this example and its test. In an application, register the OpenTelemetry SDK instead (NodeTracerProvider or
// WebTracerProvider with an OTLP exporter, W3CTraceContextPropagator): ./otel-hooks.ts works unchanged with it.

import {
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  context as contextApi,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Exception,
  type Link,
  type Span,
  type SpanAttributeValue,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type TimeInput,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";

/** A finished span as the exporters receive it. */
export interface FinishedSpan {
  name: string;
  kind: SpanKind | undefined;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Attributes;
  events: { name: string; attributes?: Attributes }[];
  status: SpanStatus;
  startMs: number;
  endMs: number;
}

export type SpanExporter = (span: FinishedSpan) => void;

/** Keeps every finished span in memory. */
export function inMemoryExporter(): { exporter: SpanExporter; spans: FinishedSpan[] } {
  const spans: FinishedSpan[] = [];
  return { spans, exporter: (span) => void spans.push(span) };
}

/** Prints one line per finished span. */
export const consoleExporter: SpanExporter = (s) =>
  console.log(
    `[span] ${s.name} trace=${s.traceId} span=${s.spanId} parent=${s.parentSpanId ?? "-"} ` +
      `status=${SpanStatusCode[s.status.code]} ${s.endMs - s.startMs}ms ${JSON.stringify(s.attributes)}`,
  );

const hex = (bytes: number) => {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
};
const toMs = (t: TimeInput | undefined) => (t === undefined ? Date.now() : t instanceof Date ? t.getTime() : typeof t === "number" ? t : t[0] * 1e3 + t[1] / 1e6);

class RecordingSpan implements Span {
  private readonly ctx: SpanContext;
  private ended = false;
  private readonly attributes: Attributes;
  private readonly events: FinishedSpan["events"] = [];
  private status: SpanStatus = { code: SpanStatusCode.UNSET };
  private readonly startMs: number;

  constructor(
    private name: string,
    private readonly options: SpanOptions,
    private readonly parent: SpanContext | undefined,
    private readonly exporters: SpanExporter[],
  ) {
    this.ctx = { traceId: parent?.traceId ?? hex(16), spanId: hex(8), traceFlags: TraceFlags.SAMPLED };
    this.attributes = { ...(options.attributes ?? {}) };
    this.startMs = toMs(options.startTime);
  }

  spanContext(): SpanContext {
    return this.ctx;
  }
  setAttribute(key: string, value: SpanAttributeValue): this {
    this.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.attributes, attributes);
    return this;
  }
  addEvent(name: string, attributesOrTime?: Attributes | TimeInput): this {
    const attributes = typeof attributesOrTime === "object" && !(attributesOrTime instanceof Date) && !Array.isArray(attributesOrTime) ? attributesOrTime : undefined;
    this.events.push(attributes ? { name, attributes } : { name });
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.status = status;
    return this;
  }
  updateName(name: string): this {
    this.name = name;
    return this;
  }
  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    const finished: FinishedSpan = {
      name: this.name,
      kind: this.options.kind,
      traceId: this.ctx.traceId,
      spanId: this.ctx.spanId,
      parentSpanId: this.parent?.spanId,
      attributes: this.attributes,
      events: this.events,
      status: this.status,
      startMs: this.startMs,
      endMs: toMs(endTime),
    };
    for (const export_ of this.exporters) export_(finished);
  }
  isRecording(): boolean {
    return !this.ended;
  }
  recordException(exception: Exception): void {
    const message = typeof exception === "string" ? exception : (exception.message ?? String(exception));
    this.addEvent("exception", { "exception.message": message });
  }
}

class TinyTracer implements Tracer {
  constructor(private readonly exporters: SpanExporter[]) {}

  startSpan(name: string, options: SpanOptions = {}, parentContext: Context = contextApi.active()): Span {
    const parent = options.root ? undefined : trace.getSpanContext(parentContext);
    return new RecordingSpan(name, options, parent && isSpanContextValid(parent) ? parent : undefined, this.exporters);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, parentContext] = rest as [SpanOptions | undefined, Context | undefined];
    const parent = parentContext ?? contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }
}

/** A TracerProvider that hands every finished span to `exporters`. */
export class TinyTracerProvider implements TracerProvider {
  private readonly exporters: SpanExporter[];
  constructor(...exporters: SpanExporter[]) {
    this.exporters = exporters;
  }
  getTracer(): Tracer {
    return new TinyTracer(this.exporters);
  }
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** W3C Trace Context (`traceparent`, `tracestate` carried through unparsed): what the OpenTelemetry SDK registers by default. */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (!span || !isSpanContextValid(span)) return;
    setter.set(carrier, "traceparent", `00-${span.traceId}-${span.spanId}-0${(span.traceFlags & TraceFlags.SAMPLED).toString(16)}`);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, "traceparent");
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().toLowerCase();
    const m = value ? TRACEPARENT.exec(value) : null;
    if (!m || m[1] === "ff") return context;
    const spanContext: SpanContext = { traceId: m[2]!, spanId: m[3]!, traceFlags: parseInt(m[4]!, 16) & TraceFlags.SAMPLED, isRemote: true };
    return isSpanContextValid(spanContext) ? trace.setSpanContext(context, spanContext) : context;
  }

  fields(): string[] {
    return ["traceparent", "tracestate"];
  }
}

export { ROOT_CONTEXT };
