// `RestateContainer`, the official testcontainers kit's name for the server under test, without Docker: it collects
// the server settings a test asks for (`alwaysReplay()`, `disableRetries()`, `withEnvironment({...})`) and
// RestateTestEnvironment starts the npm restate-server binary with them. It runs the version of the installed
// `@restatedev/restate-server` package; asking for another version is an error that says how to get it.
import { createRequire } from "node:module";

/** The settings the official kit uses for these switches (restate-server configuration through its environment). */
export const ALWAYS_REPLAY_ENV = { RESTATE_WORKER__INVOKER__INACTIVITY_TIMEOUT: "0s" } as const;
export const DISABLE_RETRIES_ENV = { RESTATE_DEFAULT_RETRY_POLICY__MAX_ATTEMPTS: "1", RESTATE_DEFAULT_RETRY_POLICY__ON_MAX_ATTEMPTS: "kill" } as const;

/** The version of the installed `@restatedev/restate-server`, or undefined when it cannot be found. */
export function installedServerVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require("@restatedev/restate-server/package.json") as { version: string }).version;
  } catch {
    return undefined;
  }
}

export class RestateContainer {
  private readonly env: Record<string, string> = {};

  /**
   * `version`: "latest" (default) or the version of the installed `@restatedev/restate-server`; perdure starts that
   * binary (no Docker), so another version is refused.
   */
  constructor(readonly version: string = "latest") {
    const installed = installedServerVersion();
    if (version !== "latest" && installed !== undefined && version !== installed) {
      throw new Error(
        `RestateContainer("${version}"): perdure runs restate-server from the npm package @restatedev/restate-server ` +
          `(installed: ${installed}), not a Docker image. Install the version you need: npm install -D @restatedev/restate-server@${version}`,
      );
    }
  }

  /** Forces restate-server to replay at every suspension point (its invoker's inactivity timeout is 0). */
  alwaysReplay(): this {
    return this.withEnvironment(ALWAYS_REPLAY_ENV);
  }

  /** One attempt per invocation, killed when it fails: failures surface at once instead of being retried. */
  disableRetries(): this {
    return this.withEnvironment(DISABLE_RETRIES_ENV);
  }

  /** Extra restate-server environment (its configuration: `RESTATE_…` variables). */
  withEnvironment(environment: Record<string, string>): this {
    for (const [name, value] of Object.entries(environment)) {
      if (typeof value !== "string") throw new TypeError(`withEnvironment: the value of ${name} must be a string`);
      this.env[name] = value;
    }
    return this;
  }

  /** The environment restate-server is started with. */
  environment(): Record<string, string> {
    return { ...this.env };
  }
}

/** Turns what a container factory returned into server environment, or explains why it cannot be used. */
export function containerEnvironment(made: unknown): Record<string, string> {
  if (made instanceof RestateContainer) return made.environment();
  throw new TypeError(
    "RestateTestEnvironment.start(options, factory): the factory must return perdure/testing's RestateContainer " +
      "(e.g. () => new RestateContainer().alwaysReplay()); perdure starts restate-server from npm, without Docker, " +
      "so testcontainers' GenericContainer cannot be used. Pass server settings with withEnvironment({...}) or the " +
      "serverEnv option.",
  );
}
