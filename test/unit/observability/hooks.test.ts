// Hooks driven through the fetch handler with hand-built journals: when the handler and run interceptors fire
// (per attempt; only for runs that execute), what they see, their order, and how their errors decide the outcome.
import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, input, invoke, json, start, text } from "../machine/support.js";

type Msg = { type: number; message: unknown };
const msg = <T>(m: Msg | undefined) => m!.message as T;
const types = (ms: Msg[]) => ms.map((m) => m.type);
const outputText = (ms: Msg[]) => text(msg<{ value?: { content: Uint8Array } }>(ms.find((m) => m.type === MessageType.OutputCommand)).value?.content);

/** A hooks provider that records every event into `events`, tagged with `tag`. */
function recorder(events: string[], tag: string): restate.HooksProvider {
  return ({ request }) => {
    events.push(`${tag}:provide ${request.target.service}/${request.target.handler}`);
    return {
      interceptor: {
        handler: async (next) => {
          events.push(`${tag}:handler before`);
          try {
            await next();
            events.push(`${tag}:handler after`);
          } catch (e) {
            events.push(`${tag}:handler error ${(e as Error).name}`);
            throw e;
          }
        },
        run: async (name, next) => {
          events.push(`${tag}:run ${name} before`);
          try {
            await next();
            events.push(`${tag}:run ${name} after`);
          } catch (e) {
            events.push(`${tag}:run ${name} error ${(e as Error).message}`);
            throw e;
          }
        },
      },
    };
  };
}

const runA = frame(MessageType.RunCommand, { resultCompletionId: 1, name: "a" });
const runADone = frame(MessageType.RunCompletion, { completionId: 1, value: { content: json("A") } });
const runB = frame(MessageType.RunCommand, { resultCompletionId: 2, name: "b" });
const runBDone = frame(MessageType.RunCompletion, { completionId: 2, value: { content: json("B") } });

describe("handler and run interceptors across attempts", () => {
  const events: string[] = [];
  const svc = restate.service({
    name: "Steps",
    options: { hooks: [recorder(events, "svc")] },
    handlers: {
      two: restate.handlers.handler({ hooks: [recorder(events, "h")] }, async (ctx: restate.Context) => {
        events.push("body");
        const a = await ctx.run("a", () => "A");
        const b = await ctx.run("b", () => "B");
        return a + b;
      }),
    },
  });
  const { fetch } = restate.endpoint().bind(svc).handler();

  it("attempt 1: runs 'a' inside both run interceptors; next() rejects when the attempt suspends", async () => {
    events.length = 0;
    const res = await invoke(fetch, "/invoke/Steps/two", [start(1), input()]);
    expect(types(res.messages)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion, MessageType.Suspension]);
    expect(events).toEqual([
      "svc:provide Steps/two",
      "h:provide Steps/two",
      "svc:handler before",
      "h:handler before",
      "body",
      "svc:run a before",
      "h:run a before",
      "h:run a after",
      "svc:run a after",
      // Suspended while awaiting a's result: the interceptors unwind, service hooks outermost, with the official
      // SDK's suspension error (RestateError code 599, restate.internal.isSuspendedError).
      "h:handler error RestateError",
      "svc:handler error RestateError",
    ]);
  });

  it("attempt 2: 'a' is replayed (no run interceptor), 'b' executes", async () => {
    events.length = 0;
    const res = await invoke(fetch, "/invoke/Steps/two", [start(3), input(), runA, runADone]);
    expect(types(res.messages)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion, MessageType.Suspension]);
    expect(events.filter((e) => e.includes(":run "))).toEqual(["svc:run b before", "h:run b before", "h:run b after", "svc:run b after"]);
    expect(events.filter((e) => e.includes(":handler "))).toHaveLength(4);
  });

  it("attempt 3: everything replayed, no run interceptor, next() resolves before the output is written", async () => {
    events.length = 0;
    const res = await invoke(fetch, "/invoke/Steps/two", [start(5), input(), runA, runADone, runB, runBDone]);
    expect(outputText(res.messages)).toBe('"AB"');
    expect(events).toEqual([
      "svc:provide Steps/two",
      "h:provide Steps/two",
      "svc:handler before",
      "h:handler before",
      "body",
      "h:handler after",
      "svc:handler after",
    ]);
  });
});

