// Endpoint-level defaults (`defaultServiceOptions`) applied under each service's own options.

import {
  normalizeInheritable,
  resolveHandlerRuntime,
  type HandlerEntry,
  type InheritableOptions,
  type ServiceEntry,
  type ServiceManifestOptions,
} from "../definition/service-model.js";
import { durationToMs } from "../context/duration.js";
import type { DefaultServiceOptions } from "../definition/types.js";

export type { DefaultServiceOptions } from "../definition/types.js";

/**
 * A copy of `entry` with the endpoint defaults filled in wherever the service left a setting unset,
 * and each handler's serdes and execution settings resolved again (a default `serde` changes them).
 * Retry policies merge field by field. Call once per service when the endpoint is built.
 */
export function applyServiceDefaults(entry: ServiceEntry, defaults: DefaultServiceOptions | undefined): ServiceEntry {
  if (defaults === undefined) return entry;
  const base: ServiceManifestOptions = normalizeInheritable(defaults, "defaultServiceOptions");
  if (entry.type === "SERVICE") delete base.enableLazyState;
  if (entry.type === "WORKFLOW" && defaults.workflowRetention !== undefined) {
    base.workflowCompletionRetention = durationToMs(defaults.workflowRetention, "workflowRetention of defaultServiceOptions");
  }
  const options = mergeUnder(base, entry.options);
  const handlers = new Map<string, HandlerEntry>();
  for (const [name, handler] of entry.handlers) {
    handlers.set(name, { ...handler, ...resolveHandlerRuntime(handler.options, options) });
  }
  return { ...entry, handlers, options };
}

/** `own` wins field by field over `base`; the retry policy merges per field too. */
function mergeUnder(base: ServiceManifestOptions, own: ServiceManifestOptions): ServiceManifestOptions {
  const merged: ServiceManifestOptions = { ...base };
  for (const [key, value] of Object.entries(own) as [keyof ServiceManifestOptions, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  const retryPolicy = mergeRetryPolicy(base, own);
  if (retryPolicy !== undefined) merged.retryPolicy = retryPolicy;
  return merged;
}

function mergeRetryPolicy(base: InheritableOptions, own: InheritableOptions): InheritableOptions["retryPolicy"] {
  if (base.retryPolicy === undefined || own.retryPolicy === undefined) return own.retryPolicy ?? base.retryPolicy;
  const merged = { ...base.retryPolicy };
  for (const [key, value] of Object.entries(own.retryPolicy)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
