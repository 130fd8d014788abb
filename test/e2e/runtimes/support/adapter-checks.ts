// Runs fixtures/<runtime>-adapter-checks.ts on the real runtime (a child process that exits when done) and expects
// every check to pass; the output names the failing ones.
import { execFile } from "node:child_process";
import { expect, it } from "vitest";
import { repoRoot } from "./spawn-endpoint.js";

export function adapterChecksTest(runtime: string, command: string, args: string[], env: Record<string, string> = {}): void {
  it(`perdure/${runtime} serve() passes its checks inside the runtime`, async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 20_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: `${stdout}${stderr}` });
      });
    });
    const summary = /^CHECKS (\d+)\/(\d+)$/m.exec(output);
    expect(output).not.toMatch(/^not ok/m);
    expect(summary, output).not.toBeNull();
    expect(summary![1], output).toBe(summary![2]);
    expect(Number(summary![2])).toBeGreaterThan(0);
    expect(code, output).toBe(0);
  });
}
