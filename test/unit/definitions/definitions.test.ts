import * as official from "@restatedev/restate-sdk";
import { describe, expect, it } from "vitest";
import {
  Opts,
  SendOpts,
  createObjectSharedHandler,
  handlers,
  object,
  rpc,
  service,
  serviceEntryOf,
  workflow,
} from "../../../src/definition/builders.js";
import type { Context, ObjectContext, ObjectSharedContext, WorkflowContext } from "../../../src/context/context-types.js";
import { TerminalError } from "../../../src/context/errors.js";
import { serde } from "../../../src/serde/index.js";

const noop = async () => undefined;

describe("service()", () => {
  it("keeps only the name visible and attaches the entry privately", () => {
    const def = service({ name: "Greeter", handlers: { greet: async (_ctx: Context, n: string) => `hi ${n}` } });
    expect(def.name).toBe("Greeter");
    expect(Object.keys(def)).toEqual(["name"]);
    expect(JSON.stringify(def)).toBe('{"name":"Greeter"}');
    const entry = serviceEntryOf(def);
    expect(entry.name).toBe("Greeter");
    expect(entry.type).toBe("SERVICE");
    expect([...entry.handlers.keys()]).toEqual(["greet"]);
  });

  it("builds handler entries with json serdes, no kind, and callable fn", async () => {
    const entry = serviceEntryOf(
      service({ name: "S", handlers: { greet: async (_ctx: Context, n: string) => `hi ${n}` } }),
    );
    const h = entry.handlers.get("greet")!;
    expect(h.kind).toBeUndefined();
    expect(h.input).toBe(serde.json);
    expect(h.output).toBe(serde.json);
    expect(h.execution.defaultSerde).toBe(serde.json);
    expect(h.execution.explicitCancellation).toBe(false);
    expect(h.execution.onJournalMismatchErrors).toBe("retry");
    expect(await h.fn({}, "Bob")).toBe("hi Bob");
  });

  it("calls handlers with `this` bound to the handlers object", async () => {
    const def = service({
      name: "S",
      handlers: {
        inner: async (_ctx: Context, n: number) => n + 1,
        async outer(ctx: Context, n: number): Promise<number> {
          return (await this.inner(ctx, n)) * 10;
        },
      },
    });
    expect(await serviceEntryOf(def).handlers.get("outer")!.fn({}, 1)).toBe(20);
  });

  it("applies handler options (serdes, accept, documentation) from handlers.handler", async () => {
    const fn = async (_ctx: Context, input: Uint8Array) => input;
    const def = service({
      name: "S",
      handlers: {
        raw: handlers.handler(
          { input: serde.binary, output: serde.binary, accept: "application/*", description: "d", metadata: { a: "1" } },
          fn,
        ),
      },
    });
    const h = serviceEntryOf(def).handlers.get("raw")!;
    expect(h.input).toBe(serde.binary);
    expect(h.output).toBe(serde.binary);
    expect(h.options.accept).toBe("application/*");
    expect(h.options.documentation).toBe("d");
    expect(h.options.metadata).toEqual({ a: "1" });
    const bytes = new Uint8Array([1]);
    expect(await h.fn({}, bytes)).toBe(bytes);
  });

  it("resolves serdes handler → service → json and merges hooks service-first", () => {
    const hookA = () => ({});
    const hookB = () => ({});
    const asTerminal = () => new TerminalError("x");
    const def = service({
      name: "S",
      options: { serde: serde.binary, hooks: [hookA], asTerminalError: asTerminal, explicitCancellation: true },
      handlers: {
        a: async (_ctx: Context, x: Uint8Array) => x,
        b: handlers.handler({ serde: serde.json, output: serde.binary, hooks: [hookB] }, async (_ctx: Context) => undefined),
      },
    });
    const entry = serviceEntryOf(def);
    const a = entry.handlers.get("a")!;
    expect(a.input).toBe(serde.binary);
    expect(a.execution.defaultSerde).toBe(serde.binary);
    expect(a.execution.asTerminalError).toBe(asTerminal);
    expect(a.execution.explicitCancellation).toBe(true);
    const b = entry.handlers.get("b")!;
    expect(b.input).toBe(serde.json);
    expect(b.output).toBe(serde.binary);
    expect(b.execution.hooks).toEqual([hookA, hookB]);
  });

  it("normalizes options to milliseconds and manifest spelling", () => {
    const def = service({
      name: "S",
      description: "doc",
      metadata: { team: "x" },
      options: {
        inactivityTimeout: { seconds: 30 },
        abortTimeout: 60_000,
        journalRetention: { hours: 1 },
        idempotencyRetention: { hours: 2 },
        ingressPrivate: false,
        retryPolicy: { initialInterval: 100, maxInterval: { seconds: 2 }, maxAttempts: 5, exponentiationFactor: 1.5, onMaxAttempts: "kill" },
      },
      handlers: { h: handlers.handler({ retryPolicy: { onMaxAttempts: "pause" }, journalRetention: 5 }, noop) },
    });
    const entry = serviceEntryOf(def);
    expect(entry.options).toEqual({
      documentation: "doc",
      metadata: { team: "x" },
      inactivityTimeout: 30_000,
      abortTimeout: 60_000,
      journalRetention: 3_600_000,
      idempotencyRetention: 7_200_000,
      ingressPrivate: false,
      retryPolicy: { initialInterval: 100, maxInterval: 2000, maxAttempts: 5, exponentiationFactor: 1.5, onMaxAttempts: "KILL" },
    });
    expect(entry.handlers.get("h")!.options).toEqual({ retryPolicy: { onMaxAttempts: "PAUSE" }, journalRetention: 5 });
  });

  it("drops enableLazyState on plain services (they have no state)", () => {
    const def = service({ name: "S", options: { enableLazyState: true } as never, handlers: { h: noop } });
    expect(serviceEntryOf(def).options.enableLazyState).toBeUndefined();
  });

  it("rejects invalid option values with messages naming the option and the owner", () => {
    const make = (options: object) => () => service({ name: "S", options: options as never, handlers: { h: noop } });
    expect(make({ journalRetention: -5 })).toThrow("journalRetention of service 'S' must not be negative, got -5 ms");
    expect(make({ retryPolicy: { maxAttempts: 0 } })).toThrow(/retryPolicy.maxAttempts of service 'S' must be an integer >= 1/);
    expect(make({ retryPolicy: { onMaxAttempts: "stop" } })).toThrow(/onMaxAttempts of service 'S' must be "pause" or "kill"/);
    expect(make({ retryPolicy: { exponentiationFactor: Number.NaN } })).toThrow(/exponentiationFactor/);
    expect(make({ ingressPrivate: "yes" })).toThrow("ingressPrivate of service 'S' must be a boolean, got string");
    expect(make({ serde: {} })).toThrow(/serde of service 'S' must be a Serde/);
    expect(make({ hooks: [1] })).toThrow(/hooks of service 'S' must be an array of functions/);
    expect(make({ onJournalMismatchErrors: "explode" })).toThrow(/onJournalMismatchErrors/);
    expect(() =>
      service({ name: "S", handlers: { h: handlers.handler({ abortTimeout: { minutes: -1 } }, noop) } }),
    ).toThrow("abortTimeout of handler 'S/h': 'minutes' must be a non-negative finite number, got -1");
    expect(() => service({ name: "S", metadata: { n: 1 } as never, handlers: {} })).toThrow(
      "metadata 'n' of service 'S' must be a string, got number",
    );
  });
});

