// Typed clients for calling other handlers from a handler: a Proxy whose every property is a handler name.
// The call's options may come from `restate.rpc.opts(...)` / `restate.rpc.sendOpts(...)` as the last argument.

import { serializeFor } from "./guardrails.js";
import type { Serde } from "../serde/index.js";
import type { Duration } from "./duration.js";
import type { ContextImpl } from "./context-impl.js";

export interface CallSpec {
  service: string;
  handler: string;
  key?: string;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  scope?: string;
  limitKey?: string;
  name?: string;
}

export interface SendSpec extends CallSpec {
  delay?: Duration | number;
}

interface ClientTarget {
  service: string;
  key?: string;
  scope?: string;
  /** The definition's or contract's per-handler serdes (`_handlers`), used when the call names none. */
  descriptors?: Record<string, { _inputSerde?: Serde<unknown>; _outputSerde?: Serde<unknown> } | undefined>;
}

/** The plain options behind rpc.opts()/rpc.sendOpts(), or a plain object passed directly. */
interface PlainCallOptions {
  input?: Serde<unknown>;
  output?: Serde<unknown>;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  delay?: Duration | number;
  limitKey?: string;
  name?: string;
}

function plainOptions(opts: unknown): PlainCallOptions {
  if (opts === undefined || opts === null) return {};
  const withGetter = opts as { getOpts?: () => PlainCallOptions };
  if (typeof withGetter.getOpts === "function") return withGetter.getOpts();
  return opts as PlainCallOptions;
}

function spec(target: ClientTarget, handler: string, o: PlainCallOptions): SendSpec {
  return {
    service: target.service,
    handler,
    key: target.key,
    headers: o.headers,
    idempotencyKey: o.idempotencyKey,
    scope: target.scope,
    limitKey: o.limitKey,
    name: o.name,
    delay: o.delay,
  };
}

function proxy(make: (handler: string) => (...args: unknown[]) => unknown): Record<string, unknown> {
  return new Proxy({} as Record<string, unknown>, {
    get: (_t, prop) => (typeof prop === "string" ? make(prop) : undefined),
  });
}

// A handler's argument list is (input?, opts?): with one argument we cannot know whether it is the input or the
// options, so options are recognised by their class (rpc.opts / rpc.sendOpts) when they come alone.
function splitArgs(args: unknown[]): [unknown, unknown] {
  if (args.length === 1 && isOptsObject(args[0])) return [undefined, args[0]];
  return [args[0], args[1]];
}

function isOptsObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && typeof (v as { getOpts?: unknown }).getOpts === "function";
}

export function makeCallClient(ctx: ContextImpl, target: ClientTarget): Record<string, unknown> {
  return proxy((handler) => (...args: unknown[]) => {
    const [input, opts] = splitArgs(args);
    const o = plainOptions(opts);
    const d = target.descriptors?.[handler];
    // As in the official SDK: call options, then the handler's declared serde, then the calling handler's default.
    const inSerde = (o.input ?? d?._inputSerde ?? ctx.meta.defaultSerde) as Serde<unknown>;
    const outSerde = (o.output ?? d?._outputSerde ?? ctx.meta.defaultSerde) as Serde<unknown>;
    const bytes = serializeFor(`call ${target.service}/${handler} input`, input, (v) => inSerde.serialize(v));
    const p = ctx.callRaw(spec(target, handler, o), bytes, outSerde);
    return p; // not a tail call: the floating-promise warning names the caller's frame
  });
}

export function makeSendClient(ctx: ContextImpl, target: ClientTarget): Record<string, unknown> {
  return proxy((handler) => (...args: unknown[]) => {
    const [input, opts] = splitArgs(args);
    const o = plainOptions(opts);
    const inSerde = (o.input ?? target.descriptors?.[handler]?._inputSerde ?? ctx.meta.defaultSerde) as Serde<unknown>;
    const bytes = serializeFor(`send ${target.service}/${handler} input`, input, (v) => inSerde.serialize(v));
    return ctx.sendRaw(spec(target, handler, o), bytes);
  });
}
