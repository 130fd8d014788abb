// Turns introspection rows into the one-line explanations the dev console prints. Pure functions (no I/O), so
// every wording can be unit-tested against rows captured from restate-server 1.7.12.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { InvocationRow, JournalRow, RetryPolicy } from "./introspection.js";

/** `[500 Internal] boom\nError: boom\n    at …` → `boom` (the message, without the server's code prefix). */
export function failureMessage(failure: string): string {
  const firstLine = failure.split("\n")[0] ?? "";
  return firstLine.replace(/^\[\d+(?: [^\]]*)?\]\s*/, "").trim();
}

/** The failure's code, e.g. 500 or 570 (from the `[570 Journal mismatch]` prefix). */
export function failureCode(failure: string): number | undefined {
  const m = /^\[(\d+)/.exec(failure);
  return m ? Number(m[1]) : undefined;
}

// perdure's own files (src/, dist/, adapters/ of this package): frames there say nothing about the user's code.
const perdureRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..").replace(/[/\\]dist$/, "");
const ownDirs = ["src", "dist", "adapters"].map((d) => path.join(perdureRoot, d) + path.sep);

/**
 * The first stack frame in the user's code (skipping `JSON.stringify (<anonymous>)`, Node internals, node_modules and
 * perdure itself), with the path made relative to `cwd`: `at Object.greet (src/main.ts:9:52)`.
 */
export function firstFrame(failure: string, cwd?: string): string | undefined {
  for (const raw of failure.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("at ")) continue;
    if (line.includes("(node:") || line.startsWith("at node:") || line.includes("(<anonymous>)")) continue;
    if (line.includes(`${path.sep}node_modules${path.sep}`) || ownDirs.some((d) => line.includes(d))) continue;
    if (!/:\d+:\d+\)?$/.test(line)) continue;
    return cwd ? line.replace(/(\(|at )(\/[^():]+)(?=:\d+:\d+)/, (_m, pre: string, file: string) => pre + relative(cwd, file)) : line;
  }
  return undefined;
}

function relative(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith("..") ? file : rel;
}

/** `in 2.4s`, `in 1m 5s` until `at` (ISO), from `now`. */
export function inTime(at: string | undefined, now: number): string | undefined {
  if (!at) return undefined;
  const ms = Date.parse(at) - now;
  if (Number.isNaN(ms)) return undefined;
  return ms <= 0 ? "now" : `in ${duration(ms)}`;
}