describe("name validation", () => {
  const good = ["a", "Greeter", "_1", "_a", "a.b-c_d", "x9"];
  const bad = ["", "1abc", "_", "-a", ".a", "a/b", "a b", "é", "_-"];
  for (const name of good) {
    it(`accepts service name ${JSON.stringify(name)}`, () => {
      expect(service({ name, handlers: {} }).name).toBe(name);
    });
  }
  for (const name of bad) {
    it(`rejects service name ${JSON.stringify(name)}`, () => {
      expect(() => service({ name, handlers: {} })).toThrow(`Invalid service name ${JSON.stringify(name)}`);
    });
  }
  it("rejects non-string names", () => {
    expect(() => service({ name: 5 as never, handlers: {} })).toThrow(TypeError);
  });
  it("validates handler names (no '.' or '-')", () => {
    expect(() => service({ name: "S", handlers: { "a-b": noop } })).toThrow(`Invalid handler name "a-b" in service 'S'`);
    expect(() => service({ name: "S", handlers: { "a.b": noop } })).toThrow(/Invalid handler name "a.b"/);
    expect(() => service({ name: "S", handlers: { "1a": noop } })).toThrow(/Invalid handler name/);
    expect(serviceEntryOf(service({ name: "S", handlers: { _x1: noop, a_B: noop } })).handlers.size).toBe(2);
  });
});

describe("invalid definitions", () => {
  it("reports non-function handlers and missing handler maps", () => {
    expect(() => service({ name: "S", handlers: { h: 5 } as never })).toThrow(
      "Handler 'h' of service 'S' must be a function, got a number",
    );
    expect(() => service({ name: "S" } as never)).toThrow("service 'S' must have a 'handlers' object");
    expect(() => service(null as never)).toThrow(TypeError);
  });

  it("rejects handlers.* misuse", () => {
    expect(() => handlers.object.shared({} as never, 5 as never)).toThrow(/handler function/);
    expect(() => (handlers.handler as any)(5, noop)).toThrow(/options must be an object/);
  });
});

describe("object()", () => {
  it("makes plain handlers exclusive and marked ones shared", () => {
    const def = object({
      name: "Counter",
      handlers: {
        add: async (_ctx: ObjectContext, n: number) => n,
        ex: handlers.object.exclusive({ enableLazyState: true }, async (_ctx: ObjectContext) => 1),
        get: handlers.object.shared(async (_ctx: ObjectSharedContext) => 1),
        viaAlias: createObjectSharedHandler(async () => 2),
        plain: handlers.handler({}, noop),
      },
      options: { enableLazyState: false },
    });
    const entry = serviceEntryOf(def);
    expect(entry.type).toBe("VIRTUAL_OBJECT");
    const kinds = Object.fromEntries([...entry.handlers].map(([n, h]) => [n, h.kind]));
    expect(kinds).toEqual({ add: "EXCLUSIVE", ex: "EXCLUSIVE", get: "SHARED", viaAlias: "SHARED", plain: "SHARED" });
    expect(entry.options.enableLazyState).toBe(false);
    expect(entry.handlers.get("ex")!.options.enableLazyState).toBe(true);
  });
});

