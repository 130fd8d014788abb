// Type-level checks (enforced by `tsc -p tsconfig.json`), plus a runtime smoke so vitest collects the file.
import { describe, expectTypeOf, it } from "vitest";
import type {
  Context,
  InvocationHandle,
  InvocationPromise,
  ObjectContext,
  ObjectSharedContext,
  WorkflowContext,
  WorkflowSharedContext,
} from "../../../src/context/context-types.js";
import { handlers, object, rpc, service, workflow, type Opts, type SendOpts } from "../../../src/definition/builders.js";
import type {
  Client,
  SendClient,
  Service,
  ServiceDefinition,
  ServiceDefinitionFrom,
  VirtualObject,
  Workflow,
} from "../../../src/definition/types.js";
import { serde } from "../../../src/serde/index.js";

const greeter = service({
  name: "greeter",
  handlers: {
    greet: async (_ctx: Context, name: string) => `Hello ${name}`,
    ping: async (_ctx: Context) => 42,
    raw: handlers.handler({ input: serde.binary, output: serde.binary }, async (_ctx: Context, b: Uint8Array) => b),
  },
});

const counter = object({
  name: "counter",
  handlers: {
    add: async (_ctx: ObjectContext, n: number) => n,
    get: handlers.object.shared(async (_ctx: ObjectSharedContext): Promise<number> => 1),
  },
});

const signup = workflow({
  name: "signup",
  handlers: {
    run: async (_ctx: WorkflowContext, email: string) => ({ ok: true, email }),
    click: handlers.workflow.shared(async (_ctx: WorkflowSharedContext, secret: string) => secret.length),
  },
});

describe("definition types", () => {
  it("keep the literal name and the handler map", () => {
    expectTypeOf(greeter.name).toEqualTypeOf<"greeter">();
    expectTypeOf(greeter).toMatchTypeOf<ServiceDefinition<"greeter", unknown>>();
    expectTypeOf<ServiceDefinitionFrom<typeof greeter>>().toEqualTypeOf<typeof greeter>();
  });

  it("derive typed clients", () => {
    type G = Client<Service<typeof greeter>>;
    expectTypeOf<G["greet"]>().toBeCallableWith("Bob");
    // call options are inferred from the call site, as with the official SDK
    const callWithOpts = (g: G) => g.greet("Bob", rpc.opts({ idempotencyKey: "k" }));
    expectTypeOf(callWithOpts).returns.toEqualTypeOf<InvocationPromise<string>>();
    expectTypeOf<G["greet"]>().returns.toEqualTypeOf<InvocationPromise<string>>();
    expectTypeOf<G["ping"]>().toBeCallableWith();
    expectTypeOf<G["ping"]>().returns.toEqualTypeOf<InvocationPromise<number>>();
    expectTypeOf<G["raw"]>().parameter(0).toEqualTypeOf<Uint8Array>();

    type C = Client<VirtualObject<typeof counter>>;
    expectTypeOf<C["add"]>().returns.toEqualTypeOf<InvocationPromise<number>>();
    expectTypeOf<C["get"]>().returns.toEqualTypeOf<InvocationPromise<number>>();

    type W = Client<Workflow<typeof signup>>;
    expectTypeOf<W["run"]>().returns.toEqualTypeOf<InvocationPromise<{ ok: boolean; email: string }>>();
    expectTypeOf<W["click"]>().parameter(0).toEqualTypeOf<string>();

    type S = SendClient<Service<typeof greeter>>;
    const sendWithOpts = (s: S) => s.greet("Bob", rpc.sendOpts({ delay: { seconds: 1 } }));
    expectTypeOf(sendWithOpts).returns.toEqualTypeOf<InvocationHandle>();
    expectTypeOf<S["greet"]>().returns.toEqualTypeOf<InvocationHandle>();
  });

  it("infer clients from ctx.*Client(definition) and from an explicit handler interface", () => {
    const calls = (ctx: Context) => ({
      greet: ctx.serviceClient(greeter).greet("Bob"),
      add: ctx.objectClient(counter, "k").add(1),
      run: ctx.workflowClient(signup, "k").run("a@b.c"),
      send: ctx.serviceSendClient(greeter).greet("Bob"),
      byName: ctx.serviceClient<typeof greeter>({ name: "greeter" }).ping(),
    });
    expectTypeOf(calls).returns.toEqualTypeOf<{
      greet: InvocationPromise<string>;
      add: InvocationPromise<number>;
      run: InvocationPromise<{ ok: boolean; email: string }>;
      send: InvocationHandle;
      byName: InvocationPromise<number>;
    }>();
    // the official docs' interface style: serviceClient<Api>({ name })
    type Api = { hello: (ctx: Context, who: string) => Promise<string> };
    const viaInterface = (ctx: Context) => ctx.serviceClient<Api>({ name: "api" }).hello("x");
    expectTypeOf(viaInterface).returns.toEqualTypeOf<InvocationPromise<string>>();
  });

  it("type the call options", () => {
    expectTypeOf(rpc.opts({ input: serde.json, output: serde.binary })).toEqualTypeOf<Opts<any, Uint8Array>>();
    expectTypeOf(rpc.sendOpts({ input: serde.binary })).toEqualTypeOf<SendOpts<Uint8Array>>();
  });

  it("reject misuse at compile time", () => {
    type G = Client<Service<typeof greeter>>;
    const g = {} as G;
    // @ts-expect-error wrong argument type
    void (() => g.greet(5));
    // @ts-expect-error unknown handler
    void (() => g.nope);
    void (() =>
      workflow({
        name: "w",
        // @ts-expect-error 'run' is required
        handlers: { other: async (_ctx: WorkflowSharedContext) => 1 },
      }));
    void (() =>
      workflow({
        name: "w",
        handlers: {
          run: async (_ctx: WorkflowContext) => 1,
          // @ts-expect-error reserved handler name
          workflowSubmit: async (_ctx: WorkflowSharedContext) => 1,
        },
      }));
    // @ts-expect-error onMaxAttempts is "pause" | "kill"
    void (() => service({ name: "s", handlers: {}, options: { retryPolicy: { onMaxAttempts: "stop" } } }));
  });
});
