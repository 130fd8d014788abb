// The SDK's Duration type and its conversion to whole milliseconds.

/** A length of time; the fields add up (`{ minutes: 1, seconds: 30 }` is 90 s). */
export type Duration = {
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  milliseconds?: number;
};

const UNIT_MS = {
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  milliseconds: 1,
} as const;

/**
 * Converts a number of milliseconds or a Duration to whole milliseconds (fractions are truncated,
 * like the official SDK). Negative, NaN or infinite values throw a RangeError naming `what`.
 */
export function durationToMs(duration: Duration | number, what = "duration"): number {
  if (typeof duration === "number") return checked(duration, what);
  if (typeof duration !== "object" || duration === null) {
    throw new TypeError(`${what} must be a number of milliseconds or a Duration object, got ${typeof duration}`);
  }
  let total = 0;
  for (const unit of Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[]) {
    const value = duration[unit];
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0 || !Number.isFinite(value)) {
      throw new RangeError(`${what}: '${unit}' must be a non-negative finite number, got ${String(value)}`);
    }
    total += value * UNIT_MS[unit];
  }
  return checked(total, what);
}

/** Like durationToMs, but passes `undefined` through (for optional settings). */
export function optionalDurationToMs(duration: Duration | number | undefined, what: string): number | undefined {
  return duration === undefined ? undefined : durationToMs(duration, what);
}

function checked(ms: number, what: string): number {
  if (Number.isNaN(ms)) throw new RangeError(`${what} must be a number of milliseconds, got NaN`);
  if (ms < 0) throw new RangeError(`${what} must not be negative, got ${ms} ms`);
  if (!Number.isFinite(ms)) throw new RangeError(`${what} must be finite, got ${ms}`);
  return Math.trunc(ms);
}
