// Child processes that must not outlive this process (restate-server, endpoints on other runtimes): killed by an exit
// hook, and by a detached watchdog shell if this process dies without running exit hooks (SIGKILL). Stopping sends
// SIGTERM, then SIGKILL after a grace period. Node-only (testing kit and CLI).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";

export interface GuardOptions {
  /** How long SIGTERM may take before SIGKILL. */
  graceMs: number;
  /** A directory removed when the child is stopped, when this process exits, and by the watchdog. */
  tempDir?: string;
  /** The watchdog asks the child to stop (SIGTERM, up to 5 s) before killing it — for servers that flush on exit. */
  gentleWatchdog?: boolean;
}

export interface GuardedChild {
  /** Resolves once the child is gone (and its temp dir removed). Safe to call twice. */
  stop(): Promise<void>;
}

const guarded = new Map<number, { child: ChildProcess; tempDir: string | undefined }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const { child, tempDir } of guarded.values()) {
      try {
        child.kill("SIGKILL");
        if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
      } catch {
        /* already gone */
      }
    }
  });
}

function spawnWatchdog(childPid: number, opts: GuardOptions): number | undefined {
  const [parent, child] = [process.pid, childPid];
  const script = [
    `while kill -0 ${parent} 2>/dev/null && kill -0 ${child} 2>/dev/null; do sleep 1; done`,
    `if ! kill -0 ${parent} 2>/dev/null; then`,
    opts.gentleWatchdog
      ? `  kill -TERM ${child} 2>/dev/null; i=0; while kill -0 ${child} 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done`
      : `  true`,
    `  kill -KILL ${child} 2>/dev/null`,
    opts.tempDir ? `  rm -rf ${JSON.stringify(opts.tempDir)}` : `  true`,
    `fi`,
  ].join("\n");
  try {
    const dog = spawn("/bin/sh", ["-c", script], { detached: true, stdio: "ignore" });
    dog.on("error", () => {});
    dog.unref();
    return dog.pid;
  } catch {
    return undefined;
  }
}

export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Guards a spawned child (its pid must be known) for the rest of this process's life. */
export function guardChild(child: ChildProcess, opts: GuardOptions): GuardedChild {
  const pid = child.pid;
  if (pid === undefined) throw new Error("guardChild: the child has no pid (it was not spawned)");
  installExitHook();
  guarded.set(pid, { child, tempDir: opts.tempDir });
  const watchdog = spawnWatchdog(pid, opts);
  let stopping: Promise<void> | undefined;
  return {
    stop: () =>
      (stopping ??= (async () => {
        if (!hasExited(child)) {
          signalProcess(pid, "SIGTERM");
          if (!(await waitForExit(child, opts.graceMs))) {
            signalProcess(pid, "SIGKILL");
            await waitForExit(child, opts.graceMs);
          }
        }
        guarded.delete(pid);
        if (watchdog !== undefined) signalProcess(watchdog, "SIGKILL");
        if (opts.tempDir) fs.rmSync(opts.tempDir, { recursive: true, force: true });
      })()),
  };
}
