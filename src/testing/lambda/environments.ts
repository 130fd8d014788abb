// Execution environments of one published function version, as Lambda keeps them: each is a Node child process
// (runtime-worker.ts) that runs one invocation at a time. An idle environment is reused (warm); when all are busy
// or none exists, a new one starts (cold). An environment whose invocation timed out or whose runtime crashed is
// discarded, so the next invocation starts cold. Node-only.
import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { waitForExit } from "../../local/child-lifetime.js";
import type { WorkerError } from "./runtime-worker.js";

/** Lambda's limit for the init phase of an on-demand environment. */
const INIT_LIMIT_MS = 10_000;

export type InvocationOutcome =
  | { kind: "result"; payload: string; coldStart: boolean }
  /** The function failed: Lambda answers 200 with `X-Amz-Function-Error: Unhandled` and this body. */
  | { kind: "error"; error: WorkerError; coldStart: boolean };

export interface VersionSpec {
  functionName: string;
  version: string;
  /** Where the unpacked code lives (the task root). */
  codeDir: string;
  handler: string;
  timeoutMs: number;
  memoryMb: number;
  region: string;
  /** The function's own environment variables. */
  environment: Record<string, string>;
  /** Each line the function prints. */
  log: (line: string) => void;
}

type WorkerMessage =
  | { type: "ready" }
  | { type: "init-error"; error: WorkerError }
  | { type: "result"; id: number; payload: string }
  | { type: "error"; id: number; error: WorkerError }
  | { type: "crash"; id: number | undefined; error: WorkerError };

let workerScriptPath: string | undefined;

/** runtime-worker.js next to this module; from the TypeScript sources, that file transpiled once with esbuild. */
async function workerScript(): Promise<string> {
  if (workerScriptPath) return workerScriptPath;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const js = path.join(here, "runtime-worker.js");
  if (fs.existsSync(js)) return (workerScriptPath = js);
  const esbuild = (await import("esbuild")) as typeof import("esbuild");
  const source = fs.readFileSync(path.join(here, "runtime-worker.ts"), "utf8");
  const { code } = await esbuild.transform(source, { loader: "ts", format: "esm", target: "node20" });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-lambda-worker-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "runtime-worker.mjs"), code);
  return (workerScriptPath = path.join(dir, "runtime-worker.mjs"));
}

function forwardLines(stream: NodeJS.ReadableStream | null, log: (line: string) => void): void {
  let pending = "";
  stream?.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) log(line);
  });
  stream?.on("end", () => pending && log(pending));
}

class Environment {
  busy = false;
  dead = false;
  private waiting: ((message: WorkerMessage | { type: "exit"; code: number | null; signal: string | null }) => void) | undefined;

  constructor(readonly child: ChildProcess) {
    child.on("message", (message: WorkerMessage) => this.waiting?.(message));
    child.once("exit", (code, signal) => {
      this.dead = true;
      this.waiting?.({ type: "exit", code, signal });
    });
  }

  /** The next message from the runtime (or its exit), or undefined after `ms`. */
  next(ms: number): Promise<WorkerMessage | { type: "exit"; code: number | null; signal: string | null } | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        resolve(undefined);
      }, ms);
      this.waiting = (message) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(message);
      };
    });
  }

  async kill(): Promise<void> {
    this.dead = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGKILL");
    await waitForExit(this.child, 5_000);
  }
}

export class VersionEnvironments {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private nextId = 1;
  private retired = false;
  coldStarts = 0;
  invocations = 0;

  constructor(readonly spec: VersionSpec) {}

  /** Environments alive now (idle or busy). */
  get size(): number {
    return this.all.size;
  }

  private async start(): Promise<{ env: Environment } | { error: WorkerError }> {
    const { spec } = this;
    this.coldStarts++;
    const child = fork(await workerScript(), [], {
      cwd: spec.codeDir,
      execArgv: [],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        TZ: ":UTC",
        LANG: "en_US.UTF-8",
        ...spec.environment,
        AWS_REGION: spec.region,
        AWS_DEFAULT_REGION: spec.region,
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split(".")[0]}.x`,
        AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: spec.version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: `local/[${spec.version}]${randomUUID().replace(/-/g, "")}`,
        LAMBDA_TASK_ROOT: spec.codeDir,
        _HANDLER: spec.handler,
      },
    });
    forwardLines(child.stdout, spec.log);
    forwardLines(child.stderr, spec.log);
    const env = new Environment(child);
    this.all.add(env);
    child.once("exit", () => {
      this.all.delete(env);
      const at = this.idle.indexOf(env);
      if (at >= 0) this.idle.splice(at, 1);
    });
    const first = await env.next(INIT_LIMIT_MS);
    if (first?.type === "ready") return { env };
    await env.kill();
    if (first?.type === "init-error") return { error: first.error };
    const why = first === undefined ? `init did not finish within ${INIT_LIMIT_MS} ms` : first.type === "exit" ? `the runtime exited during init (${describeExit(first)})` : `unexpected ${first.type} message during init`;
    return { error: { errorType: "Runtime.ExitError", errorMessage: `RequestId: init Error: ${why}`, trace: [] } };
  }

  /** Runs one invocation on a warm environment if one is idle, else on a new one. */
  async invoke(event: string, requestId: string, invokedFunctionArn: string): Promise<InvocationOutcome> {
    this.invocations++;
    let env = this.idle.pop();
    while (env?.dead) env = this.idle.pop();
    const coldStart = env === undefined;
    if (!env) {
      const started = await this.start();
      if ("error" in started) return { kind: "error", error: started.error, coldStart };
      env = started.env;
    }
    env.busy = true;
    const { timeoutMs } = this.spec;
    const id = this.nextId++;
    env.child.send({ type: "invoke", id, event, context: { awsRequestId: requestId, invokedFunctionArn, deadlineMs: Date.now() + timeoutMs } });
    const answer = await env.next(timeoutMs);
    env.busy = false;
    if (answer?.type === "result" || answer?.type === "error") {
      if (this.retired) void env.kill();
      else this.idle.push(env);
      return answer.type === "result" ? { kind: "result", payload: answer.payload, coldStart } : { kind: "error", error: answer.error, coldStart };
    }
    await env.kill();
    if (answer === undefined) {
      const seconds = (timeoutMs / 1000).toFixed(2);
      return { kind: "error", coldStart, error: { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`, trace: [] } };
    }
    if (answer.type === "crash") return { kind: "error", coldStart, error: answer.error };
    const exit = answer.type === "exit" ? describeExit(answer) : `unexpected message ${answer.type}`;
    return { kind: "error", coldStart, error: { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${exit}`, trace: [] } };
  }

  /** No new invocations start warm here: idle environments stop now, busy ones after their invocation. */
  async retire(): Promise<void> {
    this.retired = true;
    await Promise.all(this.idle.splice(0).map((env) => env.kill()));
  }

  async stop(): Promise<void> {
    this.retired = true;
    this.idle.length = 0;
    await Promise.all([...this.all].map((env) => env.kill()));
  }
}

function describeExit(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `signal: ${exit.signal}` : `exit status ${exit.code}`;
}
