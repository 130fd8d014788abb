// Commands and long-running processes for the packed-package test: every command's output is kept for the error
// message, every process is stopped by PID (TERM, then KILL) when the test ends.
import { spawn, type ChildProcess } from "node:child_process";

export interface CommandResult {
  code: number | null;
  output: string;
}

export class CommandError extends Error {
  override name = "CommandError";
}

/** Runs a command to its end; rejects with its output when it exits non-zero or takes longer than `timeoutMs`. */
export function run(command: string, args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 180_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new CommandError(`${command} ${args.join(" ")} could not start: ${err.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ code, output });
      else reject(new CommandError(`${command} ${args.join(" ")} (in ${opts.cwd}) ended with ${code ?? signal}:\n${output.slice(-6_000)}`));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const started = new Set<Started>();

/** Starts a long-running process (an endpoint, wrangler dev). */
export function start(command: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Started {
  const child = spawn(command, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-50_000)));
  child.stderr!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-50_000)));
  child.on("error", (err) => (output += `\n[spawn error] ${err.message}`));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle: Started = {
    child,
    output: () => output,
    stop: async () => {
      started.delete(handle);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
  started.add(handle);
  return handle;
}

export async function stopAll(): Promise<void> {
  await Promise.allSettled([...started].map((s) => s.stop()));
}

/** Waits until GET <url>/health answers 200; fails early, with the output, if the process exits. */
export async function waitHealthy(url: string, proc: Started, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`the endpoint exited before it answered ${url}/health:\n${proc.output()}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url}/health did not answer within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
