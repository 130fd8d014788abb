// The `rpc` namespace (`restate.rpc.opts`, `restate.rpc.sendOpts`), re-exported with `export * as rpc`.

import { Opts, SendOpts } from "./call-options.js";
import type { ClientCallOptions, ClientSendOptions } from "./types.js";

export const opts = <I, O>(opts: ClientCallOptions<I, O>): Opts<I, O> => Opts.from(opts);
export const sendOpts = <I>(opts: ClientSendOptions<I>): SendOpts<I> => SendOpts.from(opts);
