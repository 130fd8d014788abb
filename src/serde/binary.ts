// Serdes for raw bytes and for "no value".

import type { Serde } from "./types.js";

/** Passes bytes through unchanged; the handler sees (and returns) a Uint8Array. */
export const binary: Serde<Uint8Array> = {
  contentType: "application/octet-stream",
  serialize(value: Uint8Array): Uint8Array {
    if (!(value instanceof Uint8Array)) {
      throw new TypeError(`serde.binary can only serialize a Uint8Array, got ${describeType(value)}`);
    }
    return value;
  },
  deserialize(data: Uint8Array): Uint8Array {
    return data;
  },
};

/** No value at all: only `undefined` and empty bytes. Has no content type (the handler takes no body). */
export const empty: Serde<void> = {
  serialize(value: void): Uint8Array {
    if (value !== undefined) {
      throw new TypeError(`serde.empty can only serialize undefined, got ${describeType(value)}`);
    }
    return new Uint8Array(0);
  },
  deserialize(data: Uint8Array): void {
    if (data.length !== 0) {
      throw new TypeError(`serde.empty expects no bytes, got ${data.length}`);
    }
  },
};

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
