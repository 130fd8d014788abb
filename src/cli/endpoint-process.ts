// The user's endpoint as a child process: started with a launch plan, its output forwarded with a prefix, ready once
// it printed its port and answers GET /health, stopped by PID (SIGTERM, then SIGKILL). A detached watchdog kills it
// if the CLI itself dies without cleaning up (see ../local/child-lifetime.ts).
import { spawn } from "node:child_process";
import { guardChild, hasExited } from "../local/child-lifetime.js";
import type { LaunchPlan } from "./runtimes.js";
import { LISTENING_PREFIX } from "./runners/entry.js";

const STOP_GRACE_MS = 3_000;
const LOG_LIMIT = 200_000;

export interface EndpointProcess {
  pid: number;
  port: number;
  url: string;
  /** The last lines the child printed. */
  logs(): string;
  stop(): Promise<void>;
  /** Resolves when the child exits on its own or is stopped. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class EndpointStartError extends Error {
  override name = "EndpointStartError";
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

export interface StartEndpointOptions {
  plan: LaunchPlan;
  cwd: string;
  /** Each output line of the child (stdout and stderr). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  timeoutMs?: number;
}

export async function startEndpointProcess(opts: StartEndpointOptions): Promise<EndpointProcess> {
  const { plan } = opts;
  await plan.prepare?.();
  const child = spawn(plan.command, plan.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...plan.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  let port: number | undefined = plan.knownPort;
  const lineReader = (stream: "stdout" | "stderr") => {
    let pending = "";
    return (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log = (log + text).slice(-LOG_LIMIT);
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(LISTENING_PREFIX)) port = Number(line.slice(LISTENING_PREFIX.length));
        else opts.onLine?.(line, stream);
      }
    };
  };
  child.stdout!.on("data", lineReader("stdout"));
  child.stderr!.on("data", lineReader("stderr"));
  let spawnError: Error | undefined;
  child.on("error", (err) => (spawnError = err));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((r) => setTimeout(r, 0));
    throw new EndpointStartError(`cannot start ${plan.command}: ${spawnError?.message ?? "unknown error"}`);
  }
  const { stop } = guardChild(child, { graceMs: STOP_GRACE_MS });

  // Output already shown line by line is not repeated in the error.
  const outputNote = () => (opts.onLine ? (log.trim() ? "; its output is above" : "; it printed nothing") : `. Its output:\n${log.trim() || "(nothing)"}`);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (spawnError || hasExited(child)) {
      await stop();
      const why = spawnError ? spawnError.message : `exited with ${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode}`;
      throw new EndpointStartError(`the endpoint did not start (${why})${outputNote()}`);
    }
    if (port !== undefined && (await healthy(`http://127.0.0.1:${port}`))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new EndpointStartError(`the endpoint did not answer GET /health within ${opts.timeoutMs ?? 30_000} ms${outputNote()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid, port: port!, url: `http://127.0.0.1:${port}`, logs: () => log, stop, exited };
}
