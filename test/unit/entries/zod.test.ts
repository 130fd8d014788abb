// perdure/zod: `serde.zod(schema)` as in @restatedev/restate-sdk-zod, for zod 4 and zod 3 (zod/v3) schemas: JSON on
// the wire, validated both ways, typed by the schema, with a clear error for anything that is not a zod schema.
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { serde } from "../../../src/entries/zod.js";

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe("perdure/zod", () => {
  it("zod 4: round-trips valid values, rejects invalid ones, is typed by the schema", () => {
    const s = serde.zod(z.object({ name: z.string(), age: z.number().int() }));
    expectTypeOf(s.deserialize).returns.toEqualTypeOf<{ name: string; age: number }>();
    expect(s.deserialize(s.serialize({ name: "Ada", age: 36 }))).toEqual({ name: "Ada", age: 36 });
    expect(() => s.deserialize(encode({ name: "Ada", age: "x" }))).toThrow(/age/);
    expect(s.contentType).toBe("application/json");
  });

  it("zod 3 schemas (zod/v3) work too", () => {
    const s = serde.zod(z3.object({ id: z3.string() }));
    expectTypeOf(s.deserialize).returns.toEqualTypeOf<{ id: string }>();
    expect(s.deserialize(encode({ id: "x" }))).toEqual({ id: "x" });
    expect(() => s.deserialize(encode({ id: 1 }))).toThrow();
  });

  it("anything else is refused with how to call it", () => {
    expect(() => serde.zod({} as never)).toThrow(/needs a zod schema/);
  });
});
