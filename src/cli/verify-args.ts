// Command-line parsing for `perdure verify` (see VERIFY_USAGE).
import { UsageError } from "./usage-error.js";

export interface VerifyArgs {
  command: "verify";
  entry: string;
  /** Admin API of the server whose in-flight invocations are checked. */
  adminUrl: string | undefined;
  /** Journals saved earlier (`--save`) instead of a server. */
  from: string | undefined;
  /** Also write the fetched journals to this JSON file. */
  save: string | undefined;
}

export const VERIFY_USAGE = `Usage: perdure verify (--admin <url> | --from <file>) <entry> [--save <file>]

Determinism check before a deploy: takes the journals of the invocations still in flight (suspended, backing-off,
paused, running) from the server, replays each one offline against the code of <entry>, and lists every invocation
that would hit a journal mismatch (command index, what the journal recorded, what the code does now).
Exit code 0: every in-flight invocation is compatible; 1: at least one would break; 2: bad arguments, or
the check could not run (entry not loadable, server not reachable).

  --admin URL      restate-server admin API, e.g. http://127.0.0.1:9070
  --from FILE      replay journals saved with --save instead of querying a server
  --save FILE      also write the fetched journals to FILE (JSON)
`;

export function parseVerifyArgs(rest: readonly string[]): VerifyArgs {
  const args: VerifyArgs = { command: "verify", entry: "", adminUrl: undefined, from: undefined, save: undefined };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      const v = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (!v) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--admin": {
        const v = value();
        if (!/^https?:\/\/[^/]+/.test(v)) throw new UsageError(`--admin needs the admin API's URL, e.g. http://127.0.0.1:9070, got ${JSON.stringify(v)}`);
        args.adminUrl = v.replace(/\/+$/, "");
        break;
      }
      case "--from":
        args.from = value();
        break;
      case "--save":
        args.save = value();
        break;
      default:
        if (arg.startsWith("-")) throw new UsageError(`unknown option '${arg}' for verify`);
        if (args.entry) throw new UsageError(`one entry only (got '${args.entry}' and '${arg}')`);
        args.entry = arg;
    }
  }
  if (!args.entry) throw new UsageError("perdure verify needs the entry file of the new code, e.g. `perdure verify --admin http://127.0.0.1:9070 src/main.ts`");
  if (!args.adminUrl === !args.from) throw new UsageError("perdure verify needs exactly one of --admin <url> and --from <file>");
  if (args.save && !args.adminUrl) throw new UsageError("--save writes journals fetched with --admin");
  return args;
}
