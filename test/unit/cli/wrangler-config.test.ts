// perdure dev's reading of wrangler.json / wrangler.jsonc / wrangler.toml (src/cli/wrangler-config.ts): real TOML and
// JSONC parsing, wrangler's order of preference, [vars] as workerd bindings, and clear errors for broken files.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_COMPATIBILITY_DATE, wranglerSettings, WranglerConfigError } from "../../../src/cli/wrangler-config.js";

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-wrangler-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("wranglerSettings", () => {
  it("defaults without a configuration file", () => {
    expect(wranglerSettings(project({}))).toEqual({ file: undefined, compatibilityDate: DEFAULT_COMPATIBILITY_DATE, compatibilityFlags: [], vars: {} });
  });

  it("reads wrangler.toml with a real TOML parser: single quotes, inline tables, dotted keys, comments, non-string vars", () => {
    const dir = project({
      "wrangler.toml": [
        `name = "demo" # the Worker`,
        `compatibility_date = '2026-07-01'`,
        `compatibility_flags = ["nodejs_compat"]`,
        `vars.GREETING = 'Welcome'`,
        `vars.RETRIES = 3`,
        `vars.FEATURES = { beta = true }`,
        `[dev]`,
        `port = 8787`,
      ].join("\n"),
    });
    const settings = wranglerSettings(dir);
    expect(settings.file).toBe(path.join(dir, "wrangler.toml"));
    expect(settings.compatibilityDate).toBe("2026-07-01");
    expect(settings.compatibilityFlags).toEqual(["nodejs_compat"]);
    expect(settings.vars).toEqual({ GREETING: { text: "Welcome" }, RETRIES: { json: "3" }, FEATURES: { json: '{"beta":true}' } });
  });

  it("reads a [vars] table with escapes and multi-line strings, and a bare TOML date", () => {
    const dir = project({
      "wrangler.toml": `compatibility_date = 2026-07-01\n\n[vars]\nQUOTED = "say \\"hi\\"\\n"\nLONG = """\nline one\nline two"""\n`,
    });
    const settings = wranglerSettings(dir);
    expect(settings.compatibilityDate).toBe("2026-07-01");
    expect(settings.vars).toEqual({ QUOTED: { text: 'say "hi"\n' }, LONG: { text: "line one\nline two" } });
  });

  it("reads wrangler.jsonc with comments and trailing commas", () => {
    const dir = project({
      "wrangler.jsonc": `{\n  // the Worker\n  "name": "demo",\n  "compatibility_date": "2026-06-15", /* pinned */\n  "vars": { "GREETING": "Hi", "LIMITS": { "max": 5, }, },\n}\n`,
    });
    expect(wranglerSettings(dir)).toMatchObject({ compatibilityDate: "2026-06-15", vars: { GREETING: { text: "Hi" }, LIMITS: { json: '{"max":5}' } } });
  });

  it("prefers wrangler.json over wrangler.jsonc over wrangler.toml, like wrangler", () => {
    const toml = `compatibility_date = "2026-01-01"\n[vars]\nFROM = "toml"\n`;
    const jsonc = `{ "compatibility_date": "2026-02-02", "vars": { "FROM": "jsonc" } }`;
    const json = `{ "compatibility_date": "2026-03-03", "vars": { "FROM": "json" } }`;
    expect(wranglerSettings(project({ "wrangler.toml": toml, "wrangler.jsonc": jsonc, "wrangler.json": json })).vars).toEqual({ FROM: { text: "json" } });
    expect(wranglerSettings(project({ "wrangler.toml": toml, "wrangler.jsonc": jsonc })).vars).toEqual({ FROM: { text: "jsonc" } });
    expect(wranglerSettings(project({ "wrangler.toml": toml })).compatibilityDate).toBe("2026-01-01");
  });

  it("reads the repository's own wrangler.toml", () => {
    const settings = wranglerSettings(path.resolve(__dirname, "../../.."));
    expect(settings.vars).toEqual({ GREETING: { text: "Welcome" } });
    expect(settings.compatibilityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("reports broken files with the file, line and column", () => {
    const badToml = project({ "wrangler.toml": `name = "x"\n[vars\nA = "b"\n` });
    expect(() => wranglerSettings(badToml)).toThrow(WranglerConfigError);
    expect(() => wranglerSettings(badToml)).toThrow(/wrangler\.toml:2:\d+: invalid TOML/);
    const badJson = project({ "wrangler.json": `{\n  "vars": { "A": }\n}` });
    expect(() => wranglerSettings(badJson)).toThrow(/wrangler\.json:2:\d+: invalid JSON: ValueExpected/);
    expect(() => wranglerSettings(project({ "wrangler.jsonc": `{ "compatibility_date": "July" }` }))).toThrow(/compatibility_date must be YYYY-MM-DD/);
    expect(() => wranglerSettings(project({ "wrangler.json": `{ "vars": ["A"] }` }))).toThrow(/vars must be a table/);
    expect(() => wranglerSettings(project({ "wrangler.json": `[]` }))).toThrow(/must be an object/);
  });
});
