#!/usr/bin/env node
// The `perdure` command. `perdure dev <entry>`: restate-server + your endpoint + registration + reload on change.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, USAGE, UsageError, type DevArgs } from "./args.js";
import { startDev, type DevSession } from "./dev.js";
import { restateCliHelp } from "./monitor/restate-cli.js";
import { verifyCommand } from "./verify.js";

function perdureVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "perdure") return pkg.version ?? "unknown";
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

function printReady(session: DevSession, args: DevArgs): void {
  const lines = [
    ``,
    `perdure dev is ready`,
    `  ingress   ${session.ingressUrl}`,
    `  admin     ${session.adminUrl}`,
    `  web UI    ${session.uiUrl}`,
    `  endpoint  ${session.endpointUrl}  (${session.runtime}, ${session.mode})`,
    ...session.services.map((s, i) => `  ${i === 0 ? "services " : "         "} ${s}`),
    ``,
  ];
  if (session.curl) lines.push(`Call it:`, `  ${session.curl}`, ``);
  lines.push(...restateCliHelp(session), ``);
  const view = { quiet: "problems only (--verbose: every invocation)", normal: "problems and suspensions (--verbose: every invocation, --quiet: problems only)", verbose: "every invocation (--quiet: problems only)" };
  lines.push(`Invocations are shown below as they change: ${view[args.verbosity]}.`);
  lines.push(
    args.watch ? `Watching ${path.relative(process.cwd(), path.dirname(path.resolve(args.entry))) || "."} for changes. Ctrl-C stops everything.` : `Ctrl-C stops everything.`,
  );
  console.log(lines.join("\n"));
}

async function dev(args: DevArgs): Promise<number> {
  console.log(`perdure ${perdureVersion()} · starting restate-server and ${args.entry} on ${args.runtime}…`);
  const session = await startDev({
    ...args,
    invocations: { verbosity: args.verbosity, verifyEntry: args.entry, stallMs: args.stallAfterMs },
    onReload: (result) => {
      if (result.ok) console.log(`↻ restarted and re-registered ${result.session.endpointUrl} (${result.session.services.length} service(s))`);
      else console.error(`✗ reload failed, still watching: ${result.error.message}`);
    },
  });
  printReady(session, args);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        // A second Ctrl-C: leave now; the exit hooks kill whatever is still running.
        console.error(`${signal} again: exiting at once`);
        process.exit(130);
      }
      stopping = true;
      console.log(`\n${signal}: stopping the endpoint and restate-server…`);
      session.stop().then(
        () => {
          console.log("stopped");
          resolve(0);
        },
        (err: unknown) => {
          console.error(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    void session.serverExited.then(() => {
      if (stopping) return;
      stopping = true;
      void session.stop().then(() => resolve(1));
    });
  });
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`perdure: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.command === "help") {
    console.log(USAGE);
    return 0;
  }
  if (args.command === "version") {
    console.log(perdureVersion());
    return 0;
  }
  if (args.command === "verify") return verifyCommand(args);
  try {
    return await dev(args);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`perdure dev: ${message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
