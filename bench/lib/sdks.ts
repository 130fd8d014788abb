// Loads either SDK through the fetch API both share. The official SDK needs Promise.withResolvers (absent in Node 20),
// installed only when it is loaded so that perdure is never measured with it.
import type { Sdk } from "../fixtures/sdk-services.js";
import { installOfficialSdkPolyfills } from "../../test/e2e/support/official-sdk-polyfills.js";

export type SdkName = "perdure" | "official";
export const SDK_NAMES: SdkName[] = ["perdure", "official"];

const perdureEntry = "../../src/index.js";

export async function loadSdk(name: SdkName): Promise<Sdk> {
  if (name === "official") {
    installOfficialSdkPolyfills();
    return import("@restatedev/restate-sdk/fetch");
  }
  return (await import(/* @vite-ignore */ perdureEntry)) as Sdk;
}

export type FetchFn = (request: Request, ...extra: unknown[]) => Promise<Response>;

export function fetchHandler(sdk: Sdk, services: ReturnType<typeof import("../fixtures/sdk-services.js").benchServices>, bidirectional = false): FetchFn {
  let builder = sdk.endpoint();
  for (const s of services) builder = builder.bind(s);
  if (bidirectional) builder = builder.bidirectional(true);
  return builder.handler().fetch as FetchFn;
}
