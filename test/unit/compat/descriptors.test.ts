// iface/implement contracts, ctx.client/ctx.sendClient (1.17), and `rpc`/`handlers` usable as namespaces. The
// type-level parts are checked by `npm run typecheck` (this file is part of the project); the rest runs here.

import { describe, expect, expectTypeOf, it } from "vitest";
import * as restate from "../../../src/index.js";
import { rpc } from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, input, invoke, json, start, text } from "../machine/support.js";

// The official SDK's namespaces: these lines failed with TS2503/TS2749 when rpc/handlers were plain objects.
import sendOpts = rpc.sendOpts;
import opts = restate.rpc.opts;
import shared = restate.handlers.object.shared;
import exclusive = restate.handlers.object.exclusive;
import wfShared = restate.handlers.workflow.shared;

const journal = (...entries: Uint8Array[]) => [start(entries.length), ...entries];
const outputValue = (m: { message: unknown }) => JSON.parse(text((m.message as { value: { content: Uint8Array } }).value.content));

const greeterContract = restate.iface.service("Greeter", {
  greet: restate.iface.json<{ name: string }, string>({ description: "says hello" }),
  raw: restate.iface.serdes({ input: restate.serde.binary, output: restate.serde.binary }),
});
const counterContract = restate.iface.object("Counter", {
  add: restate.iface.json<number, number>(),
  get: restate.iface.shared.json<void, number>(),
});

const greeter = restate.implement(greeterContract, {
  handlers: {
    greet: async (_ctx, req) => `hello ${req.name}`,
    raw: async (_ctx, bytes) => bytes.slice().reverse(),
  },
  options: { handlers: { greet: { metadata: { team: "a" } } } },
});
const counter = restate.implement(counterContract, {
  handlers: {
    add: async (ctx, n) => ((await ctx.get<number>("n")) ?? 0) + n,
    get: async (ctx) => (await ctx.get<number>("n")) ?? 0,
  },
});

const caller = restate.service({
  name: "Caller",
  handlers: {
    viaContract: async (ctx: restate.Context) => {
      const a = ctx.client(greeterContract).greet({ name: "x" }, opts({ headers: { h: "1" } }));
      ctx.sendClient(counterContract, "k1").add(2, sendOpts({ delay: 1000 }));
      ctx.client(greeter).raw(new Uint8Array([1, 2]));
      return a;
    },
  },
});

describe("iface / implement", () => {
  it("typed clients from contracts (type level)", () => {
    expectTypeOf<restate.InferOutput<typeof greeterContract._handlers.greet>>().toEqualTypeOf<string>();
    type GreetClient = restate.ClientFromDescriptors<typeof greeterContract._handlers>;
    expectTypeOf<Parameters<GreetClient["greet"]>[0]>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<ReturnType<GreetClient["greet"]>>().toEqualTypeOf<restate.InvocationPromise<string>>();
    expectTypeOf(shared).toBeFunction();
    expectTypeOf(exclusive).toBeFunction();
    expectTypeOf(wfShared).toBeFunction();
  });

  it("implement() gives a definition the endpoint serves, with the contract's serdes and documentation", async () => {
    const { fetch } = restate.endpoint().bind(greeter).bind(counter).handler();
    const discovery = await (await fetch(new Request("http://localhost/discover", { headers: { accept: "application/vnd.restate.endpointmanifest.v3+json" } }))).json();
    const svc = (discovery as { services: { name: string; ty: string; handlers: { name: string; documentation?: string; metadata?: object; ty?: string }[] }[] }).services;
    expect(svc.find((s) => s.name === "Greeter")!.handlers.find((h) => h.name === "greet")).toMatchObject({ documentation: "says hello", metadata: { team: "a" } });
    expect(svc.find((s) => s.name === "Counter")).toMatchObject({ ty: "VIRTUAL_OBJECT" });
    expect(svc.find((s) => s.name === "Counter")!.handlers.find((h) => h.name === "get")).toMatchObject({ ty: "SHARED" });
    const res = await invoke(fetch, "/invoke/Greeter/greet", journal(input({ name: "Ada" })));
    expect(outputValue(res.messages[0]!)).toBe("hello Ada");
    expect(greeter._kind).toBe("service");
    expect(greeter._handlers).toBe(greeterContract._handlers);
    expect(() => restate.implement(greeterContract, { handlers: { greet: async () => "x" } } as never)).toThrow(/missing handler "raw"/);
  });

  it("ctx.client / ctx.sendClient call with the contract's serdes; objects get their key", async () => {
    const { fetch } = restate.endpoint().bind(caller).handler();
    const res = await invoke(fetch, "/invoke/Caller/viaContract", journal(input()));
    const [call, send, rawCall] = res.messages;
    expect(call!.type).toBe(MessageType.CallCommand);
    expect(call!.message).toMatchObject({ serviceName: "Greeter", handlerName: "greet", key: "", headers: [{ key: "h", value: "1" }] });
    expect(text((call!.message as { parameter: Uint8Array }).parameter)).toBe('{"name":"x"}');
    expect(send!.type).toBe(MessageType.OneWayCallCommand);
    expect(send!.message).toMatchObject({ serviceName: "Counter", handlerName: "add", key: "k1" });
    expect(text((send!.message as { parameter: Uint8Array }).parameter)).toBe("2");
    // binary serde from the implemented definition's descriptors: the bytes go as they are.
    expect(Array.from((rawCall!.message as { parameter: Uint8Array }).parameter)).toEqual([1, 2]);
  });

  it("a definition made with service() carries _kind and _handlers like the official one", () => {
    const def = restate.object({ name: "O", handlers: { a: async () => 1, b: restate.handlers.object.shared(async () => 2) } });
    expect((def as unknown as { _kind: string })._kind).toBe("object");
    expect((def as unknown as { _handlers: Record<string, { _shared: boolean }> })._handlers.b!._shared).toBe(true);
  });
});

void json;
void frame;
