// Starts an endpoint as a child process on a real runtime (bun, deno, workerd, node, …), waits for the line
// `PORT=<n>` on its stdout, and stops it by PID. Generic: the caller picks the binary and arguments.
import { spawn } from "node:child_process";
import { guardChild } from "../../../../src/local/child-lifetime.js";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file lives in test/e2e/runtimes/support/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

/** A binary installed by npm, e.g. `binPath("bun")` → <repo>/node_modules/.bin/bun. */
export function binPath(name: string): string {
  return path.join(repoRoot, "node_modules", ".bin", name);
}

export interface SpawnEndpointOptions {
  /** Executable to run, e.g. `binPath("bun")`. */
  command: string;
  args: string[];
  /** Default: the repository root. */
  cwd?: string;
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
  /** How long to wait for `PORT=<n>`. Default 20 s. */
  startTimeoutMs?: number;
  /** Host used to build `url`. Default 127.0.0.1. */
  host?: string;
}

export interface SpawnedEndpoint {
  pid: number;
  port: number;
  /** e.g. `http://127.0.0.1:41234`, ready to register with the admin API. */
  url: string;
  /** Everything the child printed so far (stdout + stderr). */
  logs(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the child is gone. Safe to call twice. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3_000;
const LOG_LIMIT = 1_000_000;
const PORT_LINE = /^PORT=(\d+)\s*$/m;

function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

export async function spawnEndpoint(opts: SpawnEndpointOptions): Promise<SpawnedEndpoint> {
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, ...(opts.env ?? {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const portSeen = new Promise<number>((resolve, reject) => {
    const append = (chunk: Buffer) => {
      log += chunk.toString("utf8");
      if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT / 2);
      const match = PORT_LINE.exec(log);
      if (match) resolve(Number(match[1]));
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.once("exit", (code, signal) => reject(new Error(`exited before printing PORT=<n> (code ${code}, signal ${signal})`)));
  });
  const pid = child.pid;
  if (pid === undefined) {
    // Spawning failed (e.g. ENOENT); the 'error' event, which says why, comes asynchronously.
    const why = await portSeen.then(() => undefined, (err: Error) => err.message);
    throw new Error(`could not spawn ${opts.command}: ${why ?? "unknown error"}`);
  }
  const { stop } = guardChild(child, { graceMs: STOP_GRACE_MS });

  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no PORT=<n> line within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const port = await Promise.race([portSeen, timedOut]);
    return { pid, port, url: `http://${opts.host ?? "127.0.0.1"}:${port}`, logs: () => log, stop };
  } catch (err) {
    await stop();
    const command = [opts.command, ...opts.args].join(" ");
    throw new Error(`endpoint \`${command}\` did not start: ${(err as Error).message}. Output:\n${tail(log)}`);
  } finally {
    clearTimeout(timer);
  }
}
