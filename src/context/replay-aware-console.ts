// ctx.console: the console, prefixed with the invocation, and silent while replaying (those lines were already
// printed by the attempt that first ran that code).

import type { InvocationMachine } from "../machine/invocation-machine.js";

const LOGGING_METHODS = ["log", "info", "warn", "error", "debug", "trace"] as const;

export function makeReplayAwareConsole(machine: InvocationMachine, prefix: string): Console {
  const target = globalThis.console;
  const wrapped: Record<string, unknown> = Object.create(target);
  for (const method of LOGGING_METHODS) {
    const original = target[method].bind(target);
    wrapped[method] = (...args: unknown[]) => {
      if (machine.isReplaying) return;
      original(prefix, ...args);
    };
  }
  return wrapped as unknown as Console;
}
