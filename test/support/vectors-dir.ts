// Where the captured protocol vectors live: `test/fixtures/protocol-vectors` inside the repository (recorded from the
// real restate-server; provenance in the README there), or PERDURE_PROTOCOL_VECTORS to test against another capture
// set. Missing vectors are an error, never a silent skip.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const projectRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

function locate(): string {
  const candidates = [process.env.PERDURE_PROTOCOL_VECTORS, resolve(projectRoot, "test/fixtures/protocol-vectors")].filter(
    (p): p is string => typeof p === "string" && p.length > 0,
  );
  for (const dir of candidates) if (existsSync(dir)) return dir;
  throw new Error(`protocol vectors not found (looked in: ${candidates.join(", ")}); set PERDURE_PROTOCOL_VECTORS`);
}

export const VECTORS_DIR = locate();
