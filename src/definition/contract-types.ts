// Service contracts without an implementation (restate-sdk-core `iface`, 1.17): the types of descriptors, of the
// definitions `implement()` returns, of the clients built from descriptors, and of the journal value codec. Same
// names and shapes as the official SDK, so code written against it typechecks unchanged.

import type { Serde } from "../serde/types.js";
import type { StandardSchemaV1 } from "../serde/standard-schema.js";
import type { Context, InvocationHandle, InvocationPromise, ObjectContext, ObjectSharedContext, WorkflowContext, WorkflowSharedContext } from "../context/context-types.js";
import type { Opts, SendOpts } from "./builders.js";
import type {
  ObjectHandlerOpts,
  ServiceDefinition,
  ServiceHandlerOpts,
  VirtualObjectDefinition,
  WorkflowDefinition,
  WorkflowHandlerOpts,
} from "./types.js";

/** Documentation and metadata of a contract or of one of its handlers (manifest `documentation`/`metadata`). */
export type DescriptorOpts = {
  description?: string;
  metadata?: Record<string, string>;
};

/** One handler of a contract: its serdes and, for objects, whether it is shared. */
export type HandlerDescriptor<I = any, O = any, Shared extends boolean = boolean> = {
  readonly _inputSerde?: Serde<I>;
  readonly _outputSerde?: Serde<O>;
  readonly _shared?: Shared;
  readonly _description?: string;
  readonly _metadata?: Record<string, string>;
};

export type InferInput<D> = D extends HandlerDescriptor<infer I, any, any> ? I : any;
export type InferOutput<D> = D extends HandlerDescriptor<any, infer O, any> ? O : any;
export type SerdeType<S> = S extends Serde<infer T> ? T : never;

export type Descriptor<
  P extends string = string,
  H extends Record<string, HandlerDescriptor> = Record<string, HandlerDescriptor>,
  Kind extends "service" | "object" | "workflow" = "service" | "object" | "workflow",
> = {
  readonly name: P;
  readonly _kind: Kind;
  readonly _handlers: H;
  readonly _description?: string;
  readonly _metadata?: Record<string, string>;
};

export type ServiceDescriptor<P extends string = string, H extends Record<string, HandlerDescriptor> = Record<string, HandlerDescriptor>> = Descriptor<P, H, "service">;
export type ObjectDescriptor<P extends string = string, H extends Record<string, HandlerDescriptor> = Record<string, HandlerDescriptor>> = Descriptor<P, H, "object">;
export type WorkflowDescriptor<P extends string = string, H extends Record<string, HandlerDescriptor> = Record<string, HandlerDescriptor>> = Descriptor<P, H, "workflow">;

export type ImplementedServiceDefinition<P extends string, H extends Record<string, HandlerDescriptor>> = ServiceDefinition<P, any> & ServiceDescriptor<P, H>;
export type ImplementedObjectDefinition<P extends string, H extends Record<string, HandlerDescriptor>> = VirtualObjectDefinition<P, any> & ObjectDescriptor<P, H>;
export type ImplementedWorkflowDefinition<P extends string, H extends Record<string, HandlerDescriptor>> = WorkflowDefinition<P, any> & WorkflowDescriptor<P, H>;
export type ImplementedDefinition<P extends string, H extends Record<string, HandlerDescriptor>, Kind extends "service" | "object" | "workflow"> = Kind extends "service"
  ? ImplementedServiceDefinition<P, H>
  : Kind extends "object"
    ? ImplementedObjectDefinition<P, H>
    : ImplementedWorkflowDefinition<P, H>;

type SchemaOpts<SI, SO> = { input?: SI; output?: SO } & DescriptorOpts;

