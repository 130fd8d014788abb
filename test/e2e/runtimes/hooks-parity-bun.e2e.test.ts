// Hooks on the real Bun runtime: perdure under `bun run` and the official SDK 1.17.2 in this Node process, both on
// one restate-server (protocol V6, request-response), run the same hooked handlers; the interceptor calls recorded on
// Bun must equal the official SDK's sequence.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type RunningServer } from "../../../adapters/node/index.js";
import { HOOK_PARITY_HANDLERS, hookCallsPerAttempt, makeHooksParityServices, type HookLog } from "../fixtures/hooks-parity.js";
import { registerDeployment } from "../support/admin.js";
import { attach, send } from "../support/ingress.js";
import { installOfficialSdkPolyfills } from "../support/official-sdk-polyfills.js";
import { startRestateServer } from "../support/restate-server.js";
import { BUN_ENV, fixturePath } from "./support/runtime-endpoints.js";
import { Processes } from "./support/processes.js";
import { binPath, spawnEndpoint, type SpawnedEndpoint } from "./support/spawn-endpoint.js";

describe("hook call sequences on Bun equal the official SDK's", () => {
  const processes = new Processes();
  const officialLog: HookLog = new Map();
  let official: RunningServer | undefined;
  let bun: SpawnedEndpoint;
  let ingressUrl: string;

  beforeAll(async () => {
    installOfficialSdkPolyfills();
    const sdk = await import("@restatedev/restate-sdk/fetch");
    const [server, bunEndpoint] = await processes.startAll([
      startRestateServer(),
      spawnEndpoint({ command: binPath("bun"), args: ["--no-install", "run", fixturePath("hooks-parity-bun.ts"), "B"], env: BUN_ENV }),
    ]);
    bun = bunEndpoint;
    ingressUrl = server.ingressUrl;
    let builder = sdk.endpoint();
    for (const def of makeHooksParityServices(sdk, officialLog, "O")) builder = builder.bind(def);
    official = await serve(builder.handler());
    await registerDeployment(server.adminUrl, bun.url, { useHttp11: true });
    await registerDeployment(server.adminUrl, official.url, { useHttp11: true });
  });
  afterAll(async () => {
    await Promise.allSettled([processes.stopAll(), official?.close()]);
  });

  const runBoth = async (handler: string) => {
    const bunId = await send(ingressUrl, `BHookParity/${handler}`);
    const bunRes = await attach(ingressUrl, bunId);
    const bunHooks = (await (await fetch(`${bun.url}/__hook-log/${encodeURIComponent(bunId)}`)).json()) as string[];
    const offId = await send(ingressUrl, `OHookParity/${handler}`);
    const offRes = await attach(ingressUrl, offId);
    return { bun: { status: bunRes.status, body: bunRes.text, hooks: bunHooks }, official: { status: offRes.status, body: offRes.text, hooks: officialLog.get(offId) ?? [] } };
  };

  it.each([...HOOK_PARITY_HANDLERS])("%s", async (handler) => {
    const { bun: b, official: o } = await runBoth(handler);
    expect(b.hooks.length).toBeGreaterThan(0);
    expect({ status: b.status, hooks: b.hooks }).toEqual({ status: o.status, hooks: o.hooks });
    expect(JSON.parse(b.body)).toEqual(JSON.parse(o.body));
  });

  it("parallelRuns: the same calls per attempt (run closures overlap on perdure)", async () => {
    const { bun: b, official: o } = await runBoth("parallelRuns");
    expect(hookCallsPerAttempt(b.hooks)).toEqual(hookCallsPerAttempt(o.hooks));
    expect(JSON.parse(b.body)).toEqual(JSON.parse(o.body));
  });
});
