// Comparison of a recorded command with the one user code produced on replay (journal-mismatch detection), and the
// text that reports a difference.
// Which fields count follows the protocol's rules (STATE_MACHINE.md §3.3): e.g. a sleep's wake-up time and a
// delayed send's invoke time are wall-clock values and are never compared.

import { messageTypeName } from "../protocol/message-types.js";

type Fields = Record<string, unknown>;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** proto3 does not distinguish unset from default; treat them the same. */
function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === "" ||
    v === 0 ||
    v === false ||
    v === 0n ||
    (v instanceof Uint8Array && v.length === 0) ||
    (Array.isArray(v) && v.length === 0)
  );
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return bytesEqual(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!valuesEqual((a as Fields)[k], (b as Fields)[k])) return false;
    return true;
  }
  return a === b;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

export function showValue(v: unknown): string {
  if (isEmpty(v)) return "(empty)";
  if (v instanceof Uint8Array) {
    const text = utf8.decode(v.length > 64 ? v.subarray(0, 64) : v);
    return JSON.stringify(text) + (v.length > 64 ? `… (${v.length} bytes)` : "");
  }
  if (typeof v === "bigint") return v.toString();
  try {
    return JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? utf8.decode(x) : typeof x === "bigint" ? x.toString() : x));
  } catch {
    return String(v);
  }
}

/** Returns a human description of the first differing field, or undefined when the listed fields are equal. */
export function diffFields(recorded: object, actual: object, fields: readonly string[]): string | undefined {
  for (const f of fields) {
    const r = (recorded as Fields)[f];
    const a = (actual as Fields)[f];
    if (!valuesEqual(r, a)) return `${f}: journal has ${showValue(r)}, code now has ${showValue(a)}`;
  }
  return undefined;
}

/** The text of a command mismatch's ErrorMessage: where, what the journal has and what the code did. */
export function mismatchText(
  index: number,
  recorded: { type: number; message: Fields },
  type: number,
  actual: Fields,
  difference: string | undefined,
): string {
  const describe = (t: number, m: Fields) => {
    const name = (m.name ?? m.entryName) as string | undefined;
    return name ? `${messageTypeName(t)} named '${name}'` : messageTypeName(t);
  };
  const detail =
    difference !== undefined
      ? `the journal has ${describe(recorded.type, recorded.message)}, and the code issued the same command with a different ${difference}`
      : `the journal has ${describe(recorded.type, recorded.message)}, but the code issued ${describe(type, actual)}`;
  return (
    `Journal mismatch at command index ${index}: ${detail}. ` +
    "The handler code changed in a way that is not compatible with invocations already in flight, or it is not deterministic " +
    "(use ctx.run for side effects, ctx.rand / ctx.date for random values and time)."
  );
}
