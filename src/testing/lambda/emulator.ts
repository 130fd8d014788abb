// A local AWS Lambda, as restate-server's Lambda invoker (and any AWS SDK) talks to it: the Invoke API
// (`POST /2015-03-31/functions/<name or ARN>/invocations`) on 127.0.0.1, in front of the function's real code running
// in Node child processes (see environments.ts). Functions are published in numbered versions like
// `create-function --publish` / `update-function-code --publish`; an ARN with a version runs that version's code, so
// a restate deployment registered by ARN keeps running the code it was discovered with. Limits and error shapes are
// Lambda's: 6 MB synchronous payloads each way, the function timeout, `X-Amz-Function-Error: Unhandled` with
// errorType/errorMessage/trace. It also answers STS AssumeRole (see sts.ts), for registrations with an invoker role.
// Point restate-server at it with `lambdaClientEnv(emulator)`. Node-only.
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { VersionEnvironments, type InvocationOutcome } from "./environments.js";
import { resolveFunctionName, type FunctionRef } from "./function-name.js";
import { LocalSts } from "./sts.js";
import { extractZip } from "./zip.js";

/** Lambda's limit for a synchronous (RequestResponse) invocation's request and response payloads: 6 MB. */
export const LAMBDA_SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
/** Lambda's limit for an asynchronous (Event) invocation's payload: 1 MB. */
export const LAMBDA_ASYNC_PAYLOAD_LIMIT = 1024 * 1024;

export interface LambdaFunctionConfig {
  /** The function name, e.g. "holiday" (letters, digits, `-` and `_`, up to 64). */
  name: string;
  /** The function's code: a folder (copied at publish time) or a .zip deployment package. */
  code: string;
  /** `<module>.<export>` under the code's root. Default `index.handler`. */
  handler?: string;
  /** The function timeout. Default 3 s, Lambda's default. */
  timeoutSeconds?: number;
  /** Reported to the function (context.memoryLimitInMB); not enforced. Default 128. */
  memoryMb?: number;
  /** The function's environment variables. */
  environment?: Record<string, string>;
}

export interface PublishedVersion {
  functionName: string;
  /** "1", "2", … */
  version: string;
  /** arn:aws:lambda:<region>:<account>:function:<name> */
  functionArn: string;
  /** The function ARN with the version: what to register with restate-server. */
  versionArn: string;
}

export interface FunctionStats {
  invocations: number;
  /** Environments started (the first invocation, after a change, after a timeout or crash, or when all were busy). */
  coldStarts: number;
  /** Environments alive now. */
  environments: number;
  /** Invocations per version. */
  byVersion: Record<string, { invocations: number; coldStarts: number }>;
}

export interface LambdaEmulatorOptions {
  /** Default "us-east-1". */
  region?: string;
  /** Default "000000000000". */
  accountId?: string;
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  /** The functions' output and a REPORT line per invocation. Default: dropped. */
  log?: (line: string) => void;
  /** Called for each invocation handed to a function (after the limits were checked), with its event as JSON text. */
  onInvoke?: (invocation: { functionName: string; version: string; payload: string; role: string | undefined }) => void;
}

export interface LambdaEmulator {
  url: string;
  port: number;
  region: string;
  accountId: string;
  /** Creates the function or updates its code and configuration, and publishes the next version. */
  deploy(config: LambdaFunctionConfig): Promise<PublishedVersion>;
  stats(functionName: string): FunctionStats;
  /** Stops every execution environment and the HTTP server, and removes the unpacked code. */
  stop(): Promise<void>;
}

/**
 * Environment for restate-server (or any AWS SDK client) so that its Lambda calls reach the emulator: the endpoint
 * overrides (Lambda, and STS for deployments registered with `assume_role_arn`) plus dummy credentials and the
 * region. Nothing leaves the machine.
 */
export function lambdaClientEnv(emulator: Pick<LambdaEmulator, "url" | "region">): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_LAMBDA: emulator.url,
    AWS_ENDPOINT_URL_STS: emulator.url,
    AWS_ACCESS_KEY_ID: "perdure-local",
    AWS_SECRET_ACCESS_KEY: "perdure-local",
    AWS_REGION: emulator.region,
  };
}

