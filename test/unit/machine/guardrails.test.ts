// Runtime guardrails, driven through the fetch handler (the core every runtime shares): durable operations inside a
// ctx.run closure fail at once naming the operation and the fix; unserializable values name where they belong and the
// path inside the value.

import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { unserializablePath } from "../../../src/context/guardrails.js";
import { input, invoke, start } from "./support.js";

const other = restate.service({ name: "Other", handlers: { hi: async (_ctx: restate.Context, name: string) => `hi ${name}` } });

const nested: Record<string, (ctx: restate.ObjectContext) => unknown> = {
  sleep: (ctx) => ctx.sleep(10),
  run: (ctx) => ctx.run("inner", () => 1),
  get: (ctx) => ctx.get("k"),
  set: (ctx) => ctx.set("k", 1),
  clear: (ctx) => ctx.clear("k"),
  awakeable: (ctx) => ctx.awakeable(),
  call: (ctx) => ctx.serviceClient(other).hi("x"),
  send: (ctx) => ctx.serviceSendClient(other).hi("x"),
};
const expectedOperation: Record<string, string> = {
  sleep: "ctx.sleep()",
  run: "ctx.run('inner')",
  get: "ctx.get('k')",
  set: "ctx.set('k')",
  clear: "ctx.clear('k')",
  awakeable: "ctx.awakeable()",
  call: "call('Other/hi')",
  send: "send('Other/hi')",
};

const handlers: Record<string, (ctx: restate.ObjectContext) => Promise<unknown>> = {};
for (const [op, use] of Object.entries(nested)) {
  handlers[`nested_${op}`] = async (ctx) =>
    ctx.run("x", () => {
      use(ctx);
      return "not reached";
    });
}
handlers.asyncClosure = async (ctx) =>
  ctx.run("x", async () => {
    await ctx.sleep(10);
    return "not reached";
  });
handlers.afterAwait = async (ctx) =>
  ctx.run("x", async () => {
    await new Promise((r) => setTimeout(r, 5));
    await helper(ctx);
    return "not reached";
  });
// Concurrent code outside the closure may use ctx while the closure awaits.
handlers.concurrent = async (ctx) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const run = ctx.run("slow", async () => {
    await gate;
    return "ran";
  });
  await Promise.resolve();
  ctx.set("outside", 1);
  const timer = ctx.sleep(1);
  release();
  return [await run, typeof timer.then];
};
async function helper(ctx: restate.ObjectContext) {
  await Promise.resolve();
  return ctx.get("deep");
}
handlers.bigRun = async (ctx) => ctx.run("big", () => ({ items: [{ total: 10n }] }));
handlers.bigRunOnce = async (ctx) => ctx.run("big", () => ({ items: [{ total: 10n }] }), { maxRetryAttempts: 0 });
handlers.bigRunTwice = async (ctx) => ctx.run("big", () => ({ items: [{ total: 10n }] }), { maxRetryAttempts: 2 });
handlers.bigState = async (ctx) => {
  ctx.set("totals", { sum: 1n });
  return "set";
};
handlers.bigCall = async (ctx) => ctx.serviceClient(other).hi({ n: 1n } as never);

const obj = restate.object({ name: "G", handlers });
const { fetch } = restate.endpoint().bind(obj).bind(other).handler();

function errorMessage(res: { messages: { type: number; message: unknown }[] }): string {
  const last = res.messages[res.messages.length - 1]!;
  expect(last.type).toBe(MessageType.Error);
  return (last.message as { message: string }).message;
}

describe("durable operations inside a ctx.run closure", () => {
  for (const op of Object.keys(nested)) {
    it(`refuses ${expectedOperation[op]} at once, naming it, the run and the fix`, async () => {
      const res = await invoke(fetch, `/invoke/G/nested_${op}`, [start(1, { key: "k1" }), input()]);
      expect(errorMessage(res)).toContain(
        `${expectedOperation[op]} was called inside the ctx.run('x') closure; durable operations cannot be nested in a run: move it out of the closure`,
      );
    });
  }

  it("refuses an operation after the closure's first await, at any depth (AsyncLocalStorage)", async () => {
    const res = await invoke(fetch, "/invoke/G/afterAwait", [start(1, { key: "k1" }), input()]);
    expect(errorMessage(res)).toContain("ctx.get('deep') was called inside the ctx.run('x') closure");
  });

  it("leaves ctx calls from outside the closure alone while it awaits", async () => {
    const res = await invoke(fetch, "/invoke/G/concurrent", [start(1, { key: "k1" }), input()]);
    const types = res.messages.map((m) => m.type);
    expect(types).toContain(MessageType.SetStateCommand);
    expect(types).toContain(MessageType.SleepCommand);
    expect(types).toContain(MessageType.ProposeRunCompletion);
  });

  it("refuses an operation in an async closure before its first await", async () => {
    const res = await invoke(fetch, "/invoke/G/asyncClosure", [start(1, { key: "k1" }), input()]);
    expect(errorMessage(res)).toContain("ctx.sleep() was called inside the ctx.run('x') closure");
  });
});

