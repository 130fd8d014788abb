// Public serde API: the `Serde` type and the `serde` namespace.

export type { Serde } from "./types.js";
export type { StandardSchemaV1 } from "./standard-schema.js";
export * as serde from "./serde-namespace.js";
