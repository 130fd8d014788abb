// Command-line parsing for `perdure`. Small and explicit: every flag is listed in USAGE.
import { UsageError } from "./usage-error.js";
import { parseVerifyArgs, VERIFY_USAGE, type VerifyArgs } from "./verify-args.js";

export type Runtime = "node" | "bun" | "deno" | "workerd" | "lambda";
export type Mode = "rr" | "bidi";

export interface DevArgs {
  command: "dev";
  entry: string;
  runtime: Runtime;
  /** Undefined: the mode of the entry (request-response for an endpoint builder or a list of services). */
  mode: Mode | undefined;
  /** Endpoint port; undefined: 9080, or a free one when 9080 is busy. */
  port: number | undefined;
  ingressPort: number | undefined;
  adminPort: number | undefined;
  watch: boolean;
  /** Where restate-server keeps its data (default `.perdure/restate` in the current folder). */
  dataDir: string | undefined;
  /** restate-server nodes: 1 (default) or a local cluster of 2..9. */
  nodes?: number;
  /** How much the invocation view prints (--quiet / --verbose). */
  verbosity: "quiet" | "normal" | "verbose";
  /** An invocation running this long without journal progress is reported as stuck (--stall-after, seconds). */
  stallAfterMs: number | undefined;
}

export type ParsedArgs = DevArgs | VerifyArgs | { command: "help" } | { command: "version" };

export const USAGE = `Usage: perdure dev <entry> [options]

Starts restate-server (from the npm package, data in ./.perdure), runs <entry> on the chosen runtime, registers it,
re-registers it when a file next to it changes, and stops everything on Ctrl-C.

<entry> is a module whose default export is one of:
  - an endpoint builder:      export default restate.endpoint().bind(greeter)
  - a fetch handler:          export default restate.endpoint().bind(greeter).handler()
  - a list of services:       export default [greeter, counter]
or a module without a default export that starts its own server (node, bun, deno), e.g.
                              await serve(handler, { port: 9080 })
  its first server is registered; it may read the port to use from $PORT (--mode and --port then do not apply).

Options:
  --runtime node|bun|deno|workerd|lambda
                                    where the endpoint runs (default node); lambda: bundled into index.js, run
                                    by a local Lambda (Invoke API), registered by ARN
  --mode rr|bidi                    request-response (default) or bidirectional streaming (not on workerd)
  --port N                          endpoint port (default 9080, or a free one); with lambda, the Lambda API's
  --ingress-port N                  restate-server ingress port (default 8080, or a free one)
  --admin-port N                    restate-server admin port (default 9070, or a free one)
  --data-dir DIR                    restate-server data (default .perdure/restate)
  --nodes N                         a local cluster of N restate-server nodes, replication 2 (default 1;
                                    needs @restatedev/restatectl; data in .perdure/cluster)
  --no-watch                        do not restart and re-register on file changes
  --quiet                           invocation view: only problems (retries, mismatches, stuck, paused, failed)
  --verbose                         invocation view: every invocation (started, completed with its output)
  --stall-after SECONDS             report an invocation running this long without journal progress (default 15)
  -h, --help                        this text
  -v, --version                     perdure's version

${VERIFY_USAGE}`;

export { UsageError };

const RUNTIMES: readonly Runtime[] = ["node", "bun", "deno", "workerd", "lambda"];
const MODES: readonly Mode[] = ["rr", "bidi"];

function portValue(flag: string, value: string | undefined): number {
  const port = Number(value);
  if (value === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${flag} needs a port number between 1 and 65535, got ${value === undefined ? "nothing" : JSON.stringify(value)}`);
  }
  return port;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError("no command given");
  if (command === "-h" || command === "--help" || command === "help") return { command: "help" };
  if (command === "-v" || command === "--version") return { command: "version" };
  if (command === "verify") return parseVerifyArgs(rest);
  if (command !== "dev") throw new UsageError(`unknown command '${command}' (the commands are 'dev' and 'verify')`);

  const args: DevArgs = {
    command: "dev",
    entry: "",
    runtime: "node",
    mode: undefined,
    port: undefined,
    ingressPort: undefined,
    adminPort: undefined,
    watch: true,
    dataDir: undefined,
    verbosity: "normal",
    stallAfterMs: undefined,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? rest[++i];
    switch (flag) {
      case "-h":
      case "--help":
        return { command: "help" };
      case "--runtime": {
        const v = value();
        if (!RUNTIMES.includes(v as Runtime)) throw new UsageError(`--runtime must be one of ${RUNTIMES.join(", ")}, got ${JSON.stringify(v ?? "")}`);
        args.runtime = v as Runtime;
        break;
      }
      case "--mode": {
        const v = value();
        if (!MODES.includes(v as Mode)) throw new UsageError(`--mode must be rr (request-response) or bidi (bidirectional), got ${JSON.stringify(v ?? "")}`);
        args.mode = v as Mode;
        break;
      }
      case "--port":
        args.port = portValue(flag, value());
        break;
      case "--ingress-port":
        args.ingressPort = portValue(flag, value());
        break;
      case "--admin-port":
        args.adminPort = portValue(flag, value());
        break;
      case "--data-dir": {
        const v = value();
        if (!v) throw new UsageError("--data-dir needs a directory");
        args.dataDir = v;
        break;
      }
      case "--nodes": {
        const v = value();
        const n = Number(v);
        if (v === undefined || !Number.isInteger(n) || n < 1 || n > 9) throw new UsageError(`--nodes needs a number of nodes between 1 and 9, got ${JSON.stringify(v ?? "")}`);
        args.nodes = n;
        break;
      }
      case "--no-watch":
        args.watch = false;
        break;
      case "--quiet":
      case "--verbose":
        if (args.verbosity !== "normal" && args.verbosity !== flag.slice(2)) throw new UsageError("--quiet and --verbose exclude each other");
        args.verbosity = flag === "--quiet" ? "quiet" : "verbose";
        break;
      case "--stall-after": {
        const v = value();
        const seconds = Number(v);
        if (v === undefined || !Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--stall-after needs a number of seconds above 0, got ${JSON.stringify(v ?? "")}`);
        args.stallAfterMs = seconds * 1_000;
        break;
      }
      default:
        if (arg.startsWith("-")) throw new UsageError(`unknown option '${arg}'`);
        if (args.entry) throw new UsageError(`one entry only (got '${args.entry}' and '${arg}')`);
        args.entry = arg;
    }
  }
  if (!args.entry) throw new UsageError("perdure dev needs an entry file, e.g. `perdure dev src/main.ts`");
  return args;
}
