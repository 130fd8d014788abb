// RestateContainer without Docker: the settings alwaysReplay()/disableRetries() map to (the official kit's), a
// version other than the installed server's is refused with how to get it, and a factory returning anything else
// (a testcontainers GenericContainer) is refused with what to use instead — before any server starts.
import { describe, expect, it } from "vitest";
import { RestateContainer, RestateTestEnvironment } from "../../../src/testing/index.js";
import { installedServerVersion } from "../../../src/testing/container.js";
import * as restate from "../../../src/index.js";

const svc = restate.service({ name: "S", handlers: { x: async () => 1 } });

describe("RestateContainer", () => {
  it("alwaysReplay and disableRetries set restate-server's configuration as the official kit does", () => {
    expect(new RestateContainer().alwaysReplay().disableRetries().withEnvironment({ RESTATE_LOG_FILTER: "warn" }).environment()).toEqual({
      RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT: "0s",
      RESTATE_DEFAULT_RETRY_POLICY__MAX_ATTEMPTS: "1",
      RESTATE_DEFAULT_RETRY_POLICY__ON_MAX_ATTEMPTS: "kill",
      RESTATE_LOG_FILTER: "warn",
    });
    expect(new RestateContainer().environment()).toEqual({});
  });

  it("accepts 'latest' and the installed version, refuses another one naming the npm package", () => {
    const installed = installedServerVersion();
    expect(installed).toMatch(/^\d+\.\d+\.\d+/);
    expect(() => new RestateContainer(installed)).not.toThrow();
    expect(() => new RestateContainer("0.9.0")).toThrow(/npm install -D @restatedev\/restate-server@0\.9\.0/);
  });

  it("a factory returning something else is refused with the replacement named", async () => {
    const genericContainer = { withExposedPorts: () => genericContainer };
    await expect(RestateTestEnvironment.start({ services: [svc] }, (() => genericContainer) as never)).rejects.toThrow(/must return perdure\/testing's RestateContainer/);
  });

  it("bad compatibility options are refused", async () => {
    await expect(RestateTestEnvironment.start({ services: [svc], storage: "tape" as never })).rejects.toThrow(/storage must be/);
    await expect(RestateTestEnvironment.start({ services: [svc], serviceEndpointAccess: "ssh" as never })).rejects.toThrow(/serviceEndpointAccess/);
  });
});
