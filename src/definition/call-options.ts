// Call options made by `rpc.opts(...)` / `rpc.sendOpts(...)`, as in the official SDK: a class whose `getOpts()`
// returns what was passed.

import type { ClientCallOptions, ClientSendOptions } from "./types.js";

/** Options of a request/response call (`rpc.opts(...)`). */
export class Opts<I, O> {
  static from<I, O>(opts: ClientCallOptions<I, O>): Opts<I, O> {
    return new Opts(opts);
  }

  private constructor(private readonly opts: ClientCallOptions<I, O>) {}

  getOpts(): ClientCallOptions<I, O> {
    return this.opts;
  }
}

/** Options of a one-way call (`rpc.sendOpts(...)`). */
export class SendOpts<I> {
  static from<I>(opts: ClientSendOptions<I>): SendOpts<I> {
    return new SendOpts(opts);
  }

  private constructor(private readonly opts: ClientSendOptions<I>) {}

  getOpts(): ClientSendOptions<I> {
    return this.opts;
  }
}
