// `iface` (declare a service contract: handler names and serdes, no implementation) and `implement` (bind handler
// functions to a contract, giving a definition the endpoint serves and clients can be built from), as in the
// official SDK 1.17.

import { schema } from "../serde/standard-schema.js";
import type { Serde } from "../serde/types.js";
import { object, service, workflow } from "./builders.js";
import { objectExclusive, objectShared, serviceHandler, workflowRun, workflowShared } from "./handler-wrappers.js";
import type {
  Descriptor,
  DescriptorOpts,
  HandlerDescriptor,
  ObjectDescriptor,
  ObjectImplHandlers,
  ObjectPerHandlerOpts,
  ServiceDescriptor,
  ServiceImplHandlers,
  ServiceInterface,
  ServicePerHandlerOpts,
  WorkflowDescriptor,
  WorkflowImplHandlers,
  WorkflowPerHandlerOpts,
} from "./contract-types.js";
import type { ObjectOptions, ServiceDefinition, ServiceOptions, VirtualObjectDefinition, WorkflowDefinition, WorkflowOptions } from "./types.js";

function handlerDescriptor(input: Serde<any> | undefined, output: Serde<any> | undefined, shared: boolean, opts?: DescriptorOpts): HandlerDescriptor {
  return { _inputSerde: input, _outputSerde: output, _shared: shared, _description: opts?.description, _metadata: opts?.metadata };
}

function contract(kind: "service" | "object" | "workflow", name: string, handlerDescriptors: Record<string, HandlerDescriptor>, opts?: DescriptorOpts) {
  if (typeof name !== "string" || name.length === 0) throw new TypeError(`iface.${kind}: the name must be a non-empty string`);
  if (typeof handlerDescriptors !== "object" || handlerDescriptors === null) throw new TypeError(`iface.${kind}('${name}'): handlers must be an object of descriptors`);
  return { name, _kind: kind, _handlers: handlerDescriptors, _description: opts?.description, _metadata: opts?.metadata };
}

const schemaSerde = (s: any) => (s === undefined ? undefined : schema(s));

export const iface: ServiceInterface = {
  service: (name, h, opts) => contract("service", name, h, opts) as any,
  object: (name, h, opts) => contract("object", name, h, opts) as any,
  workflow: (name, h, opts) => contract("workflow", name, h, opts) as any,
  json: (opts) => handlerDescriptor(undefined, undefined, false, opts) as any,
  serdes: (opts) => handlerDescriptor(opts.input, opts.output, false, opts) as any,
  schemas: (opts) => handlerDescriptor(schemaSerde(opts.input), schemaSerde(opts.output), false, opts) as any,
  shared: {
    json: (opts) => handlerDescriptor(undefined, undefined, true, opts) as any,
    serdes: (opts) => handlerDescriptor(opts.input, opts.output, true, opts) as any,
    schemas: (opts) => handlerDescriptor(schemaSerde(opts.input), schemaSerde(opts.output), true, opts) as any,
  },
};

interface ImplementConfig {
  handlers: Record<string, unknown>;
  description?: string;
  metadata?: Record<string, string>;
  options?: Record<string, unknown> & { handlers?: Record<string, Record<string, unknown>> };
}

export function implement<P extends string, H extends Record<string, HandlerDescriptor>>(
  serviceInterface: ServiceDescriptor<P, H>,
  config: {
    handlers: ServiceImplHandlers<H>;
    description?: string;
    metadata?: Record<string, string>;
    options?: ServiceOptions & { handlers?: Partial<Record<keyof H, ServicePerHandlerOpts>> };
  },
): ServiceDefinition<P, ServiceImplHandlers<H>> & ServiceDescriptor<P, H>;
export function implement<P extends string, H extends Record<string, HandlerDescriptor>>(
  objectInterface: ObjectDescriptor<P, H>,
  config: {
    handlers: ObjectImplHandlers<H>;
    description?: string;
    metadata?: Record<string, string>;
    options?: ObjectOptions & { handlers?: Partial<Record<keyof H, ObjectPerHandlerOpts>> };
  },
): VirtualObjectDefinition<P, ObjectImplHandlers<H>> & ObjectDescriptor<P, H>;
export function implement<P extends string, H extends Record<string, HandlerDescriptor>>(
  workflowInterface: WorkflowDescriptor<P, H>,
  config: {
    handlers: WorkflowImplHandlers<H>;
    description?: string;
    metadata?: Record<string, string>;
    options?: WorkflowOptions & { handlers?: Partial<Record<keyof H, WorkflowPerHandlerOpts>> };
  },
): WorkflowDefinition<P, WorkflowImplHandlers<H>> & WorkflowDescriptor<P, H>;
export function implement(c: Descriptor, rawConfig: unknown): any {
  const config = rawConfig as ImplementConfig;
  if (!c || typeof c !== "object" || !["service", "object", "workflow"].includes(c._kind) || typeof c._handlers !== "object") {
    throw new TypeError("implement(): the first argument must be a contract made with iface.service/object/workflow");
  }
  if (!config || typeof config !== "object" || typeof config.handlers !== "object" || config.handlers === null) {
    throw new TypeError(`implement('${c.name}'): the configuration needs a 'handlers' object`);
  }
  const { handlers: perHandler, ...serviceOptions } = config.options ?? {};
  const impl: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(c._handlers)) {
    const fn = config.handlers[name];
    if (typeof fn !== "function") throw new TypeError(`implement('${c.name}'): missing handler "${name}"`);
    const opts: Record<string, unknown> = { ...perHandler?.[name] };
    if (d._inputSerde !== undefined) opts.input = d._inputSerde;
    if (d._outputSerde !== undefined) opts.output = d._outputSerde;
    if (d._description !== undefined && opts.description === undefined) opts.description = d._description;
    if (d._metadata !== undefined && opts.metadata === undefined) opts.metadata = d._metadata;
    const f = fn as (...a: any[]) => Promise<unknown>;
    if (c._kind === "service") impl[name] = serviceHandler(opts as never, f);
    else if (c._kind === "object") impl[name] = d._shared ? objectShared(opts as never, f) : objectExclusive(opts as never, f);
    else impl[name] = name === "run" ? workflowRun(opts as never, f) : workflowShared(opts as never, f);
  }
  const common = {
    name: c.name,
    handlers: impl,
    description: config.description ?? c._description,
    metadata: config.metadata ?? c._metadata,
    options: serviceOptions,
  };
  const def = c._kind === "service" ? service(common as never) : c._kind === "object" ? object(common as never) : workflow(common as never);
  // The contract's descriptors (not the ones derived from the implementation): clients built from it use its serdes.
  Object.defineProperty(def, "_handlers", { value: c._handlers });
  return def;
}
