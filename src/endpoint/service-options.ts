// Endpoint-level defaults (`defaultServiceOptions`) applied under each service's own options.

import { normalizeServiceOptions, resolveHandlerRuntime, type HandlerEntry, type ServiceEntry } from "../definition/service-model.js";
import type { DefaultServiceOptions } from "../definition/types.js";

export type { DefaultServiceOptions } from "../definition/types.js";

/**
 * A copy of `entry` with the endpoint defaults filled in wherever the service left a setting unset,
 * and each handler's serdes and execution settings resolved again (a default `serde` changes them).
 * Retry policies merge field by field. Call once per service when the endpoint is built.
 */
export function applyServiceDefaults(entry: ServiceEntry, defaults: DefaultServiceOptions | undefined): ServiceEntry {
  if (defaults === undefined) return entry;
  // Checked like a service's own options (lazy state only for keyed services, workflowRetention only for workflows).
  const base = normalizeServiceOptions(entry.type, defaults, undefined, undefined, "defaultServiceOptions");
  const options = overlay(base, entry.options);
  if (base.retryPolicy && entry.options.retryPolicy) options.retryPolicy = overlay(base.retryPolicy, entry.options.retryPolicy);
  const handlers = new Map<string, HandlerEntry>();
  for (const [name, handler] of entry.handlers) {
    handlers.set(name, { ...handler, ...resolveHandlerRuntime(handler.options, options) });
  }
  return { ...entry, handlers, options };
}

/** A copy of `base` with every field `own` defines set to `own`'s value. */
function overlay<T extends object>(base: T, own: T): T {
  const merged = { ...base };
  for (const [key, value] of Object.entries(own)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
