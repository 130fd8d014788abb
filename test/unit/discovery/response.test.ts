import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { service, serviceEntryOf } from "../../../src/definition/builders.js";
import { buildManifest, discoveryResponse } from "../../../src/endpoint/discovery.js";
import { PERDURE_VERSION, X_RESTATE_SERVER } from "../../../src/endpoint/server-header.js";

const SERVER_ACCEPT =
  "application/vnd.restate.endpointmanifest.v1+json, application/vnd.restate.endpointmanifest.v2+json, application/vnd.restate.endpointmanifest.v3+json, application/vnd.restate.endpointmanifest.v4+json";

describe("discoveryResponse", () => {
  it("answers 200 with the highest offered version, its content type and x-restate-server", async () => {
    const seen: number[] = [];
    const res = discoveryResponse(SERVER_ACCEPT, (v) => {
      seen.push(v);
      return { version: v };
    });
    expect(seen).toEqual([4]);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.restate.endpointmanifest.v4+json");
    expect(res.headers.get("x-restate-server")).toBe(`perdure/${PERDURE_VERSION}`);
    expect(await res.json()).toEqual({ version: 4 });
  });

  it("answers with an older version when only that one is offered", async () => {
    const res = discoveryResponse(
      "application/vnd.restate.endpointmanifest.v1+json, application/vnd.restate.endpointmanifest.v2+json",
      (v) => ({ v }),
    );
    expect(res.headers.get("content-type")).toBe("application/vnd.restate.endpointmanifest.v2+json");
    expect(await res.json()).toEqual({ v: 2 });
  });

  it("answers 415 with a readable message when no manifest version is acceptable", async () => {
    let called = false;
    const res = discoveryResponse("application/json", () => {
      called = true;
      return {};
    });
    expect(called).toBe(false);
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toContain("Unsupported discovery manifest version");
    expect(body).toContain("'application/json'");
    expect(body).toContain("application/vnd.restate.endpointmanifest.v1+json .. application/vnd.restate.endpointmanifest.v4+json");
  });

  it("answers 500 with the reason when the manifest cannot be built for the offered version", async () => {
    const def = service({ name: "S", options: { retryPolicy: { maxAttempts: 3 } }, handlers: {} });
    const res = discoveryResponse(
      "application/vnd.restate.endpointmanifest.v3+json",
      (manifestVersion) =>
        buildManifest([serviceEntryOf(def)], { protocolMode: "BIDI_STREAM", manifestVersion, minProtocolVersion: 5, maxProtocolVersion: 7 }),
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("x-restate-server")).toBe(X_RESTATE_SERVER);
    expect(await res.text()).toBe(
      "Cannot build the discovery manifest: The option 'retryPolicy.maxAttempts' of service 'S' needs discovery manifest v4 or newer, " +
        "but the Restate server only accepts up to v3. Remove the option or upgrade restate-server.",
    );
  });

  it("answers 500 also for non-Error throws", async () => {
    const res = discoveryResponse(SERVER_ACCEPT, () => {
      throw "nope";
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Cannot build the discovery manifest: nope");
  });
});

describe("PERDURE_VERSION", () => {
  it("equals package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    expect(PERDURE_VERSION).toBe(pkg.version);
    expect(X_RESTATE_SERVER).toBe(`perdure/${pkg.version}`);
  });
});