describe("values that cannot be serialized", () => {
  it("names the run and the path of a BigInt in its result", async () => {
    const res = await invoke(fetch, "/invoke/G/bigRun", [start(1, { key: "k1" }), input()]);
    const message = errorMessage(res);
    expect(message).toMatch(/^ctx\.run 'big' failed: ctx\.run\('big'\) result at \$\.items\[0\]\.total: .*BigInt/);
    expect(message).toContain("retries fail the same way");
  });

  it("follows the run's retry policy: exhausted, the failure is the run's journaled result", async () => {
    const res = await invoke(fetch, "/invoke/G/bigRunOnce", [start(1, { key: "k1" }), input()]);
    const proposal = res.messages.find((m) => m.type === MessageType.ProposeRunCompletion)!.message as { failure: { code: number; message: string } };
    expect(proposal.failure.code).toBe(500);
    expect(proposal.failure.message).toMatch(
      /^ctx\.run 'big' failed after 1 attempt\(s\): ctx\.run\('big'\) result at \$\.items\[0\]\.total: .*BigInt.*\(retries fail the same way\)$/,
    );
  });

  it("counts the retries the server made when the run is where the last attempt stopped", async () => {
    const retried = await invoke(fetch, "/invoke/G/bigRunTwice", [start(1, { key: "k1" }), input()]);
    expect(errorMessage(retried)).toContain("ctx.run 'big' failed: ctx.run('big') result at $.items[0].total");
    const last = await invoke(fetch, "/invoke/G/bigRunTwice", [start(1, { key: "k1", retryCountSinceLastStoredEntry: 1 }), input()]);
    expect(last.messages.some((m) => m.type === MessageType.ProposeRunCompletion)).toBe(true);
  });

  it("names the state key and the path", async () => {
    const res = await invoke(fetch, "/invoke/G/bigState", [start(1, { key: "k1" }), input()]);
    expect(errorMessage(res)).toMatch(/ctx\.set\('totals'\) value at \$\.sum: .*BigInt/);
  });

  it("names the call and the path of its input", async () => {
    const res = await invoke(fetch, "/invoke/G/bigCall", [start(1, { key: "k1" }), input()]);
    expect(errorMessage(res)).toMatch(/call Other\/hi input at \$\.n: .*BigInt/);
  });

  it("finds BigInts, and leaves toJSON values alone", () => {
    expect(unserializablePath(5n)).toBe("$");
    expect(unserializablePath({ a: [1, 2n] })).toBe("$.a[1]");
    expect(unserializablePath({ d: new Date(0), n: null })).toBeUndefined();
  });
});

describe("the first retryable failure logs one hint", () => {
  const failing = restate.service({
    name: "F",
    handlers: {
      plain: async () => {
        throw new Error("flaky downstream");
      },
      withPolicy: restate.handlers.handler({ retryPolicy: { maxAttempts: 5, initialInterval: 100, onMaxAttempts: "pause" } }, async () => {
        throw new Error("flaky downstream");
      }),
      terminal: async () => {
        throw new restate.TerminalError("no");
      },
    },
  });
  const lines: string[] = [];
  const { fetch: f } = restate
    .endpoint()
    .bind(failing)
    .setLogger((_meta, ...args) => lines.push(args.map(String).join(" ")))
    .handler();
  const hints = () => lines.filter((l) => l.includes("Throw a TerminalError to stop retrying"));

  it("on the first attempt: how to stop retrying and that no policy is set on the handler", async () => {
    lines.length = 0;
    await invoke(f, "/invoke/F/plain", [start(1), input()]);
    expect(hints()).toHaveLength(1);
    expect(hints()[0]).toContain("retryPolicy: the service's or server's default");
  });

  it("names the handler's retry policy", async () => {
    lines.length = 0;
    await invoke(f, "/invoke/F/withPolicy", [start(1), input()]);
    expect(hints()[0]).toContain('retryPolicy: {"initialInterval":100,"maxAttempts":5,"onMaxAttempts":"PAUSE"}');
  });

  it("not again on later retries, nor for terminal failures", async () => {
    lines.length = 0;
    await invoke(f, "/invoke/F/plain", [start(1, { retryCountSinceLastStoredEntry: 3 }), input()]);
    await invoke(f, "/invoke/F/terminal", [start(1), input()]);
    expect(hints()).toHaveLength(0);
  });
});
