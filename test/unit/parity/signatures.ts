// The signatures that must agree between official and perdure entries, checked by the TypeScript compiler in the
// parity test. `$O`/`$P` stand for the official / perdure module of the pair (see entries.ts). Kinds:
//   type     perdure's type is assignable to the official one, and the official one to perdure's restricted to
//            the official members (perdure may add members; it may not lack or change one)
//   options  an official value (options object, …) is accepted where perdure expects its type
//   value    perdure's function/class fits wherever the official one is expected (same calls, same results)

//   mutual   each side assignable to the other, whole (for concrete result types)
//   members  perdure's type has these members (`members`), whatever their types (compared elsewhere)

export type CheckKind = "type" | "options" | "value" | "mutual" | "members";

export interface SignatureCheck {
  /** perdure entry label (ENTRY_PAIRS[].perdure). */
  entry: string;
  /** The name shown in reports and in compat/differences.json. */
  name: string;
  kind: CheckKind;
  /** Type expression with `$X` for the module namespace, e.g. `$X.Context` or `typeof $X.serve`. */
  expr: string;
  /** Declares a value of this type (with `$X`) that `expr` can use as `$V`, e.g. to instantiate a generic method. */
  decl?: string;
  /** For `members`: the member names. */
  members?: string[];
}

const M = "{ greet: (ctx: any, name: string) => Promise<string> }";

/**
 * Generic methods typed through the SDK's conditional aliases (`Client<Service<D>>`, …). TypeScript compares such
 * methods only when both sides use the same alias declarations, so they can never match across two packages, even
 * when declared identically; the context checks leave them out and `usage` checks compare what they return for a
 * concrete definition instead.
 */
const CLIENT_METHODS = ["serviceClient", "objectClient", "workflowClient", "serviceSendClient", "objectSendClient", "workflowSendClient", "client", "sendClient"]
  .map((m) => JSON.stringify(m))
  .join(" | ");
const ctx = (name: string) => `Omit<$X.${name}, ${CLIENT_METHODS} | "scope">`;

/** Handlers of a definition, for the typed clients' usage checks. */
const H = "{ greet: (ctx: any, name: string) => Promise<string>; count: (ctx: any) => Promise<number>; run: (ctx: any, n: number) => Promise<boolean> }";

/**
 * What a typed client method returns for the handlers H: whole (which differs only through the rpc.opts classes,
 * see compat/differences.json), and per handler its input and its result, which must agree in both directions.
 */
function clientUsage(entry: string, owner: string, methods: string[]): SignatureCheck[] {
  return methods.flatMap((method): SignatureCheck[] => {
    const client = `ReturnType<typeof $V.${method}<${H}>>`;
    const decl = `$X.${owner}`;
    return [
      { entry, name: `${owner}.${method}`, kind: "mutual", decl, expr: client },
      { entry, name: `${owner}.${method}(…).greet input`, kind: "mutual", decl, expr: `Parameters<${client}["greet"]>[0]` },
      { entry, name: `${owner}.${method}(…).greet result`, kind: "mutual", decl, expr: `ReturnType<${client}["greet"]>` },
    ];
  });
}

function checks(entry: string, kind: CheckKind, list: Record<string, string>): SignatureCheck[] {
  return Object.entries(list).map(([name, expr]) => ({ entry, name, kind, expr }));
}

