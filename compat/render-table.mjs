// Renders compat/differences.json as the README's compatibility table (between the markers below). Used by the
// parity test (which checks the README) and by `npm run compat:table` (which rewrites it).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const START = "<!-- compat-table:start (generated from compat/differences.json by npm run compat:table) -->";
export const END = "<!-- compat-table:end -->";

const STATUS = { deliberate: "deliberate", "pending-core": "pending (context/machine work in progress)", missing: "missing (not built yet)" };

export function renderTable(differences) {
  const rows = differences.differences.map((d) => {
    const names = d.names.map((n) => "`" + n + "`").join(", ");
    const aspect = d.aspect ? ` (${d.aspect}${d.direction ? `, ${d.direction}` : ""})` : "";
    return `| ${d.entries.join("<br>")} | ${names}${aspect} | ${STATUS[d.status] ?? d.status} | ${d.reason.replace(/\|/g, "\\|")} |`;
  });
  return [START, "", "| perdure entry | names | status | why |", "|---|---|---|---|", ...rows, "", END].join("\n");
}

export function replaceTable(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no compatibility table markers (${START} … ${END})`);
  return readme.slice(0, start) + table + readme.slice(end + END.length);
}

// `node compat/render-table.mjs`: rewrite the table in README.md.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const differences = JSON.parse(readFileSync(`${root}/compat/differences.json`, "utf8"));
  const readme = readFileSync(`${root}/README.md`, "utf8");
  writeFileSync(`${root}/README.md`, replaceTable(readme, renderTable(differences)));
}
