// Where the captured protocol vectors live: `../shared/protocol/vectors` beside the project root (as in CI),
// or PERDURE_PROTOCOL_VECTORS. Missing vectors are an error, never a silent skip.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const projectRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));

function locate(): string {
  const candidates = [process.env.PERDURE_PROTOCOL_VECTORS, resolve(projectRoot, "../shared/protocol/vectors")].filter(
    (p): p is string => typeof p === "string" && p.length > 0,
  );
  for (const dir of candidates) if (existsSync(dir)) return dir;
  throw new Error(`protocol vectors not found (looked in: ${candidates.join(", ")}); set PERDURE_PROTOCOL_VECTORS`);
}

export const VECTORS_DIR = locate();
