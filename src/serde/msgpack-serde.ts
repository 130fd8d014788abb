// The MessagePack serde behind `perdure/msgpack` (msgpack.ts loads it), built on msgpackr. Only this subpath
// imports msgpackr, so the core stays free of it. Plain objects and arrays are standard MessagePack maps and arrays
// (any MessagePack library can read and write them, e.g. a client in another language calling the handler); the
// JavaScript types JSON loses travel as:
//   Date        → timestamp extension (-1, standard)
//   Uint8Array  → bin (standard; msgpackr alone would use its typed-array extension on Node and bin elsewhere)
//   bigint      → int64/uint64 when it fits (standard), msgpackr's bigint extension (0x42) when larger
//   other typed arrays, ArrayBuffer, Set, Error, RegExp → msgpackr's extensions ("moreTypes")
//   Map         → extension 0x6d ("m") wrapping the entries, so a Map and a plain object stay distinct
// int64/uint64 decode as bigint, so a bigint comes back a bigint; numbers beyond 32 bits travel as float64 and come
// back numbers. Top-level `undefined` is empty bytes, as with JSON (a handler without input or output).

import { Packr, addExtension } from "msgpackr";
import type { Serde } from "./types.js";

/** Media type written into the discovery manifest and accepted by the ingress. */
export const MSGPACK_CONTENT_TYPE = "application/msgpack";

/** MessagePack extension type carrying a JavaScript Map (an array of [key, value] pairs). */
export const MAP_EXTENSION_TYPE = 0x6d;

export interface MsgpackSerdeOptions {
  /** Media type for the manifest and the ingress (default `application/msgpack`). */
  contentType?: string;
  /** JSON Schema of the values, shown by tooling (the bytes are not JSON, but their structure is). */
  jsonSchema?: object;
}

/** Marks a Map on its way to the packer; private, so registering its extension changes no one else's encoding. */
class EncodedMap {
  constructor(readonly entries: [unknown, unknown][]) {}
}

/** Marks a plain Uint8Array, written as MessagePack bin on every runtime. */
class EncodedBytes {
  constructor(readonly bytes: Uint8Array) {}
}

type Allocate = (size: number) => { target: Uint8Array; position: number };

/** Writes `bytes` as bin 8/16/32 straight into msgpackr's output buffer. */
function writeBin(value: EncodedBytes, allocate: Allocate): void {
  const { bytes } = value;
  const n = bytes.length;
  const header = n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  const { target, position } = allocate(header + n);
  let at = position;
  if (header === 2) {
    target[at++] = 0xc4;
    target[at++] = n;
  } else if (header === 3) {
    target[at++] = 0xc5;
    target[at++] = n >>> 8;
    target[at++] = n & 0xff;
  } else {
    target[at++] = 0xc6;
    target[at++] = n >>> 24;
    target[at++] = (n >>> 16) & 0xff;
    target[at++] = (n >>> 8) & 0xff;
    target[at++] = n & 0xff;
  }
  target.set(bytes, at);
}

// msgpackr's extension registry is process-wide. Registering a class only perdure creates leaves every other Packr's
// output untouched; on the reading side it makes type 0x6d decode to a Map where it would otherwise be an error.
addExtension({
  Class: EncodedMap,
  type: MAP_EXTENSION_TYPE,
  write: (value: EncodedMap) => value.entries,
  read: (entries: [unknown, unknown][]) => {
    if (!Array.isArray(entries)) throw new TypeError("msgpack: a Map extension must carry an array of entries");
    return new Map(entries);
  },
});
// `pack` writes standard bin itself, so this extension's type never reaches the wire; msgpackr still requires one,
// and reading it (should anyone send it) gives the bytes.
addExtension({
  Class: EncodedBytes,
  type: MAP_EXTENSION_TYPE + 1,
  pack: writeBin as never,
  unpack: (bytes: Uint8Array) => Uint8Array.prototype.slice.call(bytes),
});

const packr = new Packr({
  useRecords: false, // standard maps for objects, no msgpackr-only record structures
  mapsAsObjects: true, // standard maps decode to plain objects (Maps use the extension above)
  moreTypes: true, // typed arrays, Set, Error, RegExp, big bigints
  structuredClone: false, // no object identity/cycles: values, not graphs
  int64AsType: "bigint",
  useBigIntExtension: true,
  copyBuffers: true, // decoded Uint8Arrays own their bytes instead of viewing the journal entry
  variableMapSize: true, // fixmap headers for small objects (msgpackr defaults to map16 for speed)
  encodeUndefinedAsNil: false,
});

/** MessagePack via msgpackr; see the module comment for how each type travels. */
export class MsgpackSerde<T> implements Serde<T> {
  readonly contentType: string;
  readonly jsonSchema?: object;

  constructor(options: MsgpackSerdeOptions = {}) {
    this.contentType = options.contentType ?? MSGPACK_CONTENT_TYPE;
    if (options.jsonSchema !== undefined) this.jsonSchema = options.jsonSchema;
  }

  serialize(value: T): Uint8Array {
    if (value === undefined) return new Uint8Array(0);
    const packed = packr.pack(markMaps(value));
    // msgpackr hands out views of its own reusable buffer (a Buffer on Node): give the caller plain bytes of its own.
    return new Uint8Array(packed);
  }

  deserialize(data: Uint8Array): T {
    if (data.length === 0) return undefined as T;
    try {
      return packr.unpack(data) as T;
    } catch (cause) {
      throw new Error(`input is not valid MessagePack: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
  }
}

/** A MessagePack serde: `handlers.handler({ input: msgpack.serde(), output: msgpack.serde() }, …)`. */
export function serde<T = any>(options?: MsgpackSerdeOptions): Serde<T> {
  return new MsgpackSerde<T>(options);
}

/** The default MessagePack serde (`application/msgpack`). */
export const msgpack: Serde<any> = new MsgpackSerde<any>();

/**
 * Replaces every Map (at any depth, keys included) by an EncodedMap, and every plain Uint8Array by EncodedBytes. Arrays and plain objects are copied only when
 * something inside them changed, so values without Maps are packed as they are.
 */
function markMaps(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value.constructor === Uint8Array) return new EncodedBytes(value as Uint8Array);
  if (value instanceof Map) {
    const entries: [unknown, unknown][] = [];
    for (const [k, v] of value) entries.push([markMaps(k), markMaps(v)]);
    return new EncodedMap(entries);
  }
  if (value instanceof Set) {
    let changed = false;
    const items = [...value].map((item) => {
      const marked = markMaps(item);
      if (marked !== item) changed = true;
      return marked;
    });
    return changed ? new Set(items) : value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const marked = markMaps(item);
      if (marked !== item) (copy ??= value.slice())[i] = marked;
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // Date, typed arrays, Set, class instances: as they are
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const marked = markMaps(item);
    if (marked !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = marked;
  }
  return copy ?? value;
}