/** The shape of `iface`. */
export interface ServiceInterface {
  service<P extends string, H extends Record<string, HandlerDescriptor>>(name: P, handlers: H, opts?: DescriptorOpts): ServiceDescriptor<P, H>;
  object<P extends string, H extends Record<string, HandlerDescriptor>>(name: P, handlers: H, opts?: DescriptorOpts): ObjectDescriptor<P, H>;
  workflow<P extends string, H extends Record<string, HandlerDescriptor>>(name: P, handlers: H, opts?: DescriptorOpts): WorkflowDescriptor<P, H>;
  json<I = void, O = void>(opts?: DescriptorOpts): HandlerDescriptor<I, O, false>;
  serdes<SI extends Serde<any>, SO extends Serde<any>>(opts: SchemaOpts<SI, SO>): HandlerDescriptor<SerdeType<SI>, SerdeType<SO>, false>;
  schemas<SI extends StandardSchemaV1<any>, SO extends StandardSchemaV1<any>>(
    opts: SchemaOpts<SI, SO>,
  ): HandlerDescriptor<StandardSchemaV1.InferOutput<NonNullable<SI>>, StandardSchemaV1.InferOutput<NonNullable<SO>>, false>;
  shared: {
    json<I = void, O = void>(opts?: DescriptorOpts): HandlerDescriptor<I, O, true>;
    serdes<SI extends Serde<any>, SO extends Serde<any>>(opts: SchemaOpts<SI, SO>): HandlerDescriptor<SerdeType<SI>, SerdeType<SO>, true>;
    schemas<SI extends StandardSchemaV1<any>, SO extends StandardSchemaV1<any>>(
      opts: SchemaOpts<SI, SO>,
    ): HandlerDescriptor<StandardSchemaV1.InferOutput<NonNullable<SI>>, StandardSchemaV1.InferOutput<NonNullable<SO>>, true>;
  };
}

/** Request/response client built from a contract's descriptors. */
export type ClientFromDescriptors<H extends Record<string, HandlerDescriptor>> = {
  readonly [K in keyof H]: [InferInput<H[K]>] extends [void]
    ? (opts?: Opts<InferInput<H[K]>, InferOutput<H[K]>>) => InvocationPromise<InferOutput<H[K]>>
    : (input: InferInput<H[K]>, opts?: Opts<InferInput<H[K]>, InferOutput<H[K]>>) => InvocationPromise<InferOutput<H[K]>>;
};

/** One-way client built from a contract's descriptors. */
export type SendClientFromDescriptors<H extends Record<string, HandlerDescriptor>> = {
  readonly [K in keyof H]: [InferInput<H[K]>] extends [void]
    ? (opts?: SendOpts<InferInput<H[K]>>) => InvocationHandle
    : (input: InferInput<H[K]>, opts?: SendOpts<InferInput<H[K]>>) => InvocationHandle;
};

/** A handler function whose input argument is dropped when `I` is `void`. */
export type FnOf<C, I, O> = [I] extends [void] ? (ctx: C) => Promise<O> : (ctx: C, input: I) => Promise<O>;
export type ServiceImplHandlers<H extends Record<string, HandlerDescriptor>> = { [K in keyof H]: FnOf<Context, InferInput<H[K]>, InferOutput<H[K]>> };
export type ObjectImplHandlers<H extends Record<string, HandlerDescriptor>> = {
  [K in keyof H]: H[K] extends HandlerDescriptor<any, any, infer Shared>
    ? FnOf<Shared extends true ? ObjectSharedContext : ObjectContext, InferInput<H[K]>, InferOutput<H[K]>>
    : never;
};
export type WorkflowImplHandlers<H extends Record<string, HandlerDescriptor>> = {
  [K in keyof H]: K extends "run" ? FnOf<WorkflowContext, InferInput<H[K]>, InferOutput<H[K]>> : FnOf<WorkflowSharedContext, InferInput<H[K]>, InferOutput<H[K]>>;
};
export type ServicePerHandlerOpts = Omit<ServiceHandlerOpts<unknown, unknown>, "input" | "output">;
export type ObjectPerHandlerOpts = Omit<ObjectHandlerOpts<unknown, unknown>, "input" | "output">;
export type WorkflowPerHandlerOpts = Omit<WorkflowHandlerOpts<unknown, unknown>, "input" | "output">;

/**
 * @experimental Transforms journal values after serialization and before deserialization (e.g. encryption):
 * handler input and output, ctx.run results, awakeable/promise/signal values, state values, call parameters.
 */
export type JournalValueCodec = {
  encode(buf: Uint8Array): Uint8Array;
  decode(buf: Uint8Array): Promise<Uint8Array>;
};
