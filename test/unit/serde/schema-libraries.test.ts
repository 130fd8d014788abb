// serde.schema with the real schema libraries (zod 4, valibot, arktype): validation both ways with readable messages,
// the JSON Schema each library can produce, and the schemas in the discovery manifest the endpoint serves.
import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as restate from "../../../src/index.js";
import * as msgpack from "../../../src/serde/msgpack.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const zodPerson = z.object({ name: z.string().min(2), age: z.number().int().optional() });
const valibotPerson = v.object({ name: v.pipe(v.string(), v.minLength(2)), age: v.optional(v.number()) });
const arkPerson = type({ name: "string>=2", "age?": "number.integer" });

const libraries = [
  { lib: "zod 4", schema: zodPerson, hasJsonSchema: true },
  { lib: "valibot", schema: valibotPerson, hasJsonSchema: false },
  { lib: "arktype", schema: arkPerson, hasJsonSchema: true },
] as const;

describe.each(libraries)("serde.schema with $lib", ({ schema, hasJsonSchema }) => {
  const s = restate.serde.schema(schema as never) as restate.Serde<{ name: string; age?: number }>;

  it("decodes and returns valid JSON input", () => {
    expect(s.contentType).toBe("application/json");
    expect(s.deserialize(utf8('{"name":"Ada","age":36}'))).toEqual({ name: "Ada", age: 36 });
  });

  it("rejects invalid input with the library's message and the path of the offending field", () => {
    let message = "";
    try {
      s.deserialize(utf8('{"name":1}'));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^Standard schema validation failed:\n\* \(at \/name\) .+/);
    expect(() => s.deserialize(utf8('{"name":"A"}'))).toThrow(/\(at \/name\)/);
  });

  it("validates the value it serializes (output, state, run results)", () => {
    expect(text(s.serialize({ name: "Ada" }))).toBe('{"name":"Ada"}');
    expect(() => s.serialize({ name: "A" })).toThrow(/^Standard schema validation failed for the value to serialize:\n\* \(at \/name\)/);
    expect(() => s.serialize(undefined as never)).toThrow(/validation failed for the value to serialize/);
  });

  it(hasJsonSchema ? "carries the library's JSON Schema" : "has no JSON Schema without the library's converter package", () => {
    if (hasJsonSchema) {
      expect(s.jsonSchema).toMatchObject({ type: "object", properties: { name: { type: "string", minLength: 2 } }, required: ["name"] });
    } else {
      expect(s.jsonSchema).toBeUndefined();
    }
  });
});

describe("serde.schema: details", () => {
  it("takes a JSON Schema by assignment when the library needs a separate converter (valibot)", () => {
    const s = restate.serde.schema(valibotPerson);
    s.jsonSchema = { type: "object", properties: { name: { type: "string" } } };
    expect(s.jsonSchema).toEqual({ type: "object", properties: { name: { type: "string" } } });
  });

  it("falls back to a toJsonSchema() method on the schema", () => {
    const custom = {
      "~standard": { version: 1 as const, vendor: "custom", validate: (value: unknown) => ({ value }) },
      toJsonSchema: () => ({ type: "string", title: "from method" }),
    };
    expect(restate.serde.schema(custom).jsonSchema).toEqual({ type: "string", title: "from method" });
  });

  it("checks the JSON form of serialized values, so transforms and coercions stay readable", () => {
    const when = restate.serde.schema(z.object({ at: z.coerce.date() }));
    const bytes = when.serialize({ at: new Date(0) });
    expect(text(bytes)).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(when.deserialize(bytes).at).toEqual(new Date(0));
    // A Date schema without coercion can never read JSON back: refused when writing, not only when reading.
    expect(() => restate.serde.schema(z.object({ at: z.date() })).serialize({ at: new Date(0) })).toThrow(/\(at \/at\)/);
  });

  it("advertises no content type for a schema that accepts undefined (a handler without input)", () => {
    expect(restate.serde.schema(z.undefined()).contentType).toBeUndefined();
    expect(restate.serde.schema(z.string().optional()).contentType).toBeUndefined();
    expect(restate.serde.schema(z.string()).contentType).toBe("application/json");
  });
});

describe("the discovery manifest carries the schemas and content types", () => {
  const Greeting = z.object({ message: z.string() });
  const svc = restate.service({
    name: "Typed",
    handlers: {
      greetZod: restate.handlers.handler(
        { input: restate.serde.schema(zodPerson), output: restate.serde.schema(Greeting) },
        async (_ctx: restate.Context, p: { name: string }) => ({ message: `hi ${p.name}` }),
      ),
      greetArk: restate.handlers.handler({ input: restate.serde.schema(arkPerson) }, async (_ctx: restate.Context, p: { name: string }) => p.name),
      greetValibot: restate.handlers.handler({ input: restate.serde.schema(valibotPerson) }, async (_ctx: restate.Context, p: { name: string }) => p.name),
      packed: restate.handlers.handler(
        { input: msgpack.serde(), output: msgpack.serde({ jsonSchema: { type: "object" } }) },
        async (_ctx: restate.Context, value: unknown) => value,
      ),
    },
  });

  async function manifest(): Promise<{ services: { handlers: Record<string, any>[] }[] }> {
    const { fetch } = restate.endpoint().bind(svc).handler();
    const res = await fetch(new Request("http://localhost/discover", { headers: { accept: "application/vnd.restate.endpointmanifest.v3+json" } }));
    expect(res.status).toBe(200);
    return (await res.json()) as never;
  }
  const handler = async (name: string) => (await manifest()).services[0]!.handlers.find((h) => h.name === name)!;

  it("zod 4: input and output JSON Schemas", async () => {
    const h = await handler("greetZod");
    expect(h.input).toEqual({ required: false, contentType: "application/json", jsonSchema: z.toJSONSchema(zodPerson) });
    expect(h.output).toEqual({ setContentTypeIfEmpty: false, contentType: "application/json", jsonSchema: z.toJSONSchema(Greeting) });
  });

  it("arktype: the input JSON Schema", async () => {
    const h = await handler("greetArk");
    expect(h.input).toEqual({ required: false, contentType: "application/json", jsonSchema: arkPerson.toJsonSchema() });
    expect(h.output).toEqual({ setContentTypeIfEmpty: false, contentType: "application/json" });
  });

  it("valibot: the content type, no schema (none without @valibot/to-json-schema)", async () => {
    const h = await handler("greetValibot");
    expect(h.input).toEqual({ required: false, contentType: "application/json" });
  });

  it("msgpack: its content type both ways", async () => {
    const h = await handler("packed");
    expect(h.input).toEqual({ required: false, contentType: "application/msgpack" });
    expect(h.output).toEqual({ setContentTypeIfEmpty: false, contentType: "application/msgpack", jsonSchema: { type: "object" } });
  });
});
