// Turning raw notification results into what user code sees.

import { ProtocolError } from "../protocol/errors.js";
import type { FailureResult, NotificationResult } from "../machine/notifications.js";
import type { Serde } from "../serde/index.js";
import { TerminalError } from "./errors.js";
import type { Outcome } from "./promise-node.js";

export function terminalErrorOf(f: FailureResult): TerminalError {
  const metadata = f.metadata.length > 0 ? Object.fromEntries(f.metadata.map((m) => [m.key, m.value])) : undefined;
  return new TerminalError(f.message, { errorCode: f.code, ...(metadata ? { metadata } : {}) });
}

function unexpected(r: NotificationResult, expected: string): never {
  throw new ProtocolError(`expected a ${expected} result, got ${r.tag}`);
}

/** value → deserialized, void → undefined, failure → TerminalError. */
export function valueOutcome<T>(serde: Serde<T>): (r: NotificationResult) => Outcome {
  return (r) => {
    switch (r.tag) {
      case "value":
        return { ok: true, value: serde.deserialize(r.value) };
      case "void":
        return { ok: true, value: undefined };
      case "failure":
        return { ok: false, error: terminalErrorOf(r.failure) };
      default:
        return unexpected(r, "value");
    }
  };
}

export function invocationIdOutcome(r: NotificationResult): Outcome {
  if (r.tag === "invocationId") return { ok: true, value: r.invocationId };
  if (r.tag === "failure") return { ok: false, error: terminalErrorOf(r.failure) };
  return unexpected(r, "invocation id");
}

export function stateKeysOutcome(r: NotificationResult): Outcome {
  if (r.tag === "stateKeys") return { ok: true, value: r.keys };
  return unexpected(r, "state keys");
}

/** Lazy state: void → null (absent), value → deserialized. */
export function stateValueOutcome<T>(serde: Serde<T>): (r: NotificationResult) => Outcome {
  return (r) => {
    if (r.tag === "void") return { ok: true, value: null };
    if (r.tag === "value") return { ok: true, value: serde.deserialize(r.value) };
    return unexpected(r, "state value");
  };
}
