// `perdure verify`: loads the new code's entry in this process (TypeScript compiled on load, as `perdure dev` does on
// Node), takes the journals of the invocations in flight from a server (or a file saved earlier), replays them
// offline (src/testing/verify.ts) and prints every invocation the new code would break. Exit 1 when there is one.
import * as fs from "node:fs";
import { register } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { classifyEntry } from "./runners/entry.js";
import { esbuildUrl, isTypeScript } from "./typescript.js";
import type { VerifyArgs } from "./verify-args.js";
import { fetchInFlightJournals, formatReport, verifyJournals, type SavedJournal } from "../testing/verify.js";

/** The service definitions an entry exports (an endpoint builder or a list of services). */
export async function loadDefinitions(entry: string, cwd = process.cwd()): Promise<Array<{ name: string }>> {
  const file = path.resolve(cwd, entry);
  if (!fs.existsSync(file)) throw new Error(`entry file ${entry} does not exist (looked at ${file})`);
  if (isTypeScript(file)) register(new URL("./runners/ts-loader.js", import.meta.url), { data: { esbuildUrl: esbuildUrl(cwd) } });
  const served = classifyEntry((await import(pathToFileURL(file).href)) as Record<string, unknown>, entry);
  if (served.kind === "services") return served.services;
  // Every perdure builder (EndpointBuilderBase) records its bound services in `config`; it may come from another copy
  // of perdure than this CLI's (the project's own install), so it is read by shape rather than by class.
  const services = served.kind === "builder" ? (served.builder as unknown as { config?: { services?: unknown } }).config?.services : undefined;
  if (!Array.isArray(services)) {
    throw new Error(`${entry} default-exports a ready fetch handler: verify needs the service definitions — export the endpoint builder (restate.endpoint().bind(…)) or an array of services`);
  }
  return services as Array<{ name: string }>;
}

export async function verifyCommand(args: VerifyArgs): Promise<number> {
  try {
    const definitions = await loadDefinitions(args.entry);
    let journals: SavedJournal[];
    if (args.from) {
      journals = JSON.parse(fs.readFileSync(args.from, "utf8")) as SavedJournal[];
      if (!Array.isArray(journals)) throw new Error(`${args.from} does not hold saved journals (an array written by --save)`);
    } else {
      journals = await fetchInFlightJournals(args.adminUrl!);
      if (args.save) fs.writeFileSync(args.save, JSON.stringify(journals, null, 2) + "\n");
    }
    const report = await verifyJournals(journals, definitions);
    console.log(formatReport(report).join("\n"));
    return report.ok ? 0 : 1;
  } catch (err) {
    console.error(`perdure verify: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
}