describe("workflow()", () => {
  it("marks run as WORKFLOW and the others SHARED, keeps workflowRetention", () => {
    const def = workflow({
      name: "Signup",
      options: { workflowRetention: { days: 1 }, idempotencyRetention: 1000 },
      handlers: {
        run: async (_ctx: WorkflowContext, email: string) => email,
        click: handlers.workflow.shared(async () => true),
        status: async () => "ok",
      },
    });
    const entry = serviceEntryOf(def);
    expect(entry.type).toBe("WORKFLOW");
    expect(entry.options.workflowCompletionRetention).toBe(86_400_000);
    expect(entry.options.idempotencyRetention).toBe(1000);
    expect(Object.fromEntries([...entry.handlers].map(([n, h]) => [n, h.kind]))).toEqual({
      run: "WORKFLOW",
      click: "SHARED",
      status: "SHARED",
    });
  });

  it("accepts run wrapped with handlers.workflow.workflow", () => {
    const def = workflow({ name: "W", handlers: { run: handlers.workflow.workflow({ description: "main" }, noop) } });
    expect(serviceEntryOf(def).handlers.get("run")!.options.documentation).toBe("main");
  });

  it("rejects a workflow without run, a misplaced workflow handler, reserved names", () => {
    expect(() => workflow({ name: "W", handlers: { other: noop } as never })).toThrow("workflow 'W' must have a handler named 'run'");
    expect(() =>
      workflow({ name: "W", handlers: { run: noop, second: handlers.workflow.workflow(noop) } as never }),
    ).toThrow(/only 'run' can be a workflow handler/);
    expect(() => workflow({ name: "W", handlers: { run: handlers.workflow.shared(noop) } as never })).toThrow(
      /The 'run' handler of workflow 'W' must be a plain function/,
    );
    expect(() => workflow({ name: "W", handlers: { run: noop, workflowSubmit: noop } as never })).toThrow(
      "'workflowSubmit' is a reserved name and cannot be a handler of workflow 'W'",
    );
  });

  it("rejects idempotencyRetention on the run handler", () => {
    expect(() =>
      workflow({ name: "W", handlers: { run: handlers.workflow.workflow({ idempotencyRetention: 5 }, noop) } }),
    ).toThrow(/idempotencyRetention cannot be set on handler 'W\/run'/);
  });
});

describe("handlers.* wrappers", () => {
  it("stay callable and forward this/arguments", async () => {
    const wrapped = handlers.handler({}, async function (this: unknown, _ctx: Context, n: number) {
      return [this, n];
    });
    const self = { tag: 1 };
    expect(await wrapped.call(self, {} as Context, 3)).toEqual([self, 3]);
  });

  it("can wrap the same function twice with different options", () => {
    const fn = async (_ctx: Context, x: Uint8Array) => x;
    const def = service({
      name: "S",
      handlers: { a: handlers.handler({ input: serde.binary }, fn), b: handlers.handler({}, fn) },
    });
    const entry = serviceEntryOf(def);
    expect(entry.handlers.get("a")!.input).toBe(serde.binary);
    expect(entry.handlers.get("b")!.input).toBe(serde.json);
  });
});

describe("serviceEntryOf", () => {
  it("explains what is wrong with non-definitions", () => {
    expect(() => serviceEntryOf({ name: "X" })).toThrow("Expected a definition made by service(), object() or workflow(), got an object (name)");
    expect(() => serviceEntryOf(undefined)).toThrow(/got undefined/);
    expect(() => serviceEntryOf("Greeter")).toThrow(/got the string "Greeter"/);
  });

  it("points out definitions made with the official SDK", () => {
    const theirs = official.service({ name: "Theirs", handlers: { h: async () => 1 } });
    expect(() => serviceEntryOf(theirs)).toThrow("'Theirs' was defined with @restatedev/restate-sdk");
  });
});

describe("rpc.opts / rpc.sendOpts", () => {
  it("wrap the plain options", () => {
    const o = rpc.opts({ idempotencyKey: "k", headers: { a: "b" }, input: serde.json, name: "n", limitKey: "t1" });
    expect(o).toBeInstanceOf(Opts);
    expect(o.getOpts()).toEqual({ idempotencyKey: "k", headers: { a: "b" }, input: serde.json, name: "n", limitKey: "t1" });
    const s = rpc.sendOpts({ delay: { seconds: 5 }, idempotencyKey: "k" });
    expect(s).toBeInstanceOf(SendOpts);
    expect(s.getOpts()).toEqual({ delay: { seconds: 5 }, idempotencyKey: "k" });
    expect(Opts.from({}).getOpts()).toEqual({});
    expect(SendOpts.from({ delay: 10 }).getOpts().delay).toBe(10);
  });
});
