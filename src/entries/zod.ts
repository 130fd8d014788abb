// `perdure/zod`: the name `@restatedev/restate-sdk-zod` offers, `serde.zod(schema)`, for zod 3 (3.25+, which
// carries `zod/v3`) and zod 4 schemas. It is perdure's Standard Schema serde (`restate.serde.schema`): JSON on the
// wire, validated both ways, the schema's JSON Schema in the manifest when zod can produce one. zod is a peer:
// this module imports only its types.
import type * as z3 from "zod/v3";
import type * as z4 from "zod/v4/core";
import { schema } from "../serde/standard-schema.js";
import type { Serde } from "../serde/types.js";

export type { Serde };

type ZodOutput<T> = T extends z3.ZodTypeAny ? z3.infer<T> : T extends z4.$ZodType ? z4.infer<T> : never;

function zod<T extends z3.ZodTypeAny | z4.$ZodType>(zodType: T): Serde<ZodOutput<T>> {
  const candidate = zodType as unknown as { "~standard"?: { validate?: unknown } };
  if (typeof candidate !== "object" || candidate === null || typeof candidate["~standard"]?.validate !== "function") {
    throw new TypeError("serde.zod(schema) needs a zod schema (zod 3.25+ or zod 4), e.g. serde.zod(z.object({ name: z.string() }))");
  }
  return schema(zodType as unknown as Parameters<typeof schema>[0]) as unknown as Serde<ZodOutput<T>>;
}

/** `serde.zod(schema)`, as in `@restatedev/restate-sdk-zod`. */
export const serde: { readonly zod: typeof zod } = { zod };
