// The codec tables in src/protocol/schema.ts describe proto/protocol.proto exactly: same messages, field numbers,
// names (camelCase), kinds, repetition and presence. A field added to the .proto without its table row fails here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BOOL, BYTES, I32, messages, MSG, STR, U32, U64 } from "../../../src/protocol/schema.js";

const proto = readFileSync(fileURLToPath(new URL("../../../proto/protocol.proto", import.meta.url)), "utf8");
const SCALARS: Record<string, number> = { uint32: U32, bool: BOOL, string: STR, bytes: BYTES, uint64: U64 };
const ENUMS = new Set([...proto.matchAll(/^\s*enum (\w+)/gm)].map((m) => m[1]!));
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** message name → rows "no name kind repeated presence [message]" parsed from the .proto. */
function parseProto(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const stack: Array<{ kind: "message" | "oneof" | "enum"; name: string }> = [];
  for (const raw of proto.split("\n")) {
    const line = raw.replace(/\/\/.*/, "").trim();
    if (!line) continue;
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^(message|oneof|enum) (\w+) \{(\s*\})?$/))) {
      const kind = m[1] as "message" | "oneof" | "enum";
      const outer = stack.filter((s) => s.kind === "message").map((s) => s.name);
      const name = kind === "message" ? [...outer, m[2]!].join("_") : m[2]!;
      if (kind === "message") out[name] = [];
      if (!m[3]) stack.push({ kind, name });
    } else if (line === "}") {
      stack.pop();
    } else if ((m = line.match(/^(optional |repeated )?(\w+) (\w+) = (\d+);$/)) && stack.at(-1)?.kind !== "enum") {
      const message = [...stack].reverse().find((s) => s.kind === "message")!.name;
      const [, label, type, name, no] = m;
      const inOneof = stack.at(-1)!.kind === "oneof";
      const kind = SCALARS[type!] ?? (ENUMS.has(type!) ? I32 : MSG);
      const presence = label === "optional " || inOneof || kind === MSG;
      const sub = kind === MSG ? ` ${type}` : "";
      out[message]!.push(`${no} ${camel(name!)} ${kind} ${label === "repeated "} ${presence}${sub}`);
    }
  }
  return out;
}

describe("codec tables", () => {
  it("match proto/protocol.proto field for field", () => {
    const tables: Record<string, string[]> = {};
    for (const [name, schema] of Object.entries(messages())) {
      tables[name] = schema.fields.map((f) => {
        const sub = f.message ? ` ${f.message.name.replace(".", "_").replace(/^StartMessage_StateEntry$/, "StateEntry")}` : "";
        return `${f.no} ${f.name} ${f.kind} ${f.repeated} ${f.presence}${sub}`;
      });
    }
    const parsed = parseProto();
    // The nested StateEntry is referenced by its short name in the .proto.
    expect(tables).toEqual(parsed);
  });
});
