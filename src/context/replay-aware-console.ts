// ctx.console: the console API, each line tagged with the invocation (target and id) and handed to the endpoint's
// LoggerTransport together with whether the handler is replaying. The default transport drops replayed lines: they
// were printed by the attempt that first ran that code, so each line appears once per real execution.

import type { InvocationMachine } from "../machine/invocation-machine.js";
import { LogSource, LoggerContext, createLogger, defaultLoggerTransport, type LoggerTransport } from "./logging.js";
import type { Request } from "./context-types.js";

export interface ConsoleTarget {
  invocationId: string;
  service: string;
  handler: string;
  /** Object/workflow key; undefined for plain services. */
  key: string | undefined;
  /** ctx.request(): carried by the LoggerContext of every line. */
  request: unknown;
}

export function makeReplayAwareConsole(
  machine: InvocationMachine,
  target: ConsoleTarget,
  transport: LoggerTransport = defaultLoggerTransport,
): Console {
  const context = new LoggerContext(target.invocationId, target.service, target.handler, target.key, target.request as Request);
  return createLogger(transport, LogSource.USER, context, () => machine.isReplaying);
}
