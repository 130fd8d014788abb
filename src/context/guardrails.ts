// Guardrails against classic durable-code mistakes: a ctx operation inside a ctx.run closure (it would hang or break
// replay) and values that cannot be serialized (named by where they belong and where inside the value it fails).

/** The error for a durable operation started while a ctx.run closure executes. */
export function nestedInRunError(operation: string, runName: string): TypeError {
  return new TypeError(
    `${operation} was called inside the ctx.run('${runName}') closure; durable operations cannot be nested in a run: move it out of the closure`,
  );
}

/**
 * Serializes with `serialize`; on failure rethrows an error naming `what` (e.g. "ctx.run('big') result") and, for
 * plain JSON-like values, the path of the first part JSON cannot encode (e.g. `$.total`).
 */
export function serializeFor<T>(what: string, value: T, serialize: (v: T) => Uint8Array): Uint8Array {
  try {
    return serialize(value);
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    const path = unserializablePath(value);
    const error = new TypeError(`${what}${path ? ` at ${path}` : ""}: ${reason}`);
    throw error;
  }
}

/** The path of the first BigInt in a value (what JSON.stringify refuses), or undefined. */
export function unserializablePath(v: unknown, path = "$"): string | undefined {
  if (typeof v === "bigint") return path;
  if (v === null || typeof v !== "object" || typeof (v as { toJSON?: unknown }).toJSON === "function") return undefined;
  for (const [k, x] of Object.entries(v)) {
    const found = unserializablePath(x, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`);
    if (found) return found;
  }
  return undefined;
}
