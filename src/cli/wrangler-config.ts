// The project's wrangler configuration, for `perdure dev --runtime workerd`: wrangler.json, wrangler.jsonc or
// wrangler.toml (wrangler's own order of preference), read with real parsers (jsonc-parser, smol-toml), so comments,
// trailing commas, quoting styles and inline tables work as they do for wrangler. What perdure dev uses from it: the
// compatibility date and flags, and [vars] (strings become text bindings, other values JSON bindings).
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml, TomlError } from "smol-toml";

export const DEFAULT_COMPATIBILITY_DATE = "2025-09-01";
/** wrangler looks for these in this order and uses the first it finds. */
export const WRANGLER_CONFIG_FILES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;

export interface WranglerSettings {
  /** The file the settings came from (undefined: none, defaults). */
  file: string | undefined;
  compatibilityDate: string;
  compatibilityFlags: string[];
  /** [vars] as workerd bindings: strings as text, anything else as JSON. */
  vars: Record<string, { text: string } | { json: string }>;
}

/** A wrangler configuration that cannot be used; the message names the file and what is wrong. */
export class WranglerConfigError extends Error {
  override name = "WranglerConfigError";
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

function parseFile(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, "utf8");
  const name = path.basename(file);
  if (name.endsWith(".toml")) {
    try {
      return parseToml(text) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof TomlError) throw new WranglerConfigError(`${file}:${err.line}:${err.column}: invalid TOML: ${err.message.split("\n")[0]}`);
      throw err;
    }
  }
  // wrangler.json accepts comments and trailing commas too (wrangler parses both files as JSONC).
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new WranglerConfigError(`${file}:${lineAndColumn(text, first.offset)}: invalid JSON: ${printParseErrorCode(first.error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new WranglerConfigError(`${file}: the configuration must be an object`);
  return value as Record<string, unknown>;
}

/** The settings of the first wrangler configuration file in `cwd`; defaults when there is none. */
export function wranglerSettings(cwd: string): WranglerSettings {
  const file = WRANGLER_CONFIG_FILES.map((f) => path.join(cwd, f)).find((f) => fs.existsSync(f));
  if (!file) return { file: undefined, compatibilityDate: DEFAULT_COMPATIBILITY_DATE, compatibilityFlags: [], vars: {} };
  const config = parseFile(file);

  const date = config.compatibility_date ?? DEFAULT_COMPATIBILITY_DATE;
  // TOML has a date type; a bare `compatibility_date = 2025-09-01` parses to a date object.
  const compatibilityDate = typeof date === "string" ? date : date instanceof Date ? date.toISOString().slice(0, 10) : String(date);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(compatibilityDate)) throw new WranglerConfigError(`${file}: compatibility_date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);

  const flags = config.compatibility_flags ?? [];
  if (!Array.isArray(flags) || !flags.every((f) => typeof f === "string")) throw new WranglerConfigError(`${file}: compatibility_flags must be a list of strings`);

  const rawVars = config.vars ?? {};
  if (typeof rawVars !== "object" || rawVars === null || Array.isArray(rawVars)) throw new WranglerConfigError(`${file}: vars must be a table/object of name = value`);
  const vars: WranglerSettings["vars"] = {};
  for (const [name, value] of Object.entries(rawVars as Record<string, unknown>)) {
    vars[name] = typeof value === "string" ? { text: value } : { json: JSON.stringify(value instanceof Date ? value.toISOString() : value) };
  }
  return { file, compatibilityDate, compatibilityFlags: flags as string[], vars };
}