export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1_000);
  if (m < 60) return s ? `${m}m ${s}s` : `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** A journal mismatch, parsed from the failure text perdure (and the official SDK) send with code 570. */
export interface MismatchInfo {
  index?: number;
  /** e.g. `the journal has SleepCommand, but the code issued RunCommand named 'new-step'`. */
  detail: string;
}

export function mismatchOf(inv: InvocationRow): MismatchInfo | undefined {
  const failure = inv.lastFailure;
  if (!failure || failureCode(failure) !== 570) return undefined;
  const message = failureMessage(failure);
  const m = /Journal mismatch at command index (\d+):\s*(.+?)\.(?:\s+The handler|\s*$)/.exec(message);
  if (m) return { index: Number(m[1]), detail: m[2]! };
  const info: MismatchInfo = { detail: message };
  if (inv.failedCommand?.index !== undefined) info.index = inv.failedCommand.index;
  return info;
}

/** `sleep until 14:03:12`, `call Payments/charge (inv_…)`, `ctx.run "charge"`, … for one journal command. */
export function describeCommand(entry: JournalRow): string {
  const json = entry.json?.Command as Record<string, any> | undefined;
  const kind = entry.entryType.replace(/^Command:\s*/, "");
  const body = json ? (Object.values(json)[0] as Record<string, any> | undefined) : undefined;
  const named = entry.name ? ` ${JSON.stringify(entry.name)}` : "";
  switch (kind) {
    case "Sleep": {
      const wake = typeof body?.wake_up_time === "number" ? new Date(body.wake_up_time).toISOString().slice(11, 19) : undefined;
      return `sleep${named}${wake ? ` until ${wake} UTC` : ""}`;
    }
    case "Call":
    case "OneWayCall": {
      const t = body?.invocation_target as Record<string, any> | undefined;
      const inner = t ? (Object.values(t)[0] as Record<string, any>) : undefined;
      const target = inner ? [inner.name, inner.key, inner.handler].filter((x) => x !== undefined && x !== null).join("/") : "?";
      return `${kind === "Call" ? "call" : "send"} ${target}${body?.invocation_id ? ` (${body.invocation_id})` : ""}`;
    }
    case "Run":
      return `ctx.run${named}`;
    case "GetPromise":
    case "PeekPromise":
      return `promise ${JSON.stringify(body?.key ?? entry.name)}`;
    case "AttachInvocation":
    case "GetInvocationOutput":
      return `the result of another invocation`;
    default:
      return `${kind}${named}`;
  }
}

/** What a suspended invocation waits for, from its `suspended_waiting_for_*` columns and its journal. */
export function describeWaiting(inv: InvocationRow, journal: JournalRow[]): string {
  const parts: string[] = [];
  for (const id of inv.waitingForCompletions) {
    const command = journal.find((e) => {
      const body = e.json?.Command ? (Object.values(e.json.Command)[0] as Record<string, any>) : undefined;
      return body !== undefined && (body.completion_id === id || body.result_completion_id === id);
    });
    parts.push(command ? describeCommand(command) : `completion ${id}`);
  }
  const awakeables = inv.waitingForSignals.filter((s) => s >= 17).length;
  if (awakeables) parts.push(awakeables === 1 ? "an awakeable" : `${awakeables} awakeables`);
  const named = inv.waitingForSignals.filter((s) => s > 1 && s < 17).length;
  if (named) parts.push("a signal");
  return parts.length ? parts.join(", ") : "something (no completion named)";
}

/** `"Hello, Ada!"`, shortened, from the Output command's stored result. */
export function describeOutput(journal: JournalRow[], max = 80): string | undefined {
  const output = journal.find((e) => e.entryType === "Command: Output");
  const result = output?.json?.Command?.Output?.result as Record<string, any> | undefined;
  if (!result) return undefined;
  if (Array.isArray(result.Success)) {
    const text = new TextDecoder().decode(Uint8Array.from(result.Success as number[]));
    return text.length > max ? `${text.slice(0, max - 1)}…` : text || "(empty)";
  }
  if (result.Failure) return `[${result.Failure.code}] ${result.Failure.message}`;
  return undefined;
}

/** `every 500ms, doubling up to 1m, at most 70 attempts, then pause`. */
export function describeRetryPolicy(p: RetryPolicy): string {
  const parts: string[] = [];
  if (p.initialInterval) parts.push(`first retry after ${p.initialInterval}`);
  if (p.factor && p.factor !== 1) parts.push(`interval ×${p.factor}${p.maxInterval ? ` up to ${p.maxInterval}` : ""}`);
  if (p.maxAttempts === null || p.maxAttempts === undefined) parts.push("no attempt limit");
  else parts.push(`at most ${p.maxAttempts} attempts, then ${String(p.onMaxAttempts ?? "pause").toLowerCase() === "kill" ? "fail" : String(p.onMaxAttempts ?? "pause").toLowerCase()}`);
  return parts.join(", ");
}

/** A line of advice for failures with a well-known cause, else undefined. */
export function adviceFor(message: string, command?: { type?: string; name?: string }): string | undefined {
  const what = command?.type === "Run" ? `the result of ctx.run ${JSON.stringify(command.name ?? "")}` : "a value";
  if (/serialize a BigInt|BigInt value can't be serialized/i.test(message)) {
    return `${what} is a BigInt, which JSON cannot hold: return a string/number, or give it a serde (perdure/msgpack keeps BigInts).`;
  }
  if (/circular structure|cannot serialize|not serializable|could not serialize/i.test(message)) {
    return `${what} cannot be serialized: return plain JSON data, or give it a serde.`;
  }
  return undefined;
}
