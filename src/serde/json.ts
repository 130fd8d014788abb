// JSON serde, the default for handler input/output, state, run results, awakeables and promises.

import type { Serde } from "./types.js";

/** Shared with the request identity's token reader (one encoder and one strict decoder per bundle). Typed by what is
 * used, not as `TextEncoder`/`TextDecoder`: those are DOM type names a user project without the DOM lib lacks. */
export const encoder: { encode(text?: string): Uint8Array<ArrayBuffer> } = new TextEncoder();
// fatal: invalid UTF-8 is reported instead of silently replaced with U+FFFD.
export const decoder: { decode(bytes?: Uint8Array): string } = new TextDecoder("utf-8", { fatal: true });

/** Prefix of the message thrown for bytes that are not JSON; callers map it to a 400 failure. */
export const INVALID_JSON_PREFIX = "input is not valid JSON: ";

/** UTF-8 JSON. `undefined` ↔ empty bytes (a handler without input or output). */
export class JsonSerde<T> implements Serde<T> {
  contentType = "application/json";

  constructor(readonly jsonSchema?: object) {}

  serialize(value: T): Uint8Array {
    return encodeJson(value);
  }

  deserialize(data: Uint8Array): T {
    return decodeJson(data) as T;
  }

  /** @deprecated use `serde.schema` with a Standard Schema, or pass a JSON Schema to the constructor. */
  schema<U>(schema: object): Serde<U> {
    return new JsonSerde<U>(schema);
  }
}

export const json: JsonSerde<any> = new JsonSerde<any>();

/** Encodes a value as UTF-8 JSON; `undefined` (and anything JSON has no text for) gives empty bytes. */
export function encodeJson(value: unknown): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  const text = JSON.stringify(value);
  // JSON.stringify returns undefined for functions and symbols: same as "no value".
  return text === undefined ? new Uint8Array(0) : encoder.encode(text);
}

/** Decodes UTF-8 JSON; empty bytes give `undefined`. Throws "input is not valid JSON: …" otherwise. */
export function decodeJson(data: Uint8Array): unknown {
  const n = data.length;
  if (n === 0) return undefined;
  let text: string | undefined;
  // Short ASCII (most journaled values: numbers, small strings) without the decoder, a native call that costs far
  // more than the bytes on Deno. ASCII is always valid UTF-8.
  if (n <= 64) {
    let i = 0;
    let digits = 0; // a whole non-negative integer below 2^53 (what JSON.parse would return for it)
    for (let b; i < n && (b = data[i]!) < 0x80; i++) digits = b >= 48 && b <= 57 && digits >= 0 ? digits * 10 + b - 48 : -1;
    if (i === n) {
      if (digits >= 0 && n <= 15 && (n === 1 || data[0] !== 48)) return digits;
      text = String.fromCharCode.apply(null, data as unknown as number[]);
    }
  }
  try {
    text ??= decoder.decode(data);
  } catch (cause) {
    throw new Error(`${INVALID_JSON_PREFIX}the bytes are not valid UTF-8`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`${INVALID_JSON_PREFIX}${reason}`, { cause });
  }
}
