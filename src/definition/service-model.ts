// The runtime representation of a service definition that the endpoint consumes (routing, manifest,
// per-handler execution settings), and the normalization of user options into it: durations become
// whole milliseconds and every value is checked once, at definition time.

import { json } from "../serde/json.js";
import type { Serde } from "../serde/types.js";
import { durationToMs } from "../context/duration.js";
import { normalizeAttemptLimits, type AttemptLimitsOption } from "../machine/limits.js";
import type { TerminalError } from "../context/errors.js";
import type { DefaultServiceOptions, HooksProvider, RetryPolicy, ServiceHandlerOpts } from "./types.js";

export type ServiceType = "SERVICE" | "VIRTUAL_OBJECT" | "WORKFLOW";
export type HandlerKind = "EXCLUSIVE" | "SHARED" | "WORKFLOW";

/** Retry policy with durations in ms and the manifest's enum spelling. */
export interface NormalizedRetryPolicy {
  initialInterval?: number;
  maxInterval?: number;
  maxAttempts?: number;
  exponentiationFactor?: number;
  onMaxAttempts?: "PAUSE" | "KILL";
}

/** Settings whose `undefined` means "inherit" (handler → service → endpoint default → server). */
export interface InheritableOptions {
  inactivityTimeout?: number;
  abortTimeout?: number;
  journalRetention?: number;
  idempotencyRetention?: number;
  enableLazyState?: boolean;
  ingressPrivate?: boolean;
  retryPolicy?: NormalizedRetryPolicy;
  // runtime only (not in the manifest)
  serde?: Serde<unknown>;
  asTerminalError?: (error: any) => TerminalError | undefined;
  hooks?: HooksProvider[];
  explicitCancellation?: boolean;
  onJournalMismatchErrors?: "retry" | "pause" | "fail";
  eagerRuns?: boolean;
  /** Milliseconds (eagerRunsBudget). */
  eagerRunsBudget?: number;
  attemptLimits?: AttemptLimitsOption;
}

export interface ServiceManifestOptions extends InheritableOptions {
  documentation?: string;
  metadata?: Record<string, string>;
  /** From WorkflowOptions.workflowRetention; the manifest carries it on the workflow's run handler. */
  workflowCompletionRetention?: number;
}

export interface HandlerManifestOptions extends InheritableOptions {
  documentation?: string;
  metadata?: Record<string, string>;
  /** Content types the ingress accepts (manifest input.contentType); defaults to the input serde's. */
  accept?: string;
  setOutputContentTypeIfEmpty?: boolean;
  /** Serdes the user set explicitly on this handler (HandlerEntry.input/output hold the resolved ones). */
  input?: Serde<unknown>;
  output?: Serde<unknown>;
}

/** What the runtime needs per invocation, resolved handler → service → endpoint default. */
export interface ExecutionOptions {
  /** Serde for state, run results, awakeables and promises when the call site gives none. */
  defaultSerde: Serde<unknown>;
  asTerminalError?: (error: any) => TerminalError | undefined;
  /** Service hooks first, then handler hooks. */
  hooks: HooksProvider[];
  explicitCancellation: boolean;
  onJournalMismatchErrors: "retry" | "pause" | "fail";
  /** Request-response: resolve awaits of runs proposed in this attempt without suspending. */
  eagerRuns: boolean;
  /** With eagerRuns: milliseconds an attempt may continue eagerly before it suspends on purpose. */
  eagerRunsBudgetMs?: number;
  /** Service limits, overridden field by field by the handler's (both over the endpoint's). */
  attemptLimits?: AttemptLimitsOption;
}

export interface HandlerEntry {
  name: string;
  /** undefined for plain services */
  kind: HandlerKind | undefined;
  /** The user function, called as fn(ctx, input); `this` is the service's handlers object. */
  fn: (ctx: unknown, input: unknown) => unknown;
  input: Serde<unknown>;
  output: Serde<unknown>;
  options: HandlerManifestOptions;
  execution: ExecutionOptions;
}

export interface ServiceEntry {
  name: string;
  type: ServiceType;
  handlers: Map<string, HandlerEntry>;
  options: ServiceManifestOptions;
}

const SERVICE_NAME = /^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9._-]*$/;
const HANDLER_NAME = /^([a-zA-Z]|_[a-zA-Z0-9])[a-zA-Z0-9_]*$/;

export function validateServiceName(name: unknown): string {
  if (typeof name !== "string" || !SERVICE_NAME.test(name)) {
    throw new TypeError(
      `Invalid service name ${JSON.stringify(name)}: it must start with a letter (or '_' and a letter/digit) ` +
        `and contain only letters, digits, '.', '_' and '-'`,
    );
  }
  return name;
}

