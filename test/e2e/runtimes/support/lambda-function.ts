// The Lambda fixture as restate-server reaches it in production: a bundled function in the Lambda emulator of
// perdure/testing, invoked by ARN. The emulator observes each event, so tests can count the requests per path that
// reached the function (over every warm and cold environment), and call the function directly with an event.
import * as fs from "node:fs";
import * as path from "node:path";
import { startLambdaEmulator, type LambdaEmulator, type PublishedVersion } from "../../../../src/testing/index.js";

export const LAMBDA_REGION = "eu-central-1";
export const LAMBDA_ACCOUNT = "123456789012";

export interface LambdaFunctionUnderTest {
  emulator: LambdaEmulator;
  /** Events the functions received so far, per function name and request path. */
  requestCount(functionName: string, path: string): number;
  /** The IAM roles (assumed through the emulator's STS) under which the function was invoked; "none" for direct calls. */
  rolesOf(functionName: string): Set<string>;
  /** Publishes `bundle` (a file from bundleForNode) as a function; its handler is `<file name>.handler`. */
  deploy(name: string, bundle: string, opts?: { environment?: Record<string, string>; timeoutSeconds?: number }): Promise<PublishedVersion>;
  /** Invokes a function directly (not through restate-server) with an API Gateway v1 event; returns its result. */
  invokeHttp(name: string, event: { path: string; httpMethod: string; headers?: Record<string, string>; body?: Uint8Array }): Promise<{ statusCode: number; body: string }>;
  stop(): Promise<void>;
}

export async function startLambdaFunctions(): Promise<LambdaFunctionUnderTest> {
  const counts = new Map<string, number>();
  const roles = new Map<string, Set<string>>();
  const emulator = await startLambdaEmulator({
    region: LAMBDA_REGION,
    accountId: LAMBDA_ACCOUNT,
    onInvoke: ({ functionName, payload, role }) => {
      roles.set(functionName, (roles.get(functionName) ?? new Set()).add(role ?? "none"));
      const key = `${functionName} ${(JSON.parse(payload) as { path?: string }).path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
  });
  return {
    emulator,
    requestCount: (functionName, p) => counts.get(`${functionName} ${p}`) ?? 0,
    rolesOf: (functionName) => roles.get(functionName) ?? new Set(),
    deploy: (name, bundle, opts = {}) => {
      // Only the bundle goes into the function's code folder, the way a zip of it would.
      const dir = fs.mkdtempSync(path.join(path.dirname(bundle), `${name}-code-`));
      fs.copyFileSync(bundle, path.join(dir, "index.mjs"));
      return emulator.deploy({ name, code: dir, timeoutSeconds: opts.timeoutSeconds ?? 30, environment: opts.environment ?? {} });
    },
    invokeHttp: async (name, event) => {
      const res = await fetch(`${emulator.url}/2015-03-31/functions/${name}/invocations`, {
        method: "POST",
        body: JSON.stringify({
          path: event.path,
          httpMethod: event.httpMethod,
          headers: event.headers ?? {},
          body: Buffer.from(event.body ?? new Uint8Array()).toString("base64"),
          isBase64Encoded: true,
        }),
      });
      if (res.headers.get("x-amz-function-error")) throw new Error(`the function failed: ${await res.text()}`);
      const result = (await res.json()) as { statusCode: number; body?: string; isBase64Encoded?: boolean };
      const body = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64").toString("utf8") : (result.body ?? "");
      return { statusCode: result.statusCode, body };
    },
    stop: () => emulator.stop(),
  };
}
