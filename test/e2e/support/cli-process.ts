// Runs the built `perdure` CLI (dist/src/cli/main.js, what `npx perdure` runs) as a child process and waits on its
// output. For the CLI e2e files that start `perdure dev` with a runtime of their own (lambda, workerd).
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../../src/local/restate-server.js";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
export const cliPath = path.join(repoRoot, "dist/src/cli/main.js");

export interface CliProcess {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

const running: CliProcess[] = [];

export function runCli(cwd: string, args: string[]): CliProcess {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\``);
  const child = spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const handle = { child, output: () => out, exit };
  running.push(handle);
  return handle;
}

/** SIGKILL for every CLI a failed test left running (its exit hooks then stop its children). */
export function killLeftovers(): void {
  for (const c of running.splice(0)) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
}

export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, cli: CliProcess, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (cli.child.exitCode !== null) throw new Error(`perdure exited while waiting for ${what}:\n${cli.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${cli.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Three free ports and the matching `--port/--ingress-port/--admin-port` arguments. */
export async function devPorts() {
  const [endpoint, ingress, admin] = [await freePort(), await freePort(), await freePort()];
  return { endpoint, ingress, admin, args: ["--port", String(endpoint), "--ingress-port", String(ingress), "--admin-port", String(admin)] };
}
