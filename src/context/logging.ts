// Logging: the official SDK's LoggerTransport shape (one function receives every log line with its level, source,
// replay flag and invocation context), a console transport with a level threshold, and the per-endpoint choice of
// transport. Everything here is plain JavaScript: it runs unchanged on Workers, Deno, Bun and Node.

import type { HandlerEntry, ServiceEntry } from "../definition/service-model.js";
import type { Request } from "./context-types.js";

export enum RestateLogLevel {
  TRACE = "trace",
  DEBUG = "debug",
  INFO = "info",
  WARN = "warn",
  ERROR = "error",
}

/** Who wrote the line: perdure itself (SYSTEM), the journal (JOURNAL), or handler code through ctx.console (USER). */
export enum LogSource {
  SYSTEM = "SYSTEM",
  JOURNAL = "JOURNAL",
  USER = "USER",
}

/** The invocation a log line belongs to. */
export class LoggerContext {
  /** `service/handler`, or `service/key/handler` for objects and workflows. */
  readonly invocationTarget: string;

  constructor(
    readonly invocationId: string,
    readonly serviceName: string,
    readonly handlerName: string,
    readonly key?: string,
    readonly request?: Request,
    readonly additionalContext?: { [name: string]: string },
  ) {
    this.invocationTarget = key !== undefined ? `${serviceName}/${key}/${handlerName}` : `${serviceName}/${handlerName}`;
  }
}

export type LogMetadata = {
  source: LogSource;
  level: RestateLogLevel;
  /** True while the handler re-executes code whose effects are already journaled: the line was logged before. */
  replaying: boolean;
  context?: LoggerContext;
};

/**
 * Receives every log line. Filtering (level, replay) is the transport's decision: the endpoint passes everything on.
 * Set one with `endpoint().setLogger(transport)` or `createEndpointHandler({ logger: transport })`.
 */
export type LoggerTransport = (params: LogMetadata, message?: any, ...optionalParams: any[]) => void;

const LEVEL_RANK: Record<RestateLogLevel, number> = { trace: 1, debug: 2, info: 3, warn: 4, error: 5 };

/** Parses a level name in any case ("DEBUG", "warn"); throws on an unknown one. */
export function logLevelOf(name: string): RestateLogLevel {
  const level = name.toLowerCase() as RestateLogLevel;
  if (!Object.hasOwn(LEVEL_RANK, level)) throw new TypeError(`unknown log level '${name}': use trace, debug, info, warn or error`);
  return level;
}

/** True when `level` is at or above `threshold`. */
export function isLevelEnabled(level: RestateLogLevel, threshold: RestateLogLevel): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[threshold];
}

export interface ConsoleTransportOptions {
  /** Lowest level printed (default "info"). */
  level?: RestateLogLevel | `${RestateLogLevel}`;
  /** Also print lines logged while replaying (default false: each line appears once per real execution). */
  logWhileReplaying?: boolean;
  /** Where lines go (default: the global console, looked up at each line). */
  console?: Pick<Console, "trace" | "debug" | "info" | "warn" | "error">;
}

/**
 * A transport that prints to the console: `[service/handler][inv_…] LEVEL: message …`.
 * Lines below `level`, and lines logged while replaying unless `logWhileReplaying`, are dropped.
 */
export function consoleTransport(options: ConsoleTransportOptions = {}): LoggerTransport {
  const threshold = logLevelOf(options.level ?? RestateLogLevel.INFO);
  const logWhileReplaying = options.logWhileReplaying ?? false;
  return (params, message, ...rest) => {
    if (params.replaying && !logWhileReplaying) return;
    if (!isLevelEnabled(params.level, threshold)) return;
    const sink = options.console ?? globalThis.console;
    const prefix = `${formatPrefix(params.context)}${params.level.toUpperCase()}:`;
    sink[params.level](prefix, message, ...rest);
  };
}

/** What endpoints use unless told otherwise: console, "info" and up, silent while replaying. */
export const defaultLoggerTransport: LoggerTransport = consoleTransport();

function formatPrefix(context: LoggerContext | undefined): string {
  if (context === undefined) return "[perdure] ";
  let prefix = `[${context.invocationTarget}][${context.invocationId}]`;
  for (const [k, v] of Object.entries(context.additionalContext ?? {})) prefix += `[${k}: ${v}]`;
  return `${prefix} `;
}

// The console methods a logger replaces; each logs at the level of its name, except `log` (info).
const CONSOLE_METHODS = ["trace", "debug", "info", "log", "warn", "error"] as const;

/** Hands one line to `transport`; a failing sink must not change what the handler does. */
export function logLine(transport: LoggerTransport, params: LogMetadata, message: unknown, rest: unknown[]): void {
  try {
    transport(params, message, ...rest);
  } catch {
    // swallowed on purpose
  }
}

/**
 * A Console whose logging methods go to `transport` with the invocation's context and the replay flag read at each
 * call; the other Console members (table, group, time, …) are the global console's.
 */
export function createLogger(
  transport: LoggerTransport,
  source: LogSource,
  context: LoggerContext | undefined,
  isReplaying: () => boolean,
): Console {
  const logger: Record<string, unknown> = Object.create(globalThis.console);
  for (const method of CONSOLE_METHODS) {
    const level = (method === "log" ? "info" : method) as RestateLogLevel;
    logger[method] = (message?: unknown, ...rest: unknown[]) => logLine(transport, { source, level, replaying: isReplaying(), context }, message, rest);
  }
  return logger as unknown as Console;
}

// ---- per-endpoint transport -----------------------------------------------------------------------------------

// Handler entries can be bound to several endpoints, each with its own logger: the endpoint gets copies of its
// handler entries, and the transport is looked up by entry identity.
const endpointTransports = new WeakMap<HandlerEntry, LoggerTransport>();

/** A copy of `entry` whose handlers log through `transport`. */
export function withLoggerTransport(entry: ServiceEntry, transport: LoggerTransport): ServiceEntry {
  const handlers = new Map<string, HandlerEntry>();
  for (const [name, handler] of entry.handlers) {
    const copy = { ...handler };
    endpointTransports.set(copy, transport);
    handlers.set(name, copy);
  }
  return { ...entry, handlers };
}

/** The transport of the endpoint serving `handler` (the console transport when none was set). */
export function loggerTransportOf(handler: HandlerEntry): LoggerTransport {
  return endpointTransports.get(handler) ?? defaultLoggerTransport;
}

/** Checks a user-supplied transport at startup. */
export function checkLoggerTransport(value: unknown, where: string): LoggerTransport {
  if (typeof value !== "function") {
    throw new TypeError(`${where} must be a function (params, message, ...rest) => void, got ${value === null ? "null" : typeof value}`);
  }
  return value as LoggerTransport;
}