export const SIGNATURE_CHECKS: SignatureCheck[] = [
  ...checks("perdure", "type", {
    Context: ctx("Context"),
    ObjectContext: ctx("ObjectContext"),
    ObjectSharedContext: ctx("ObjectSharedContext"),
    WorkflowContext: ctx("WorkflowContext"),
    WorkflowSharedContext: ctx("WorkflowSharedContext"),
    Rand: "$X.Rand",
    ContextDate: "$X.ContextDate",
    Request: "$X.Request",
    DurablePromise: "$X.DurablePromise<string>",
    RestatePromise: "$X.RestatePromise<string>",
    InvocationHandle: "$X.InvocationHandle",
    InvocationPromise: "$X.InvocationPromise<string>",
    ScopedContext: `Omit<$X.ScopedContext, ${CLIENT_METHODS}>`,
    ServiceDefinition: `$X.ServiceDefinition<"S", ${M}>`,
    VirtualObjectDefinition: `$X.VirtualObjectDefinition<"S", ${M}>`,
    WorkflowDefinition: `$X.WorkflowDefinition<"S", ${M}>`,
    Serde: "$X.Serde<string>",
    Hooks: "$X.Hooks",
    RestateEndpoint: "$X.RestateEndpoint",
    TerminalError: "$X.TerminalError",
    LoggerTransport: "$X.LoggerTransport",
  }),
  ...checks("perdure", "options", {
    EndpointOptions: "$X.EndpointOptions",
    ServeOptions: "$X.ServeOptions",
    NodeEndpointOptions: "$X.NodeEndpointOptions",
    ServiceOptions: "$X.ServiceOptions",
    ObjectOptions: "$X.ObjectOptions",
    WorkflowOptions: "$X.WorkflowOptions",
    DefaultServiceOptions: "$X.DefaultServiceOptions",
    RetryPolicy: "$X.RetryPolicy",
    RunOptions: "$X.RunOptions<string>",
    ClientCallOptions: "$X.ClientCallOptions<string, string>",
    ClientSendOptions: "$X.ClientSendOptions<string>",
    RetryableErrorOptions: "$X.RetryableErrorOptions",
  }),
  ...checks("perdure", "value", {
    serve: "typeof $X.serve",
    endpoint: "typeof $X.endpoint",
    createEndpointHandler: "typeof $X.createEndpointHandler",
    service: "typeof $X.service",
    object: "typeof $X.object",
    workflow: "typeof $X.workflow",
    "rpc.opts": "typeof $X.rpc.opts",
    "rpc.sendOpts": "typeof $X.rpc.sendOpts",
    "serde.json": "typeof $X.serde.json",
    "serde.binary": "typeof $X.serde.binary",
    isRestatePromise: "typeof $X.isRestatePromise",
    TerminalError: "typeof $X.TerminalError",
    "RestatePromise.all": "typeof $X.RestatePromise.all",
  }),
  ...["Context", "ObjectContext", "ObjectSharedContext", "WorkflowContext", "WorkflowSharedContext", "ScopedContext"].map(
    (name): SignatureCheck => ({ entry: "perdure", name: `${name} client methods`, kind: "members", expr: `$X.${name}`, members: CLIENT_METHODS.split(" | ").map((m) => JSON.parse(m) as string) }),
  ),
  ...clientUsage("perdure", "Context", ["serviceClient", "objectClient", "workflowClient", "serviceSendClient", "objectSendClient", "workflowSendClient"]),
  ...checks("perdure/fetch", "type", { "endpoint()": "ReturnType<typeof $X.endpoint>" }),
  ...checks("perdure/fetch", "value", { createEndpointHandler: "typeof $X.createEndpointHandler", endpoint: "typeof $X.endpoint" }),
  ...checks("perdure/lambda", "value", { createEndpointHandler: "typeof $X.createEndpointHandler", endpoint: "typeof $X.endpoint" }),
  ...checks("perdure/lambda", "type", { "endpoint()": "ReturnType<typeof $X.endpoint>" }),
  ...checks("perdure/cloudflare", "value", { createEndpointHandler: "typeof $X.createEndpointHandler" }),
  ...checks("perdure/clients", "type", {
    Ingress: `Omit<$X.Ingress, ${CLIENT_METHODS} | "scope">`,
    Send: "$X.Send<string>",
    WorkflowSubmission: "$X.WorkflowSubmission<string>",
    Output: "$X.Output<string>",
    Opts: "$X.Opts<string, string>",
    SendOpts: "$X.SendOpts<string>",
    HttpCallError: "$X.HttpCallError",
  }),
  { entry: "perdure/clients", name: "Ingress client methods", kind: "members", expr: "$X.Ingress", members: ["serviceClient", "objectClient", "workflowClient", "serviceSendClient", "objectSendClient", "client", "sendClient", "scope", "call", "send", "result"] },
  ...clientUsage("perdure/clients", "Ingress", ["serviceClient", "objectClient", "workflowClient", "serviceSendClient", "objectSendClient"]),
  ...checks("perdure/clients", "options", {
    ConnectionOpts: "$X.ConnectionOpts",
    IngressCallOptions: "$X.IngressCallOptions<string, string>",
    IngressSendOptions: "$X.IngressSendOptions<string>",
    RetryPolicy: "$X.RetryPolicy",
  }),
  ...checks("perdure/clients", "value", {
    connect: "typeof $X.connect",
    "rpc.opts": "typeof $X.rpc.opts",
    "rpc.sendOpts": "typeof $X.rpc.sendOpts",
    defaultShouldRetry: "typeof $X.defaultShouldRetry",
  }),
  ...checks("perdure/testing", "type", {
    RestateTestEnvironment: "$X.RestateTestEnvironment",
    StateProxy: "$X.StateProxy<{ a: number; b: string }>",
  }),
  ...checks("perdure/testing", "options", { TestEnvironmentOptions: "$X.TestEnvironmentOptions" }),
  ...checks("perdure/testing", "value", { "RestateTestEnvironment.start": "typeof $X.RestateTestEnvironment.start" }),
  ...checks("perdure/zod", "value", { "serde.zod": "typeof $X.serde.zod" }),
];
