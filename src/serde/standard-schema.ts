// Serde backed by a Standard Schema (https://standardschema.dev: zod, valibot, arktype, …):
// JSON on the wire, validated both ways, with the schema's JSON Schema in the manifest when the library can
// produce one: Standard JSON Schema (`~standard.jsonSchema`, zod 4 and arktype), else a `toJsonSchema()` /
// `toJSONSchema()` method on the schema. Libraries that need an extra package for it (valibot:
// @valibot/to-json-schema) get it by assignment: `const s = serde.schema(v); s.jsonSchema = toJsonSchema(v)`.

import { decodeJson, encodeJson } from "./json.js";
import type { Serde } from "./types.js";

/** The parts of the Standard Schema v1 interface that perdure uses. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown, options?: Options) => Result<Output> | Promise<Result<Output>>;
    readonly types?: Types<Input, Output> | undefined;
  }
  interface Options {
    readonly libraryOptions?: Record<string, unknown> | undefined;
  }
  type Result<Output> = SuccessResult<Output> | FailureResult;
  interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }
  interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }
  interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }
  interface PathSegment {
    readonly key: PropertyKey;
  }
  interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }
  type InferInput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["input"];
  type InferOutput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["output"];
}

/** Optional Standard JSON Schema extension: the converter libraries expose next to `validate`. */
interface JsonSchemaConverter {
  readonly output: (options: { target: string; libraryOptions?: Record<string, unknown> }) => Record<string, unknown>;
}

/**
 * Builds a serde that validates decoded JSON with `schema` (sync validation only: Serde.deserialize
 * is synchronous). `validateOptions` / `jsonSchemaOptions` go to the library as `libraryOptions`.
 */
export function schema<T extends { "~standard": StandardSchemaV1.Props }>(
  schema: T,
  validateOptions?: Record<string, unknown>,
  jsonSchemaOptions?: Record<string, unknown>,
): Serde<StandardSchemaV1.InferOutput<T>> {
  return new StandardSchemaSerde(schema, validateOptions, jsonSchemaOptions);
}

class StandardSchemaSerde<T> implements Serde<T> {
  contentType: string | undefined = "application/json";
  jsonSchema?: object;
  private readonly props: StandardSchemaV1.Props;

  constructor(
    schema: { "~standard": StandardSchemaV1.Props },
    private readonly validateOptions?: Record<string, unknown>,
    jsonSchemaOptions?: Record<string, unknown>,
  ) {
    const props = schema?.["~standard"];
    if (typeof props !== "object" || props === null || typeof props.validate !== "function") {
      throw new TypeError("serde.schema expects a Standard Schema (an object with '~standard.validate')");
    }
    this.props = props;
    this.jsonSchema = jsonSchemaOf(props, jsonSchemaOptions) ?? jsonSchemaFromMethod(schema, jsonSchemaOptions);
    // A schema that accepts `undefined` describes "no value": like the official SDK, advertise no
    // content type then, so the handler takes no body. Async schemas cannot be probed here.
    const probe = props.validate(undefined);
    if (!isPromiseLike(probe) && !probe.issues) this.contentType = undefined;
  }

  /**
   * Writes JSON that this serde can read back: the JSON form of `value` (what the next reader decodes) must pass
   * the schema, so a handler cannot store or return something its own readers would reject.
   */
  serialize(value: T): Uint8Array {
    const bytes = encodeJson(value);
    const issues = this.check(decodeJson(bytes)).issues;
    if (issues) {
      throw new TypeError(`Standard schema validation failed for the value to serialize:\n${issues.map(formatIssue).join("\n")}`);
    }
    return bytes;
  }

  deserialize(data: Uint8Array): T {
    const result = this.check(decodeJson(data));
    if (result.issues) {
      throw new TypeError(`Standard schema validation failed:\n${result.issues.map(formatIssue).join("\n")}`);
    }
    return result.value as T;
  }

  private check(decoded: unknown): StandardSchemaV1.Result<unknown> {
    const options = this.validateOptions ? { libraryOptions: this.validateOptions } : undefined;
    const result = this.props.validate(decoded, options);
    if (isPromiseLike(result)) {
      throw new TypeError(
        `serde.schema: the ${this.props.vendor} schema validates asynchronously, which a Serde cannot do; use a synchronous schema`,
      );
    }
    return result;
  }
}

function jsonSchemaOf(props: object, libraryOptions?: Record<string, unknown>): object | undefined {
  const converter = (props as { jsonSchema?: JsonSchemaConverter }).jsonSchema;
  if (typeof converter !== "object" || converter === null || typeof converter.output !== "function") return undefined;
  try {
    return converter.output({ target: "draft-2020-12", libraryOptions });
  } catch {
    return undefined; // the library cannot express this schema in JSON Schema: advertise none
  }
}

/** Libraries without Standard JSON Schema may still have a converter method on the schema itself. */
function jsonSchemaFromMethod(schema: object, libraryOptions?: Record<string, unknown>): object | undefined {
  const holder = schema as { toJsonSchema?: unknown; toJSONSchema?: unknown };
  const method = typeof holder.toJsonSchema === "function" ? holder.toJsonSchema : holder.toJSONSchema;
  if (typeof method !== "function") return undefined;
  try {
    const result: unknown = method.call(schema, libraryOptions);
    return typeof result === "object" && result !== null ? result : undefined;
  } catch {
    return undefined;
  }
}

function formatIssue(issue: StandardSchemaV1.Issue): string {
  if (!issue.path || issue.path.length === 0) return `* ${issue.message}`;
  const pointer = issue.path
    .map((segment) => String(typeof segment === "object" && segment !== null ? segment.key : segment))
    .join("/");
  return `* (at /${pointer}) ${issue.message}`;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}
