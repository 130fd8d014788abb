// One Lambda execution environment: a Node child process (forked by environments.ts) that loads the function's
// handler the way the Node.js Lambda runtime does (`_HANDLER` = "<module path>.<export>", the module looked up as
// .js, .mjs or .cjs under LAMBDA_TASK_ROOT), then runs one invocation at a time as the parent sends them.
// Events arrive and results leave as JSON text, like on Lambda. Self-contained (no imports but node:*): when
// perdure runs from its TypeScript sources, the emulator transpiles this single file.
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

interface InvokeMessage {
  type: "invoke";
  id: number;
  /** The event, as the JSON text the caller sent. */
  event: string;
  context: {
    awsRequestId: string;
    invokedFunctionArn: string;
    deadlineMs: number;
  };
}

export interface WorkerError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

const send = (message: unknown) => process.send!(message);

/** The Node.js runtime's shape of an error: errorType (the error's name), errorMessage, trace (stack lines). */
function describeError(err: unknown, errorType?: string): WorkerError {
  if (err instanceof Error) {
    return { errorType: errorType ?? err.name, errorMessage: err.message, trace: (err.stack ?? "").split("\n").filter(Boolean) };
  }
  return { errorType: errorType ?? typeof err, errorMessage: String(err), trace: [] };
}

class RuntimeError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

async function loadHandler(): Promise<Handler> {
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const spec = process.env._HANDLER ?? "";
  const dot = spec.lastIndexOf(".");
  if (dot <= 0 || dot === spec.length - 1) throw new RuntimeError("Runtime.MalformedHandlerName", `Bad handler ${spec}: expected <module>.<export>, e.g. index.handler`);
  const modulePath = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const file = [".js", ".mjs", ".cjs"].map((ext) => path.resolve(root, modulePath + ext)).find((f) => fs.existsSync(f));
  if (!file) throw new RuntimeError("Runtime.ImportModuleError", `Error: Cannot find module '${modulePath}' in ${root} (looked for .js, .mjs, .cjs)`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const e = err instanceof SyntaxError ? new RuntimeError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`) : err;
    throw e;
  }
  // A CommonJS module's exports also appear as `default` when imported.
  const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== "function") throw new RuntimeError("Runtime.HandlerNotFound", `${spec} is undefined or not exported`);
  return fn as Handler;
}

let current: number | undefined;

function lambdaContext(message: InvokeMessage) {
  const env = process.env;
  return {
    awsRequestId: message.context.awsRequestId,
    invokedFunctionArn: message.context.invokedFunctionArn,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.context.deadlineMs - Date.now()),
  };
}

function runHandler(handler: Handler, event: unknown, context: unknown): Promise<unknown> {
  // A handler declared with three parameters answers through the callback (the runtime's older style).
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const result = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (result && typeof (result as Promise<unknown>).then === "function") (result as Promise<unknown>).then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  current = message.id;
  try {
    const result = await runHandler(handler, JSON.parse(message.event) as unknown, lambdaContext(message));
    // undefined answers as `null`, like the runtime; a result JSON cannot represent is the function's error.
    let payload: string;
    try {
      payload = JSON.stringify(result) ?? "null";
    } catch (err) {
      throw new RuntimeError("Runtime.SerializationError", `the handler's result is not JSON-serializable: ${(err as Error).message}`);
    }
    send({ type: "result", id: message.id, payload });
  } catch (err) {
    send({ type: "error", id: message.id, error: describeError(err, err instanceof RuntimeError ? err.errorType : undefined) });
  } finally {
    current = undefined;
  }
}

// Like the Node.js runtime: a rejection nobody handles, or an uncaught exception, fails the current invocation and
// ends the environment (the next invocation starts cold).
function crash(err: unknown, errorType?: string): void {
  send({ type: "crash", id: current, error: describeError(err, errorType) });
  process.exitCode = 129;
  setTimeout(() => process.exit(129), 20);
}
process.on("unhandledRejection", (reason) => crash(reason, "Runtime.UnhandledPromiseRejection"));
process.on("uncaughtException", (err) => crash(err));
// The emulator went away: so does its environment.
process.on("disconnect", () => process.exit(0));

try {
  const handler = await loadHandler();
  process.on("message", (message: InvokeMessage) => {
    if (message?.type === "invoke") void invoke(handler, message);
  });
  send({ type: "ready" });
} catch (err) {
  send({ type: "init-error", error: describeError(err, err instanceof RuntimeError ? err.errorType : undefined) });
}
