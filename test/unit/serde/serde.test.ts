import { serde as official } from "@restatedev/restate-sdk-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { serde, type Serde, type StandardSchemaV1 } from "../../../src/serde/index.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("serde.json", () => {
  it("is a JsonSerde with the JSON content type", () => {
    expect(serde.json).toBeInstanceOf(serde.JsonSerde);
    expect(serde.json.contentType).toBe("application/json");
    expect(serde.json.jsonSchema).toBeUndefined();
  });

  it("round-trips JSON values and writes the same bytes as the official SDK", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = serde.json.serialize(value);
        expect(bytes).toEqual(official.json.serialize(value));
        // JSON has no -0: compare with what JSON itself gives back.
        expect(serde.json.deserialize(bytes)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("maps undefined to empty bytes and back", () => {
    expect(serde.json.serialize(undefined)).toEqual(new Uint8Array(0));
    expect(serde.json.deserialize(new Uint8Array(0))).toBeUndefined();
    expect(serde.json.serialize(() => 1)).toEqual(new Uint8Array(0));
  });

  it("serializes null and falsy values as JSON, not as empty", () => {
    expect(text(serde.json.serialize(null))).toBe("null");
    expect(text(serde.json.serialize(0))).toBe("0");
    expect(text(serde.json.serialize(""))).toBe('""');
    expect(serde.json.deserialize(utf8("false"))).toBe(false);
  });

  it("rejects invalid JSON with 'input is not valid JSON: <reason>'", () => {
    const err = (() => {
      try {
        serde.json.deserialize(utf8("{not json"));
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^input is not valid JSON: .+/);
    // the parse reason is included
    let reason = "";
    try {
      JSON.parse("{not json");
    } catch (e) {
      reason = (e as Error).message;
    }
    expect(err!.message).toBe(`input is not valid JSON: ${reason}`);
    expect(err!.cause).toBeInstanceOf(SyntaxError);
  });

  it("rejects invalid UTF-8 instead of replacing it", () => {
    expect(() => serde.json.deserialize(new Uint8Array([0x22, 0xff, 0x22]))).toThrow(
      "input is not valid JSON: the bytes are not valid UTF-8",
    );
  });

  it("lets BigInt serialization errors surface", () => {
    expect(() => serde.json.serialize(1n)).toThrow(TypeError);
  });

  it("carries a JSON Schema given to the constructor or the deprecated schema()", () => {
    const schema = { type: "string" };
    expect(new serde.JsonSerde(schema).jsonSchema).toBe(schema);
    const derived = serde.json.schema<string>(schema);
    expect(derived.jsonSchema).toBe(schema);
    expect(derived.contentType).toBe("application/json");
    expect(derived.deserialize(utf8('"x"'))).toBe("x");
  });
});

describe("serde.binary", () => {
  it("passes bytes through unchanged", () => {
    const bytes = new Uint8Array([0, 1, 255]);
    expect(serde.binary.serialize(bytes)).toBe(bytes);
    expect(serde.binary.deserialize(bytes)).toBe(bytes);
    expect(serde.binary.contentType).toBe("application/octet-stream");
  });

  it("refuses to serialize something that is not a Uint8Array", () => {
    expect(() => serde.binary.serialize("text" as unknown as Uint8Array)).toThrow(
      "serde.binary can only serialize a Uint8Array, got string",
    );
  });
});

describe("serde.empty", () => {
  it("only carries undefined, has no content type", () => {
    expect(serde.empty.contentType).toBeUndefined();
    expect(serde.empty.serialize(undefined)).toEqual(new Uint8Array(0));
    expect(serde.empty.deserialize(new Uint8Array(0))).toBeUndefined();
    expect(() => serde.empty.serialize(5 as unknown as void)).toThrow(/only serialize undefined, got number/);
    expect(() => serde.empty.deserialize(new Uint8Array([1]))).toThrow(/expects no bytes, got 1/);
  });
});

// A tiny Standard Schema implementation, enough to exercise serde.schema without a schema library.
function numberSchema(opts: { async?: boolean; allowUndefined?: boolean; jsonSchema?: boolean; throwingJsonSchema?: boolean } = {}) {
  const seen: unknown[] = [];
  const validate = (value: unknown, options?: StandardSchemaV1.Options): StandardSchemaV1.Result<number> => {
    seen.push(options);
    if (value === undefined && opts.allowUndefined) return { value: undefined as unknown as number };
    if (typeof value === "object" && value !== null && "n" in value) {
      return { issues: [{ message: "must be a number", path: ["n", { key: 0 }] }] };
    }
    return typeof value === "number" ? { value: value * 2 } : { issues: [{ message: "expected a number" }] };
  };
  const props: Record<string, unknown> = {
    version: 1,
    vendor: "test",
    validate: opts.async ? async (v: unknown, o?: StandardSchemaV1.Options) => validate(v, o) : validate,
  };
  if (opts.jsonSchema || opts.throwingJsonSchema) {
    props.jsonSchema = {
      input: () => ({ type: "number" }),
      output: (o: { target: string; libraryOptions?: unknown }) => {
        if (opts.throwingJsonSchema) throw new Error("cannot");
        return { type: "number", target: o.target, lib: o.libraryOptions };
      },
    };
  }
  return { schema: { "~standard": props as unknown as StandardSchemaV1.Props<number, number> }, seen };
}

describe("serde.schema (Standard Schema)", () => {
  it("decodes JSON and returns the validated (transformed) value", () => {
    const { schema } = numberSchema();
    const s: Serde<number> = serde.schema(schema);
    expect(s.contentType).toBe("application/json");
    expect(s.deserialize(utf8("21"))).toBe(42);
    expect(text(s.serialize(7))).toBe("7");
  });

  it("reports validation issues with their paths", () => {
    const { schema } = numberSchema();
    const s = serde.schema(schema);
    expect(() => s.deserialize(utf8('"x"'))).toThrow("Standard schema validation failed:\n* expected a number");
    expect(() => s.deserialize(utf8('{"n":1}'))).toThrow("* (at /n/0) must be a number");
  });

  it("still reports invalid JSON as such", () => {
    const { schema } = numberSchema();
    expect(() => serde.schema(schema).deserialize(utf8("{"))).toThrow(/^input is not valid JSON: /);
  });

  it("passes validateOptions as libraryOptions", () => {
    const { schema, seen } = numberSchema();
    serde.schema(schema, { strict: true }).deserialize(utf8("1"));
    expect(seen.at(-1)).toEqual({ libraryOptions: { strict: true } });
  });

  it("exposes the library's JSON Schema (draft-2020-12) when it can produce one", () => {
    expect(serde.schema(numberSchema().schema).jsonSchema).toBeUndefined();
    const withJs = serde.schema(numberSchema({ jsonSchema: true }).schema, undefined, { x: 1 });
    expect(withJs.jsonSchema).toEqual({ type: "number", target: "draft-2020-12", lib: { x: 1 } });
    expect(serde.schema(numberSchema({ throwingJsonSchema: true }).schema).jsonSchema).toBeUndefined();
  });

  it("advertises no content type for schemas that accept undefined", () => {
    const s = serde.schema(numberSchema({ allowUndefined: true }).schema);
    expect(s.contentType).toBeUndefined();
    expect(s.deserialize(new Uint8Array(0))).toBeUndefined();
  });

  it("refuses asynchronous validation with a clear error", () => {
    const s = serde.schema(numberSchema({ async: true }).schema);
    expect(s.contentType).toBe("application/json");
    expect(() => s.deserialize(utf8("1"))).toThrow(/validates asynchronously/);
  });

  it("rejects values that are not Standard Schemas", () => {
    expect(() => serde.schema({} as never)).toThrow(/expects a Standard Schema/);
  });
});
