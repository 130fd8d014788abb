// Call options for the ingress clients: `rpc.opts({...})` and `rpc.sendOpts({...})`, passed as the last argument.

import { durationToMs } from "../context/duration.js";
import type { IngressCallOptions, IngressSendOptions } from "./types.js";

export class Opts<I, O> {
  static from<I, O>(opts: IngressCallOptions<I, O>): Opts<I, O> {
    return new Opts(opts);
  }

  constructor(readonly opts: IngressCallOptions<I, O>) {}

  getOpts(): IngressCallOptions<I, O> {
    return this.opts;
  }
}

export class SendOpts<I = unknown> {
  static from<I>(opts: IngressSendOptions<I>): SendOpts<I> {
    return new SendOpts(opts);
  }

  constructor(readonly opts: IngressSendOptions<I>) {}

  /** The delay in milliseconds, if one was given. */
  delay(): number | undefined {
    return this.opts.delay === undefined ? undefined : durationToMs(this.opts.delay, "delay");
  }

  getOpts(): IngressSendOptions<I> {
    return this.opts;
  }
}

export const rpc = {
  opts: <I, O>(opts: IngressCallOptions<I, O>): Opts<I, O> => Opts.from(opts),
  sendOpts: <I>(opts: IngressSendOptions<I>): SendOpts<I> => SendOpts.from(opts),
};

/** Anything with `getOpts()`: ours, or the core's `restate.rpc.opts(...)` (same fields). */
export function isOptsLike(value: unknown): value is { getOpts(): IngressSendOptions<unknown> & IngressCallOptions<unknown, unknown> } {
  return typeof value === "object" && value !== null && typeof (value as { getOpts?: unknown }).getOpts === "function";
}