export function validateHandlerName(service: string, name: string): string {
  if (!HANDLER_NAME.test(name)) {
    throw new TypeError(
      `Invalid handler name ${JSON.stringify(name)} in service '${service}': it must start with a letter ` +
        `(or '_' and a letter/digit) and contain only letters, digits and '_'`,
    );
  }
  return name;
}

/** The options a definition or handler may carry, before normalization (user input: unchecked). */
type RawOptions = DefaultServiceOptions &
  Omit<ServiceHandlerOpts<unknown, unknown>, "serde"> & { description?: string; metadata?: Record<string, string> };

/**
 * Normalizes the inheritable settings of service, handler or endpoint-default options.
 * `where` names the owner in error messages ("service 'S'", "handler 'S/h'", …).
 */
export function normalizeInheritable(raw: RawOptions | undefined, where: string): InheritableOptions {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object") throw new TypeError(`options of ${where} must be an object`);
  const out: InheritableOptions = {};
  const ms = (key: keyof RawOptions) => {
    const value = raw[key] as number | object | undefined;
    return value === undefined ? undefined : durationToMs(value, `${key} of ${where}`);
  };
  setIfDefined(out, "inactivityTimeout", ms("inactivityTimeout"));
  setIfDefined(out, "abortTimeout", ms("abortTimeout"));
  setIfDefined(out, "journalRetention", ms("journalRetention"));
  setIfDefined(out, "idempotencyRetention", ms("idempotencyRetention"));
  setIfDefined(out, "enableLazyState", bool(raw.enableLazyState, "enableLazyState", where));
  setIfDefined(out, "ingressPrivate", bool(raw.ingressPrivate, "ingressPrivate", where));
  setIfDefined(out, "retryPolicy", normalizeRetryPolicy(raw.retryPolicy, where));
  setIfDefined(out, "serde", checkSerde(raw.serde, "serde", where));
  setIfDefined(out, "asTerminalError", fnOrUndefined(raw.asTerminalError, "asTerminalError", where));
  if (raw.hooks !== undefined) {
    if (!Array.isArray(raw.hooks) || raw.hooks.some((h) => typeof h !== "function")) {
      throw new TypeError(`hooks of ${where} must be an array of functions`);
    }
    out.hooks = [...raw.hooks];
  }
  setIfDefined(out, "explicitCancellation", bool(raw.explicitCancellation, "explicitCancellation", where));
  const mismatch = raw.onJournalMismatchErrors;
  if (mismatch !== undefined && mismatch !== "retry" && mismatch !== "pause" && mismatch !== "fail") {
    throw new TypeError(`onJournalMismatchErrors of ${where} must be "retry", "pause" or "fail", got ${String(mismatch)}`);
  }
  setIfDefined(out, "onJournalMismatchErrors", mismatch);
  setIfDefined(out, "eagerRuns", bool(raw.eagerRuns, "eagerRuns", where));
  setIfDefined(out, "eagerRunsBudget", ms("eagerRunsBudget"));
  setIfDefined(out, "attemptLimits", normalizeAttemptLimits((raw as { attemptLimits?: unknown }).attemptLimits, where));
  return out;
}

export function normalizeServiceOptions(
  type: ServiceType,
  raw: DefaultServiceOptions | undefined,
  description: string | undefined,
  metadata: Record<string, string> | undefined,
  where: string,
): ServiceManifestOptions {
  const out: ServiceManifestOptions = normalizeInheritable(raw, where);
  // Lazy state only exists for keyed services; workflow retention only for workflows.
  if (type === "SERVICE") delete out.enableLazyState;
  if (type === "WORKFLOW" && raw?.workflowRetention !== undefined) {
    out.workflowCompletionRetention = durationToMs(raw.workflowRetention, `workflowRetention of ${where}`);
  }
  setIfDefined(out, "documentation", text(description, "description", where));
  setIfDefined(out, "metadata", checkMetadata(metadata, where));
  return out;
}

