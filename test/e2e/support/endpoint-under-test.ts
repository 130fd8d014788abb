// Chooses which SDK the e2e suite drives and wires one endpoint to one real server.
//   PERDURE_E2E_SDK=official  → @restatedev/restate-sdk/fetch (validates the tests themselves)
//   anything else (default)   → perdure (../../../src/index.js)
import { serve, type RunningServer } from "../../../adapters/node/index.js";
import { registerDeployment, type DeploymentRegistration } from "./admin.js";
import { installOfficialSdkPolyfills } from "./official-sdk-polyfills.js";
import { startRestateServer, type RestateServer } from "./restate-server.js";

/** The fetch API surface both SDKs share; fixtures are typed against the official SDK's declarations. */
export type Sdk = typeof import("@restatedev/restate-sdk/fetch");
export type SdkName = "perdure" | "official";

export const sdkName: SdkName = process.env.PERDURE_E2E_SDK === "official" ? "official" : "perdure";

// Not a string literal on purpose: perdure's public API is written in parallel and must not be
// required for this file to type-check; its shape is checked at run time by the tests.
const perdureEntry = "../../../src/index.js";

let loaded: Promise<Sdk> | undefined;

export function loadSdk(): Promise<Sdk> {
  if (sdkName === "official") installOfficialSdkPolyfills();
  loaded ??= sdkName === "official"
    ? import("@restatedev/restate-sdk/fetch")
    : (import(/* @vite-ignore */ perdureEntry) as Promise<Sdk>).catch((err: unknown) => {
        throw new Error(
          `cannot load perdure from src/index.ts (${String(err)}); ` +
            `run with PERDURE_E2E_SDK=official to exercise the suite against the official SDK`,
        );
      });
  return loaded;
}

/** Service definitions as the SDK's `bind()` accepts them. */
export type ServiceDefinitionLike = Parameters<ReturnType<Sdk["endpoint"]>["bind"]>[0];

export interface EndpointUnderTest {
  sdk: Sdk;
  sdkName: SdkName;
  protocolVersion: 6 | 7;
  server: RestateServer;
  endpoint: RunningServer;
  deployment: DeploymentRegistration;
  ingressUrl: string;
  adminUrl: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  protocolVersion: 6 | 7;
  /** Builds the services with the SDK under test (the same fixture runs on both SDKs). */
  services: (sdk: Sdk) => ServiceDefinitionLike[];
  /** How the fetch handler is built: `endpoint().bind(...).handler()` (default) or `createEndpointHandler({ services })`. */
  via?: "endpoint" | "createEndpointHandler";
  /** Extra environment for restate-server (e.g. more experimental switches). */
  serverEnv?: Record<string, string>;
  /** Request identity: the server signs its requests with this Ed25519 private key (PKCS#8 PEM). */
  requestIdentityPrivateKeyPem?: string;
  /** Request identity: the endpoint accepts only requests signed by these `publickeyv1_…` keys. */
  identityKeys?: string[];
}

/** restate-server + endpoint on Node HTTP/1.1 + registration with `use_http_11: true`. */
export async function startEndpointUnderTest(opts: StartOptions): Promise<EndpointUnderTest> {
  const sdk = await loadSdk();
  const server = await startRestateServer({
    protocolV7: opts.protocolVersion === 7,
    env: opts.serverEnv,
    requestIdentityPrivateKeyPem: opts.requestIdentityPrivateKeyPem,
  });
  let endpoint: RunningServer | undefined;
  try {
    const services = opts.services(sdk);
    if (opts.via === "createEndpointHandler") {
      const identity = opts.identityKeys ? { identityKeys: opts.identityKeys } : {};
      endpoint = await serve(sdk.createEndpointHandler({ services, ...identity }));
    } else {
      let builder = sdk.endpoint();
      for (const def of services) builder = builder.bind(def);
      if (opts.identityKeys) builder = builder.withIdentityV1(...opts.identityKeys);
      endpoint = await serve(builder.handler());
    }
    const deployment = await registerDeployment(server.adminUrl, endpoint.url, { useHttp11: true });
    const ep = endpoint;
    return {
      sdk,
      sdkName,
      protocolVersion: opts.protocolVersion,
      server,
      endpoint: ep,
      deployment,
      ingressUrl: server.ingressUrl,
      adminUrl: server.adminUrl,
      stop: async () => {
        await Promise.allSettled([server.stop(), ep.close()]);
      },
    };
  } catch (err) {
    await Promise.allSettled([server.stop(), endpoint?.close()]);
    throw err;
  }
}

/** Both protocol versions, for `describe.each(PROTOCOLS)("V$protocolVersion", ...)`. */
export const PROTOCOLS = [{ protocolVersion: 6 as const }, { protocolVersion: 7 as const }];
