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

/** A check turns a defined user value into its normalized form (undefined: leave the key out) or throws. */
type Check = (value: any, key: string, where: string) => unknown;

// One checker per kind of setting, keyed by the letter the field lists below use.
const CHECKS: Record<string, Check> = {
  // durations in ms
  d: (v, k, w) => durationToMs(v, `${k} of ${w}`),
  b: (v, k, w) => typed(v, k, w, "boolean"),
  t: (v, k, w) => typed(v, k, w, "string"),
  r: (v, _k, w) => normalizeRetryPolicy(v, w),
  s: checkSerde,
  f: (v, k, w) => {
    if (typeof v !== "function") throw new TypeError(`${k} of ${w} must be a function`);
    return v;
  },
  h: (v, k, w) => {
    if (!Array.isArray(v) || v.some((h) => typeof h !== "function")) {
      throw new TypeError(`${k} of ${w} must be an array of functions`);
    }
    return [...v];
  },
  m: (v, k, w) => oneOf(v, k, w, "retry", "pause", "fail"),
  a: (v, _k, w) => normalizeAttemptLimits(v, w),
  // retry policy: maxAttempts, exponentiationFactor, onMaxAttempts (the manifest spells it PAUSE / KILL)
  i: (v, k, w) => positive(Number.isInteger(v) && v, k, w, "an integer >= 1", v),
  p: (v, k, w) => positive(typeof v === "number" && Number.isFinite(v) && v, k, w, "a positive number", v),
  o: (v, k, w) => oneOf(v, k, w, "pause", "kill").toUpperCase(),
  // metadata
  M: (v, _k, w) => checkMetadata(v, w),
};

// "key:check" or "key:check>outKey", checked in this order.
const INHERITABLE =
  "inactivityTimeout:d abortTimeout:d journalRetention:d idempotencyRetention:d enableLazyState:b ingressPrivate:b " +
  "retryPolicy:r serde:s asTerminalError:f hooks:h explicitCancellation:b onJournalMismatchErrors:m eagerRuns:b " +
  "eagerRunsBudget:d attemptLimits:a";
const DESCRIBED = "description:t>documentation metadata:M";
const HANDLER_ONLY = " accept:t setOutputContentTypeIfEmpty:b input:s output:s";

const RETRY_POLICY = "initialInterval:d maxInterval:d maxAttempts:i exponentiationFactor:p onMaxAttempts:o";

/** Each field list split once, on first use: definitions are checked at start-up, where every call counts. */
const parsedFields: Record<string, string[][]> = {};

/** Copies the checked, defined fields of `raw` named in `fields` into `out`; `prefix` goes before keys in errors. */
function checkFields(out: Record<string, unknown>, raw: Record<string, unknown>, fields: string, where: string, prefix = ""): void {
  for (const [key, check, outKey = key] of (parsedFields[fields] ??= fields.split(" ").map((f) => f.split(/[:>]/)))) {
    const value = raw[key!];
    if (value === undefined) continue;
    const checked = CHECKS[check!]!(value, prefix + key, where);
    if (checked !== undefined) out[outKey!] = checked;
  }
}

/**
 * Normalizes the inheritable settings of service, handler or endpoint-default options.
 * `where` names the owner in error messages ("service 'S'", "handler 'S/h'", …).
 */
export function normalizeInheritable(raw: RawOptions | undefined, where: string): InheritableOptions {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object") throw new TypeError(`options of ${where} must be an object`);
  const out: InheritableOptions = {};
  checkFields(out as Record<string, unknown>, raw as Record<string, unknown>, INHERITABLE, where);
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
  checkFields(out as Record<string, unknown>, { description, metadata }, DESCRIBED, where);
  return out;
}

export function normalizeHandlerOptions(
  type: ServiceType,
  raw: (ServiceHandlerOpts<unknown, unknown> & { enableLazyState?: boolean }) | undefined,
  where: string,
): HandlerManifestOptions {
  const out: HandlerManifestOptions = normalizeInheritable(raw, where);
  if (type === "SERVICE") delete out.enableLazyState;
  if (raw !== undefined) checkFields(out as Record<string, unknown>, raw as Record<string, unknown>, DESCRIBED + HANDLER_ONLY, where);
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

function normalizeRetryPolicy(raw: RetryPolicy, where: string): NormalizedRetryPolicy | undefined {
  if (typeof raw !== "object" || raw === null) throw new TypeError(`retryPolicy of ${where} must be an object`);
  const out: NormalizedRetryPolicy = {};
  checkFields(out as Record<string, unknown>, raw as Record<string, unknown>, RETRY_POLICY, where, "retryPolicy.");
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `value` if `ok` is a positive number, else a RangeError saying it must be `what`. */
function positive(ok: unknown, key: string, where: string, what: string, value: unknown): unknown {
  if (!((ok as number) > 0)) throw new RangeError(`${key} of ${where} must be ${what}, got ${String(value)}`);
  return value;
}

function oneOf(value: unknown, key: string, where: string, ...allowed: string[]): string {
  if (!allowed.includes(value as string)) {
    throw new TypeError(`${key} of ${where} must be ${allowed.map((a) => `"${a}"`).join(" or ")}, got ${String(value)}`);
  }
  return value as string;
}

function typed(value: unknown, key: string, where: string, type: string): unknown {
  if (typeof value !== type) throw new TypeError(`${key} of ${where} must be a ${type}, got ${typeof value}`);
  return value;
}

function checkSerde(value: Serde<unknown> | undefined, key: string, where: string): Serde<unknown> | undefined {
  if (typeof value !== "object" || value === null || typeof value.serialize !== "function" || typeof value.deserialize !== "function") {
    throw new TypeError(`${key} of ${where} must be a Serde (an object with serialize and deserialize)`);
  }
  return value;
}

function checkMetadata(value: Record<string, string>, where: string): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`metadata of ${where} must be an object of strings`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new TypeError(`metadata '${key}' of ${where} must be a string, got ${typeof v}`);
  }
  return { ...value };
}
