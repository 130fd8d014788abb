import { durationToMillis, millisOrDurationToMillis } from "@restatedev/restate-sdk-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { durationToMs, optionalDurationToMs } from "../../../src/context/duration.js";

describe("durationToMs", () => {
  it("accepts milliseconds and truncates fractions", () => {
    expect(durationToMs(0)).toBe(0);
    expect(durationToMs(1500)).toBe(1500);
    expect(durationToMs(10.9)).toBe(10);
  });

  it("adds up the fields of a Duration", () => {
    expect(durationToMs({})).toBe(0);
    expect(durationToMs({ seconds: 1 })).toBe(1000);
    expect(durationToMs({ minutes: 1, seconds: 30 })).toBe(90_000);
    expect(durationToMs({ days: 1, hours: 1, minutes: 1, seconds: 1, milliseconds: 1 })).toBe(90_061_001);
    expect(durationToMs({ seconds: 0.5 })).toBe(500);
  });

  it("agrees with the official SDK for valid input", () => {
    const part = fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined });
    fc.assert(
      fc.property(fc.record({ days: part, hours: part, minutes: part, seconds: part, milliseconds: part }), (d) => {
        const clean = Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined));
        expect(durationToMs(clean)).toBe(Math.trunc(durationToMillis(clean)));
        expect(durationToMs(clean)).toBe(millisOrDurationToMillis(clean));
      }),
    );
  });

  it("rejects negative, NaN and infinite values with a RangeError naming the setting", () => {
    expect(() => durationToMs(-1)).toThrow(RangeError);
    expect(() => durationToMs(-1, "sleep")).toThrow("sleep must not be negative, got -1 ms");
    expect(() => durationToMs(Number.NaN, "sleep")).toThrow("sleep must be a number of milliseconds, got NaN");
    expect(() => durationToMs(Number.POSITIVE_INFINITY)).toThrow(/must be finite/);
    expect(() => durationToMs({ seconds: -1 }, "timeout")).toThrow(
      "timeout: 'seconds' must be a non-negative finite number, got -1",
    );
    expect(() => durationToMs({ hours: Number.NaN })).toThrow(RangeError);
    expect(() => durationToMs({ minutes: "5" } as never)).toThrow(RangeError);
  });

  it("rejects values that are neither numbers nor objects", () => {
    expect(() => durationToMs("5" as never, "delay")).toThrow(TypeError);
    expect(() => durationToMs(null as never, "delay")).toThrow(/delay must be a number of milliseconds or a Duration/);
  });

  it("optionalDurationToMs passes undefined through", () => {
    expect(optionalDurationToMs(undefined, "x")).toBeUndefined();
    expect(optionalDurationToMs({ seconds: 2 }, "x")).toBe(2000);
  });
});