interface LambdaFunction {
  versions: Map<string, VersionEnvironments>;
  latest: string;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Environment variables Lambda sets itself and refuses in a function's configuration. */
const RESERVED_ENV = /^(_HANDLER|_X_AMZN_TRACE_ID|AWS_REGION|AWS_EXECUTION_ENV|AWS_LAMBDA_\w+|AWS_ACCESS_KEY(_ID)?|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR)$/;

function apiError(res: http.ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ Type: "User", message });
  res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type, "x-amzn-requestid": randomUUID() });
  res.end(body);
}

/** Reads the body up to `limit` bytes; undefined when it is larger (the rest is drained). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on("error", reject);
  });
}

export async function startLambdaEmulator(options: LambdaEmulatorOptions = {}): Promise<LambdaEmulator> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "000000000000";
  const log = options.log ?? (() => {});
  const functions = new Map<string, LambdaFunction>();
  const codeRoot = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-lambda-"));
  const functionArn = (name: string) => `arn:aws:lambda:${region}:${accountId}:function:${name}`;

  const lookup = (ref: FunctionRef): { fn: LambdaFunction; version: VersionEnvironments } | string => {
    if (ref.region !== undefined && ref.region !== region) return `Function not found: ${ref.raw} (this emulator is region ${region})`;
    if (ref.accountId !== undefined && ref.accountId !== accountId) return `Function not found: ${ref.raw} (this emulator is account ${accountId})`;
    const fn = functions.get(ref.name);
    if (!fn) return `Function not found: ${functionArn(ref.name)}`;
    const qualifier = ref.qualifier === undefined || ref.qualifier === "$LATEST" ? fn.latest : ref.qualifier;
    const version = fn.versions.get(qualifier);
    if (!version) return `Function not found: ${functionArn(ref.name)}:${ref.qualifier}`;
    return { fn, version };
  };

  const sts = new LocalSts();
  const invoke = async (version: VersionEnvironments, payload: string, requestId: string, arn: string, role: string | undefined): Promise<InvocationOutcome> => {
    const started = Date.now();
    options.onInvoke?.({ functionName: version.spec.functionName, version: version.spec.version, payload, role });
    const outcome = await version.invoke(payload, requestId, arn);
    const cold = outcome.coldStart ? " (cold start)" : "";
    log(`REPORT RequestId: ${requestId} Version: ${version.spec.version} Duration: ${Date.now() - started} ms${cold}${outcome.kind === "error" ? ` Error: ${outcome.error.errorType}` : ""}`);
    return outcome;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://lambda");
    if (url.pathname === "/" && req.method === "POST") {
      const form = new URLSearchParams(((await readBody(req, 64 * 1024)) ?? Buffer.alloc(0)).toString("utf8"));
      const { status, body } = sts.answer(form);
      res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID() });
      return void res.end(body);
    }
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (!match || req.method !== "POST") {
      req.resume();
      return apiError(res, 404, "UnknownOperationException", `perdure's Lambda emulator serves the Invoke API only (POST /2015-03-31/functions/<name>/invocations), not ${req.method} ${url.pathname}`);
    }
    const invocationType = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
    if (!["RequestResponse", "Event", "DryRun"].includes(invocationType)) {
      req.resume();
      return apiError(res, 400, "InvalidParameterValueException", `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got ${invocationType}`);
    }
    const ref = resolveFunctionName(decodeURIComponent(match[1]!), url.searchParams.get("Qualifier") ?? undefined);
    if (typeof ref === "string") {
      req.resume();
      return apiError(res, 400, "ValidationException", ref);
    }
    const found = lookup(ref);
    if (typeof found === "string") {
      req.resume();
      return apiError(res, 404, "ResourceNotFoundException", found);
    }
    const limit = invocationType === "Event" ? LAMBDA_ASYNC_PAYLOAD_LIMIT : LAMBDA_SYNC_PAYLOAD_LIMIT;
    const body = await readBody(req, limit);
    if (body === undefined) {
      return apiError(res, 413, "RequestEntityTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    }
    // No payload is the event `{}`; anything else must be JSON.
    const payload = body.length === 0 ? "{}" : body.toString("utf8");
    try {
      JSON.parse(payload);
    } catch {
      return apiError(res, 400, "InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON");
    }
    const { version } = found;
    const requestId = randomUUID();
    const role = sts.roleOf(req.headers.authorization)?.roleArn;
    const arn = `${functionArn(ref.name)}${ref.qualifier ? `:${ref.qualifier}` : ""}`;
    const common = { "x-amzn-requestid": requestId, "x-amz-executed-version": version.spec.version };
    if (invocationType === "DryRun") {
      res.writeHead(204, common);
      return void res.end();
    }
    if (invocationType === "Event") {
      res.writeHead(202, common);
      res.end();
      void invoke(version, payload, requestId, arn, role);
      return;
    }
    const outcome = await invoke(version, payload, requestId, arn, role);
    let answer: string;
    let failed = outcome.kind === "error";
    if (outcome.kind === "result" && Buffer.byteLength(outcome.payload) > LAMBDA_SYNC_PAYLOAD_LIMIT) {
      failed = true;
      answer = JSON.stringify({
        errorType: "Function.ResponseSizeTooLarge",
        errorMessage: `Response payload size (${Buffer.byteLength(outcome.payload)} bytes) exceeded maximum allowed payload size (${LAMBDA_SYNC_PAYLOAD_LIMIT} bytes).`,
      });
    } else {
      answer = outcome.kind === "result" ? outcome.payload : JSON.stringify(outcome.error);
    }
    const headers: http.OutgoingHttpHeaders = { ...common, "content-type": "application/json", "content-length": Buffer.byteLength(answer) };
    if (failed) headers["x-amz-function-error"] = "Unhandled";
    res.writeHead(200, headers);
    res.end(answer);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) apiError(res, 500, "ServiceException", `emulator failure: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    region,
    accountId,
    async deploy(config) {
      if (!FUNCTION_NAME.test(config.name)) throw new Error(`invalid Lambda function name ${JSON.stringify(config.name)}: letters, digits, - and _, up to 64`);
      if (!fs.existsSync(config.code)) throw new Error(`the code of ${config.name} does not exist: ${config.code}`);
      const reserved = Object.keys(config.environment ?? {}).filter((k) => RESERVED_ENV.test(k));
      if (reserved.length > 0) throw new Error(`${config.name}: environment variables ${reserved.join(", ")} are reserved by Lambda and cannot be set`);
      const timeoutSeconds = config.timeoutSeconds ?? 3;
      if (!(timeoutSeconds >= 1 && timeoutSeconds <= 900)) throw new Error(`timeoutSeconds must be between 1 and 900 (Lambda's range), got ${timeoutSeconds}`);
      const fn = functions.get(config.name) ?? { versions: new Map(), latest: "0" };
      const version = String(Number(fn.latest) + 1);
      const codeDir = path.join(codeRoot, config.name, version);
      if (fs.statSync(config.code).isDirectory()) fs.cpSync(config.code, codeDir, { recursive: true });
      else extractZip(config.code, codeDir);
      // Older versions stay callable by their ARN, but their idle environments end: they start cold if called again.
      await Promise.all([...fn.versions.values()].map((v) => v.retire()));
      fn.versions.set(
        version,
        new VersionEnvironments({
          functionName: config.name,
          version,
          codeDir,
          handler: config.handler ?? "index.handler",
          timeoutMs: timeoutSeconds * 1000,
          memoryMb: config.memoryMb ?? 128,
          region,
          environment: config.environment ?? {},
          log: (line) => log(`[${config.name}:${version}] ${line}`),
        }),
      );
      fn.latest = version;
      functions.set(config.name, fn);
      return { functionName: config.name, version, functionArn: functionArn(config.name), versionArn: `${functionArn(config.name)}:${version}` };
    },
    stats(functionName) {
      const fn = functions.get(functionName);
      const byVersion: FunctionStats["byVersion"] = {};
      let invocations = 0;
      let coldStarts = 0;
      let environments = 0;
      for (const [v, envs] of fn?.versions ?? []) {
        byVersion[v] = { invocations: envs.invocations, coldStarts: envs.coldStarts };
        invocations += envs.invocations;
        coldStarts += envs.coldStarts;
        environments += envs.size;
      }
      return { invocations, coldStarts, environments, byVersion };
    },
    stop: () =>
      (stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await Promise.all([...functions.values()].flatMap((fn) => [...fn.versions.values()].map((v) => v.stop())));
        fs.rmSync(codeRoot, { recursive: true, force: true });
      })()),
  };
}
