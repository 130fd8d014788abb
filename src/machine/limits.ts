// Bounds on what one invocation attempt may accumulate in the endpoint's memory. Whatever a handler does (an endless
// loop of journaled calls, a huge state value, a stream of signals nobody reads), only that attempt ends — with an
// ErrorMessage naming the limit — and the endpoint keeps serving every other invocation.

import { ErrorCode } from "../protocol/errors.js";

export interface AttemptLimits {
  /** Commands one attempt may write (replayed commands do not count). */
  maxCommands: number;
  /** Bytes of protocol frames one attempt may write in total. */
  maxOutputBytes: number;
  /** Largest single protocol message an attempt may write (state value, run result, call parameter, output). */
  maxMessageBytes: number;
  /** Named-signal and cancel notifications received and not read yet. */
  maxBufferedNotifications: number;
}

export const DEFAULT_ATTEMPT_LIMITS: Readonly<AttemptLimits> = Object.freeze({
  maxCommands: 100_000,
  maxOutputBytes: 256 * 1024 * 1024,
  maxMessageBytes: 32 * 1024 * 1024,
  maxBufferedNotifications: 100_000,
});

/** The option names users write (endpoint `attemptLimits`, service/handler option `attemptLimits`). */
export type AttemptLimitsOption = Partial<AttemptLimits>;

/** Checks user-supplied limits (positive integers), naming the owner in errors. */
export function normalizeAttemptLimits(raw: unknown, where: string): AttemptLimitsOption | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null) throw new TypeError(`attemptLimits of ${where} must be an object`);
  const out: AttemptLimitsOption = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in DEFAULT_ATTEMPT_LIMITS)) {
      throw new TypeError(`attemptLimits of ${where}: unknown limit '${key}' (known: ${Object.keys(DEFAULT_ATTEMPT_LIMITS).join(", ")})`);
    }
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      throw new RangeError(`attemptLimits.${key} of ${where} must be a positive integer, got ${String(value)}`);
    }
    out[key as keyof AttemptLimits] = value;
  }
  return out;
}

/** Layers limits: later ones win field by field over earlier ones, over the defaults. */
export function resolveAttemptLimits(...layers: (AttemptLimitsOption | undefined)[]): AttemptLimits {
  const out: AttemptLimits = { ...DEFAULT_ATTEMPT_LIMITS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k as keyof AttemptLimits] = v;
  }
  return out;
}

/** Thrown into user code when its attempt was ended by a limit (the ErrorMessage is already written). */
export class AttemptLimitError extends Error {
  readonly code = ErrorCode.INTERNAL;
  constructor(readonly limit: keyof AttemptLimits, message: string) {
    super(message);
    this.name = "AttemptLimitError";
  }
}

const MiB = 1024 * 1024;
export function describeBytes(n: number): string {
  return n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} bytes`;
}
