// A restate-server that can be SIGKILLed and started again with the SAME data dir, ports and cluster name, so that it
// recovers its own data (journals, state, inbox). Built on the local server launcher (src/local), which keeps a
// data dir it was given instead of deleting it on stop.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { freePort, startRestateServer, type RestateServer, type RestateServerPorts } from "../../src/local/restate-server.js";

export interface RestartableRestate {
  adminUrl: string;
  ingressUrl: string;
  baseDir: string;
  /** Starts (or starts again) and waits until admin and ingress answer. */
  start(): Promise<void>;
  /** SIGKILL, no grace: the crash being tested. */
  kill(): Promise<void>;
  isRunning(): boolean;
  /** What every run of the server printed, oldest first. */
  logs(): string;
  /** Stops for good and deletes the data dir. */
  destroy(): Promise<void>;
}

export async function createRestartableRestate(opts: { protocolV7?: boolean; startTimeoutMs?: number } = {}): Promise<RestartableRestate> {
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-chaos-rs-"));
  const picked = new Set<number>();
  while (picked.size < 3) picked.add(await freePort());
  const [node, admin, ingress] = [...picked] as [number, number, number];
  const ports: RestateServerPorts = { node, admin, ingress };
  const clusterName = `perdure-chaos-${path.basename(baseDir).slice(-6)}`;
  let server: RestateServer | undefined;
  let exited = true;
  const earlierLogs: string[] = [];

  const start = async () => {
    if (!exited) return;
    if (server) earlierLogs.push(server.logs());
    server = await startRestateServer({
      dataDir: baseDir,
      ports,
      clusterName,
      protocolV7: opts.protocolV7,
      startTimeoutMs: opts.startTimeoutMs ?? 60_000,
    });
    exited = false;
    const current = server;
    void current.exited.then(() => {
      if (server === current) exited = true;
    });
  };

  return {
    adminUrl: `http://127.0.0.1:${admin}`,
    ingressUrl: `http://127.0.0.1:${ingress}`,
    baseDir,
    start,
    kill: async () => {
      if (!server || exited) return;
      process.kill(server.pid, "SIGKILL");
      await server.exited;
      await server.stop(); // releases the launcher's watchdog; the data dir is kept
    },
    isRunning: () => !exited,
    logs: () => [...earlierLogs, server?.logs() ?? ""].join("\n"),
    destroy: async () => {
      await server?.stop();
      fs.rmSync(baseDir, { recursive: true, force: true });
    },
  };
}
