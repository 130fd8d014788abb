// A stand-in for AWS Lambda in e2e tests: an HTTP/1.1 server on loopback that turns each request from restate-server
// into the API Gateway v1 event restate-server itself builds when it invokes a Lambda function (exactly `path`,
// `httpMethod`, `headers` with one value per name, `body` always base64, `isBase64Encoded: true`), calls the Lambda handler in-process, and writes the handler's result back as the HTTP answer.
// Like Lambda, it passes events and results through JSON and refuses payloads over the 6 MB synchronous limit, so
// a handler that would fail on AWS fails here too.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

/** AWS Lambda's synchronous invocation payload limit, in both directions. */
const LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024;

/** Answered by the bridge itself (never forwarded): `{ "<path>": <events handed to the handler> }`. */
export const BRIDGE_COUNTS_PATH = "/__bridge/invocations";

export type BridgedHandler = (event: never, context: never) => Promise<unknown>;

export interface LambdaBridge {
  port: number;
  url: string;
  /** Events handed to the Lambda handler so far, per path. */
  invocations: Map<string, number>;
  close(): Promise<void>;
}

interface LambdaResult {
  statusCode?: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body?: string;
  isBase64Encoded?: boolean;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function lambdaContext(functionName: string) {
  const deadline = Date.now() + 60_000;
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "128",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ errorType: "BridgeError", errorMessage: message }));
}

export async function startLambdaBridge(handler: BridgedHandler, opts: { functionName?: string } = {}): Promise<LambdaBridge> {
  const invocations = new Map<string, number>();
  const functionName = opts.functionName ?? "perdure-e2e";
  const server = http.createServer({ noDelay: true }, (req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://bridge");
      if (url.pathname === BRIDGE_COUNTS_PATH) {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify(Object.fromEntries(invocations)));
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const event = {
        path: url.pathname,
        httpMethod: req.method ?? "GET",
        headers,
        body: body.toString("base64"), // restate-server sends "" for an empty body, never null
        isBase64Encoded: true,
      };
      const eventJson = JSON.stringify(event);
      if (eventJson.length > LAMBDA_PAYLOAD_LIMIT) {
        return sendError(res, 413, `Request must be smaller than ${LAMBDA_PAYLOAD_LIMIT} bytes for the InvokeFunction operation`);
      }
      invocations.set(url.pathname, (invocations.get(url.pathname) ?? 0) + 1);
      let result: LambdaResult;
      try {
        const raw = await handler(JSON.parse(eventJson) as never, lambdaContext(functionName) as never);
        const resultJson = JSON.stringify(raw);
        if (resultJson.length > LAMBDA_PAYLOAD_LIMIT) {
          return sendError(res, 502, `Response payload size (${resultJson.length} bytes) exceeded maximum allowed payload size (${LAMBDA_PAYLOAD_LIMIT} bytes).`);
        }
        result = JSON.parse(resultJson) as LambdaResult;
      } catch (err) {
        return sendError(res, 502, `Lambda function failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const out: http.OutgoingHttpHeaders = { ...(result.headers ?? {}) };
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) out[name] = values;
      const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
      out["content-length"] = String(payload.length);
      res.writeHead(result.statusCode ?? 200, out);
      res.end(payload);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `bridge failure: ${String(err)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    invocations,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
