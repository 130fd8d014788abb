// User-facing builders: service(), object(), workflow(), handlers.*, rpc.opts/sendOpts, with the same
// signatures as the official SDK. Each definition is validated and turned into a ServiceEntry at once
// (so mistakes surface where the service is defined), kept on the definition under a private symbol.

import { handlerMetaOf, type HandlerMeta } from "./handler-wrappers.js";
import {
  normalizeHandlerOptions,
  normalizeServiceOptions,
  resolveHandlerRuntime,
  validateHandlerName,
  validateServiceName,
  type HandlerEntry,
  type HandlerKind,
  type ServiceEntry,
  type ServiceType,
} from "./service-model.js";
import type {
  ObjectOptions,
  ObjectOpts,
  ServiceDefinition,
  ServiceOptions,
  ServiceOpts,
  VirtualObjectDefinition,
  WorkflowDefinition,
  WorkflowOptions,
  WorkflowOpts,
} from "./types.js";

export type {
  ExecutionOptions,
  HandlerEntry,
  HandlerKind,
  HandlerManifestOptions,
  NormalizedRetryPolicy,
  ServiceEntry,
  ServiceManifestOptions,
  ServiceType,
} from "./service-model.js";

// Symbol.for: two copies of perdure in one process still recognise each other's definitions.
const SERVICE_ENTRY = Symbol.for("perdure.serviceEntry");

// The `handlers` and `rpc` namespaces are ES modules re-exported as namespaces (not TypeScript `namespace`s, which
// compile to IIFEs a bundler must keep): a Worker that never names them carries none of their code, and
// `import shared = restate.handlers.object.shared;` still typechecks, as with the official SDK's namespaces.
export * as handlers from "./handlers-namespace.js";
export * as rpc from "./rpc-namespace.js";
export { Opts, SendOpts } from "./call-options.js";
export {
  createServiceHandler,
  createObjectHandler,
  createObjectSharedHandler,
  createWorkflowHandler,
  createWorkflowSharedHandler,
} from "./handler-wrappers.js";

// ---------------------------------------------------------------------------------------------------
// service() / object() / workflow()

interface DefinitionInput {
  name: string;
  handlers: object;
  description?: string;
  metadata?: Record<string, string>;
  options?: ServiceOptions & ObjectOptions & WorkflowOptions;
}

/** Define a service: stateless handlers, any number of concurrent invocations. */
export const service = <P extends string, M>(service: {
  name: P;
  handlers: ServiceOpts<M> & ThisType<M>;
  description?: string;
  metadata?: Record<string, string>;
  options?: ServiceOptions;
}): ServiceDefinition<P, M> => define("SERVICE", service);

/** Define a virtual object: keyed state, one exclusive handler at a time per key. */
export const object = <P extends string, M>(object: {
  name: P;
  handlers: ObjectOpts<M> & ThisType<M>;
  description?: string;
  metadata?: Record<string, string>;
  options?: ObjectOptions;
}): VirtualObjectDefinition<P, M> => define("VIRTUAL_OBJECT", object);

/** Define a workflow: a `run` handler executed once per key, plus shared handlers. */
export const workflow = <P extends string, M>(workflow: {
  name: P;
  handlers: WorkflowOpts<M> & ThisType<M>;
  description?: string;
  metadata?: Record<string, string>;
  options?: WorkflowOptions;
}): WorkflowDefinition<P, M> => define("WORKFLOW", workflow);

/** The runtime entry of a definition made by service()/object()/workflow(). */
export function serviceEntryOf(definition: unknown): ServiceEntry {
  const entry =
    typeof definition === "object" && definition !== null
      ? (definition as { [SERVICE_ENTRY]?: ServiceEntry })[SERVICE_ENTRY]
      : undefined;
  if (entry !== undefined) return entry;
  const d = definition as Record<string, unknown> | null | undefined;
  if (d && typeof d === "object" && "_kind" in d && ("service" in d || "object" in d || "workflow" in d)) {
    throw new TypeError(
      `'${String(d.name)}' was defined with @restatedev/restate-sdk; define it with service()/object()/workflow() from perdure`,
    );
  }
  throw new TypeError(
    `Expected a definition made by service(), object() or workflow(), got ${describe(definition)}`,
  );
}