export function normalizeHandlerOptions(
  type: ServiceType,
  raw: (ServiceHandlerOpts<unknown, unknown> & { enableLazyState?: boolean }) | undefined,
  where: string,
): HandlerManifestOptions {
  const out: HandlerManifestOptions = normalizeInheritable(raw, where);
  if (type === "SERVICE") delete out.enableLazyState;
  if (raw === undefined) return out;
  setIfDefined(out, "documentation", text(raw.description, "description", where));
  setIfDefined(out, "metadata", checkMetadata(raw.metadata, where));
  setIfDefined(out, "accept", text(raw.accept, "accept", where));
  setIfDefined(out, "setOutputContentTypeIfEmpty", bool(raw.setOutputContentTypeIfEmpty, "setOutputContentTypeIfEmpty", where));
  setIfDefined(out, "input", checkSerde(raw.input, "input", where));
  setIfDefined(out, "output", checkSerde(raw.output, "output", where));
  return out;
}

/** Resolves a handler's serdes and execution settings from its own, its service's and the defaults. */
export function resolveHandlerRuntime(
  handler: HandlerManifestOptions,
  service: InheritableOptions,
): Pick<HandlerEntry, "input" | "output" | "execution"> {
  const defaultSerde = handler.serde ?? service.serde ?? json;
  return {
    input: handler.input ?? defaultSerde,
    output: handler.output ?? defaultSerde,
    execution: {
      defaultSerde,
      asTerminalError: handler.asTerminalError ?? service.asTerminalError,
      hooks: [...(service.hooks ?? []), ...(handler.hooks ?? [])],
      explicitCancellation: handler.explicitCancellation ?? service.explicitCancellation ?? false,
      onJournalMismatchErrors: handler.onJournalMismatchErrors ?? service.onJournalMismatchErrors ?? "retry",
      eagerRuns: handler.eagerRuns ?? service.eagerRuns ?? false,
      ...((handler.eagerRunsBudget ?? service.eagerRunsBudget) !== undefined ? { eagerRunsBudgetMs: handler.eagerRunsBudget ?? service.eagerRunsBudget } : {}),
      ...(service.attemptLimits || handler.attemptLimits ? { attemptLimits: { ...service.attemptLimits, ...handler.attemptLimits } } : {}),
    },
  };
}

function normalizeRetryPolicy(raw: RetryPolicy | undefined, where: string): NormalizedRetryPolicy | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null) throw new TypeError(`retryPolicy of ${where} must be an object`);
  const out: NormalizedRetryPolicy = {};
  if (raw.initialInterval !== undefined) {
    out.initialInterval = durationToMs(raw.initialInterval, `retryPolicy.initialInterval of ${where}`);
  }
  if (raw.maxInterval !== undefined) {
    out.maxInterval = durationToMs(raw.maxInterval, `retryPolicy.maxInterval of ${where}`);
  }
  if (raw.maxAttempts !== undefined) {
    if (!Number.isInteger(raw.maxAttempts) || raw.maxAttempts < 1) {
      throw new RangeError(`retryPolicy.maxAttempts of ${where} must be an integer >= 1, got ${String(raw.maxAttempts)}`);
    }
    out.maxAttempts = raw.maxAttempts;
  }
  if (raw.exponentiationFactor !== undefined) {
    const f = raw.exponentiationFactor;
    if (typeof f !== "number" || !Number.isFinite(f) || f <= 0) {
      throw new RangeError(`retryPolicy.exponentiationFactor of ${where} must be a positive number, got ${String(f)}`);
    }
    out.exponentiationFactor = f;
  }
  if (raw.onMaxAttempts !== undefined) {
    if (raw.onMaxAttempts !== "pause" && raw.onMaxAttempts !== "kill") {
      throw new TypeError(`retryPolicy.onMaxAttempts of ${where} must be "pause" or "kill", got ${String(raw.onMaxAttempts)}`);
    }
    out.onMaxAttempts = raw.onMaxAttempts === "pause" ? "PAUSE" : "KILL";
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function bool(value: unknown, key: string, where: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new TypeError(`${key} of ${where} must be a boolean, got ${typeof value}`);
  return value;
}

function text(value: unknown, key: string, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new TypeError(`${key} of ${where} must be a string, got ${typeof value}`);
  return value;
}

function fnOrUndefined<F>(value: F | undefined, key: string, where: string): F | undefined {
  if (value !== undefined && typeof value !== "function") throw new TypeError(`${key} of ${where} must be a function`);
  return value;
}

function checkSerde(value: Serde<unknown> | undefined, key: string, where: string): Serde<unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || typeof value.serialize !== "function" || typeof value.deserialize !== "function") {
    throw new TypeError(`${key} of ${where} must be a Serde (an object with serialize and deserialize)`);
  }
  return value;
}

function checkMetadata(value: Record<string, string> | undefined, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`metadata of ${where} must be an object of strings`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new TypeError(`metadata '${key}' of ${where} must be a string, got ${typeof v}`);
  }
  return { ...value };
}
