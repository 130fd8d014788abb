// `perdure verify` needs the service definitions of the entry it checks: from an endpoint builder (any platform's
// builder records them in its configuration), or from an array of services; a ready fetch handler is refused by name.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// The built CLI (as users run it: it registers its TypeScript loader from dist), loading an entry that imports
// perdure's sources — so the builder comes from another copy of perdure than the CLI's own.
// @ts-ignore dist/ is built by `npm install` (prepare) before the tests run
import { loadDefinitions } from "../../../dist/src/cli/verify.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

describe("perdure verify: loading the entry's service definitions", () => {
  it("reads the services bound to a default-exported endpoint builder", async () => {
    const services: Array<{ name: string }> = await loadDefinitions("verify-builder-entry.ts", fixtures);
    expect(services.map((s) => s.name)).toEqual(["VerifyGreeter", "VerifyCounter"]);
  });

  it("refuses a ready fetch handler, saying what to export instead", async () => {
    await expect(loadDefinitions("verify-handler-entry.ts", fixtures)).rejects.toThrow(/export the endpoint builder/);
  });
});