function define(type: ServiceType, input: DefinitionInput): any {
  if (typeof input !== "object" || input === null) {
    throw new TypeError(`${typeLabel(type)} definition must be an object with 'name' and 'handlers'`);
  }
  const name = validateServiceName(input.name);
  const where = `${typeLabel(type)} '${name}'`;
  const userHandlers = input.handlers;
  if (typeof userHandlers !== "object" || userHandlers === null) {
    throw new TypeError(`${where} must have a 'handlers' object`);
  }
  const options = normalizeServiceOptions(type, input.options, input.description, input.metadata, where);

  const entries = new Map<string, HandlerEntry>();
  for (const [handlerName, value] of Object.entries(userHandlers)) {
    validateHandlerName(name, handlerName);
    if (typeof value !== "function") {
      throw new TypeError(`Handler '${handlerName}' of ${where} must be a function, got ${describe(value)}`);
    }
    const meta = handlerMetaOf(value);
    const kind = handlerKind(type, handlerName, meta, where);
    const handlerWhere = `handler '${name}/${handlerName}'`;
    const handlerOptions = normalizeHandlerOptions(type, meta?.opts, handlerWhere);
    if (kind === "WORKFLOW" && handlerOptions.idempotencyRetention !== undefined) {
      throw new TypeError(
        `idempotencyRetention cannot be set on ${handlerWhere} (the workflow's run handler); use the workflow's workflowRetention option`,
      );
    }
    const target = meta?.fn ?? (value as (...args: unknown[]) => unknown);
    entries.set(handlerName, {
      name: handlerName,
      kind,
      // `this` is the handlers object, as in the official SDK (handlers may call this.other(ctx, …)).
      fn: (ctx, arg) => target.call(userHandlers, ctx, arg),
      options: handlerOptions,
      ...resolveHandlerRuntime(handlerOptions, options),
    });
  }
  if (type === "WORKFLOW" && !entries.has("run")) {
    throw new TypeError(`${where} must have a handler named 'run'`);
  }

  const entry: ServiceEntry = { name, type, handlers: entries, options };
  // `_kind` and `_handlers` as in the official SDK: clients built from a definition (ctx.client, ctx.serviceClient)
  // use each handler's declared serdes, and a definition works wherever a descriptor does.
  // Not enumerable: the definition still prints and serializes as { name }.
  const definition = { name };
  Object.defineProperty(definition, "_kind", { value: KIND_OF[type] });
  // Configurable: implement() replaces them with the contract's descriptors.
  Object.defineProperty(definition, "_handlers", { value: handlerDescriptors(entries, options.serde), configurable: true });
  Object.defineProperty(definition, SERVICE_ENTRY, { value: entry });
  return definition;
}

const KIND_OF = { SERVICE: "service", VIRTUAL_OBJECT: "object", WORKFLOW: "workflow" } as const;

/** Each handler's effective serdes as declared (undefined → the caller's default), and whether it is shared. */
function handlerDescriptors(entries: Map<string, HandlerEntry>, serviceSerde: unknown): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [name, h] of entries) {
    out[name] = {
      _inputSerde: h.options.input ?? h.options.serde ?? serviceSerde,
      _outputSerde: h.options.output ?? h.options.serde ?? serviceSerde,
      _shared: h.kind === "SHARED",
    };
  }
  return out;
}

function handlerKind(
  type: ServiceType,
  handlerName: string,
  meta: HandlerMeta | undefined,
  where: string,
): HandlerKind | undefined {
  switch (type) {
    case "SERVICE":
      return undefined;
    case "VIRTUAL_OBJECT":
      // Plain functions are exclusive; handlers.handler()/workflow wrappers count as shared, as in the official SDK.
      if (meta === undefined || meta.kind === "EXCLUSIVE") return "EXCLUSIVE";
      return "SHARED";
    case "WORKFLOW": {
      if (RESERVED_WORKFLOW_HANDLERS.has(handlerName)) {
        throw new TypeError(`'${handlerName}' is a reserved name and cannot be a handler of ${where}`);
      }
      if (handlerName === "run") {
        if (meta !== undefined && meta.kind !== "WORKFLOW") {
          throw new TypeError(`The 'run' handler of ${where} must be a plain function or handlers.workflow.workflow(...)`);
        }
        return "WORKFLOW";
      }
      if (meta?.kind === "WORKFLOW") {
        throw new TypeError(
          `Handler '${handlerName}' of ${where}: only 'run' can be a workflow handler; use handlers.workflow.shared for the others`,
        );
      }
      return "SHARED";
    }
  }
}

const RESERVED_WORKFLOW_HANDLERS = new Set(["workflowSubmit", "workflowAttach", "workflowOutput"]);

function typeLabel(type: ServiceType): string {
  return type === "SERVICE" ? "service" : type === "VIRTUAL_OBJECT" ? "object" : "workflow";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "object") return `an object (${Object.keys(value).slice(0, 5).join(", ") || "no keys"})`;
  return `a ${typeof value}`;
}
