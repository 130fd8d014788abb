// `perdure/msgpack`: the MessagePack serde (msgpack-serde.ts). msgpackr is an optional peer dependency, so this
// entry loads it before anything else and, when it is not installed, fails with a message naming the package to
// install instead of the runtime's bare "cannot find package". The dynamic import needs top-level await, which
// Node's require(esm) refuses: CommonJS consumers load msgpack-serde.js directly (the package's `default` condition
// for this subpath; it imports msgpackr statically).

import type * as Implementation from "./msgpack-serde.js";

export type { MsgpackSerdeOptions } from "./msgpack-serde.js";
/** The MessagePack serde class (a type and, below, the value). */
export type MsgpackSerde<T> = Implementation.MsgpackSerde<T>;

/** True when `err` says that the package `name` itself could not be found (Node, Bun, Deno and bundlers word it differently). */
function isMissingPackage(err: unknown, name: string): boolean {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const notFound = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || /cannot find|could not (find|resolve)|not found/i.test(message);
  return notFound && new RegExp(`['"\`]${name}['"\`/]|\\b${name}\\b`).test(message);
}

let implementation: typeof Implementation;
try {
  implementation = await import("./msgpack-serde.js");
} catch (err) {
  if (!isMissingPackage(err, "msgpackr")) throw err;
  throw new Error(
    "perdure/msgpack needs the msgpackr package, an optional peer dependency of perdure that is not installed: " +
      "`npm install msgpackr` (or `bun add msgpackr`, `deno add npm:msgpackr`)",
    { cause: err },
  );
}

/** Media type written into the discovery manifest and accepted by the ingress. */
export const MSGPACK_CONTENT_TYPE: typeof Implementation.MSGPACK_CONTENT_TYPE = implementation.MSGPACK_CONTENT_TYPE;
/** MessagePack extension type carrying a JavaScript Map (an array of [key, value] pairs). */
export const MAP_EXTENSION_TYPE: typeof Implementation.MAP_EXTENSION_TYPE = implementation.MAP_EXTENSION_TYPE;
/** The MessagePack serde class; `serde()` is the usual way to get one. */
export const MsgpackSerde: typeof Implementation.MsgpackSerde = implementation.MsgpackSerde;
/** A MessagePack serde (msgpackr); see msgpack-serde.ts for how each JavaScript type travels. */
export const serde: typeof Implementation.serde = implementation.serde;
/** A shared MessagePack serde with the default options. */
export const msgpack: typeof Implementation.msgpack = implementation.msgpack;