describe("what hooks see and how their errors decide the outcome", () => {
  const seen: unknown[] = [];
  const hooked = (hooks: restate.HooksProvider, fn: (ctx: restate.Context, input: unknown) => Promise<unknown>) =>
    restate.service({ name: "H", handlers: { go: restate.handlers.handler({ hooks: [hooks] }, fn) } });
  const call = (svc: { name: string }, body: Uint8Array[], headers: Record<string, string> = {}) => {
    // A silent logger: the retried failures below would otherwise print warnings.
    const { fetch } = restate.endpoint().bind(svc).setLogger(() => {}).handler();
    const withHeaders = (r: Request) => fetch(new Request(r, { headers: { ...Object.fromEntries(r.headers), ...headers } }));
    return invoke(withHeaders, "/invoke/H/go", body);
  };

  it("providers get the invocation's request: id, target, invocation headers and attempt headers", async () => {
    seen.length = 0;
    const svc = hooked(
      ({ request }) => {
        seen.push({
          id: request.id,
          target: String(request.target),
          traceparent: request.headers.get("traceparent"),
          attempt: request.attemptHeaders.get("x-attempt"),
        });
        return {};
      },
      async () => "ok",
    );
    const inputWithHeaders = frame(MessageType.InputCommand, {
      headers: [{ key: "traceparent", value: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }],
      value: { content: json("x") },
    });
    const res = await call(svc, [start(1), inputWithHeaders], { "x-attempt": "7" });
    expect(outputText(res.messages)).toBe('"ok"');
    expect(seen).toEqual([{ id: "inv_test", target: "H/go", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", attempt: "7" }]);
  });

  it("the handler interceptor wraps input decoding: bad input reaches it as a TerminalError 400", async () => {
    seen.length = 0;
    const svc = hooked(
      () => ({
        interceptor: {
          handler: async (next) => {
            try {
              await next();
            } catch (e) {
              seen.push([(e as restate.TerminalError).name, (e as restate.TerminalError).code]);
              throw e;
            }
          },
        },
      }),
      async () => "never",
    );
    const bad = frame(MessageType.InputCommand, { value: { content: new TextEncoder().encode("{not json") } });
    const res = await call(svc, [start(1), bad]);
    expect(seen).toEqual([["TerminalError", 400]]);
    expect(msg<{ failure: { code: number; message: string } }>(res.messages[0]).failure).toMatchObject({ code: 400 });
  });

  it("a TerminalError thrown after next() fails the invocation instead of completing it", async () => {
    const svc = hooked(
      () => ({
        interceptor: {
          handler: async (next) => {
            await next();
            throw new restate.TerminalError("vetoed by the interceptor", { errorCode: 409 });
          },
        },
      }),
      async () => "value",
    );
    const res = await call(svc, [start(1), input()]);
    expect(types(res.messages)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(msg<{ failure: { code: number; message: string } }>(res.messages[0]).failure).toMatchObject({ code: 409, message: "vetoed by the interceptor" });
  });

  it("any other error from an interceptor is retried, and the handler does not run if next() was not reached", async () => {
    let ran = 0;
    const svc = hooked(
      () => ({
        interceptor: {
          handler: async () => {
            throw new Error("tracing backend down");
          },
        },
      }),
      async () => ++ran,
    );
    const res = await call(svc, [start(1), input()]);
    expect(types(res.messages)).toEqual([MessageType.Error]);
    expect(msg<{ message: string }>(res.messages[0]).message).toBe("tracing backend down");
    expect(ran).toBe(0);
  });

  it("an interceptor that never calls next() is an error, not a silent success", async () => {
    const svc = hooked(() => ({ interceptor: { handler: async () => {} } }), async () => "value");
    const res = await call(svc, [start(1), input()]);
    expect(msg<{ message: string }>(res.messages[0]).message).toMatch(/returned without calling next\(\)/);
  });

  it("calling next() twice is refused", async () => {
    const svc = hooked(
      () => ({
        interceptor: {
          handler: async (next) => {
            await next();
            await next();
          },
        },
      }),
      async () => "value",
    );
    const res = await call(svc, [start(1), input()]);
    expect(msg<{ message: string }>(res.messages[0]).message).toMatch(/next\(\) more than once/);
  });

  it("a provider that throws fails the attempt (retried)", async () => {
    const svc = hooked(() => {
      throw new Error("no tracer configured");
    }, async () => "value");
    const res = await call(svc, [start(1), input()]);
    expect(types(res.messages)).toEqual([MessageType.Error]);
    expect(msg<{ message: string }>(res.messages[0]).message).toBe("no tracer configured");
  });

  it("swallowing the handler's error turns the attempt into a success without a value", async () => {
    const svc = hooked(
      () => ({
        interceptor: {
          handler: async (next) => {
            await next().catch(() => undefined);
          },
        },
      }),
      async () => {
        throw new restate.TerminalError("swallowed");
      },
    );
    const res = await call(svc, [start(1), input()]);
    expect(types(res.messages)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(outputText(res.messages)).toBe("");
  });

  it("the run interceptor sees the closure's error and may turn it into a terminal failure of the run", async () => {
    const svc = hooked(
      () => ({
        interceptor: {
          run: async (name, next) => {
            try {
              await next();
            } catch (e) {
              throw new restate.TerminalError(`${name}: ${(e as Error).message} (made terminal)`);
            }
          },
        },
      }),
      async (ctx) =>
        ctx.run("charge", () => {
          throw new Error("card declined");
        }),
    );
    const res = await call(svc, [start(1), input()]);
    expect(types(res.messages)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion, MessageType.Suspension]);
    expect(msg<{ failure: { message: string } }>(res.messages[1]).failure.message).toBe("charge: card declined (made terminal)");
  });

  it("the run interceptor can observe the value without changing it", async () => {
    const observed: string[] = [];
    const svc = hooked(
      () => ({
        interceptor: {
          run: async (name, next) => {
            const t0 = Date.now();
            await next();
            observed.push(`${name} took ${Date.now() - t0 >= 0 ? "some" : "no"} time`);
          },
        },
      }),
      async (ctx) => ctx.run("compute", () => 41 + 1),
    );
    const res = await call(svc, [start(1), input()]);
    expect(text(msg<{ value: Uint8Array }>(res.messages[1]).value)).toBe("42");
    expect(observed).toEqual(["compute took some time"]);
  });
});
