// The Serde interface, identical in shape to the official SDK's (restate-sdk-core serde_api).

/**
 * Converts values of type `T` to and from the bytes Restate stores and transports (handler input and
 * output, state, `ctx.run` results, awakeables, durable promises). `contentType` and `jsonSchema`
 * only describe the bytes; they appear in the discovery manifest.
 */
export interface Serde<T> {
  /** Media type of the bytes `serialize` produces. */
  contentType?: string;
  /** JSON Schema of `T`, shown by tooling; no effect at runtime. */
  jsonSchema?: object;
  /** Optional JSON bridge for tooling when the wire format is not plain JSON. */
  preview?: {
    toJsonString(value: T): Promise<string> | string;
    fromJsonString(json: string): Promise<T> | T;
  };
  serialize(value: T): Uint8Array;
  /** May throw when `data` is not in the expected format. */
  deserialize(data: Uint8Array): T;
}
