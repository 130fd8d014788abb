// A handler that returns while journaled promises it created are still pending gets one warning per attempt naming
// them (what made them and the user's line that did), through the endpoint's logger. Not for promises with a result,
// promises awaited or combined, sends, or handlers that throw.

import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { runCompletionFrame, runFrame, sleepFrame } from "../../../src/testing/harness/journal.js";
import { input, invoke, start } from "./support.js";

const other = restate.service({ name: "Other", handlers: { hi: async (_ctx: restate.Context, name: string) => `hi ${name}` } });

const svc = restate.service({
  name: "F",
  handlers: {
    // The example: the run's promise ends up in the output instead of its value.
    greet: async (ctx: restate.Context, name: string) => `Hello, ${name}! (${ctx.run("suffix", () => "!")})`,
    several: async (ctx: restate.Context) => {
      ctx.sleep(60_000);
      ctx.serviceClient(other).hi("x");
      ctx.awakeable();
      (ctx as unknown as restate.WorkflowContext).promise("p").get();
      return "done";
    },
    awaited: async (ctx: restate.Context) => {
      const a = ctx.run("a", () => 1);
      const b = ctx.run("b", () => 2);
      const [x, y] = await restate.RestatePromise.all([a, b]);
      const raced = await restate.RestatePromise.race([ctx.run("c", () => 3), ctx.sleep(60_000)]);
      const timed = await ctx.run("d", () => 4).orTimeout(60_000);
      return x + y + (raced as number) + timed;
    },
    returned: async (ctx: restate.Context) => ctx.run("r", () => "r"),
    sends: async (ctx: restate.Context) => {
      ctx.serviceSendClient(other).hi("x");
      return "sent";
    },
    throws: async (ctx: restate.Context) => {
      ctx.sleep(60_000);
      throw new restate.TerminalError("no");
    },
  },
});

const lines: string[] = [];
const { fetch } = restate
  .endpoint()
  .bind(svc)
  .bind(other)
  .setLogger((meta, ...args) => {
    if (meta.level === "warn") lines.push(args.map(String).join(" "));
  })
  .handler();
const warnings = () => lines.filter((l) => l.includes("journaled promise(s)"));

describe("a handler that returns while journaled promises it created are pending", () => {
  it("warns once, naming the un-awaited ctx.run and the user's line that made it", async () => {
    lines.length = 0;
    const res = await invoke(fetch, "/invoke/F/greet", [start(1), input("Ada")]);
    const output = res.messages.find((m) => m.type === MessageType.OutputCommand)!.message as { value: { content: Uint8Array } };
    expect(new TextDecoder().decode(output.value.content)).toBe('"Hello, Ada! ([object Promise])"');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/^The handler returned while 1 journaled promise\(s\) it created were pending; await them: ctx\.run\('suffix'\) at .*floating-promises\.test\.ts:\d+:\d+/);
  });

  it("names every kind: sleep, call, awakeable, durable promise", async () => {
    lines.length = 0;
    await invoke(fetch, "/invoke/F/several", [start(1), input()]);
    expect(warnings()).toHaveLength(1);
    const w = warnings()[0]!;
    expect(w).toContain("while 4 journaled promise(s)");
    for (const what of ["ctx.sleep()", "call('Other/hi')", "ctx.awakeable()", "ctx.promise('p')"]) {
      expect(w).toMatch(new RegExp(`${what.replace(/[()]/g, "\\$&")} at .*floating-promises\\.test\\.ts:\\d+`));
    }
  });

  it("not for promises awaited, combined, raced, timed out or returned", async () => {
    lines.length = 0;
    await invoke(fetch, "/invoke/F/awaited", [start(1), input()], 6);
    await invoke(fetch, "/invoke/F/returned", [start(1), input()]);
    expect(warnings()).toEqual([]);
  });

  it("not for sends, nor for handlers that throw", async () => {
    lines.length = 0;
    await invoke(fetch, "/invoke/F/sends", [start(1), input()]);
    await invoke(fetch, "/invoke/F/throws", [start(1), input()]);
    expect(warnings()).toEqual([]);
  });

  it("not for a promise whose result is journaled (a replay)", async () => {
    lines.length = 0;
    const res = await invoke(fetch, "/invoke/F/greet", [start(3), input("Ada"), runFrame(1, "suffix"), runCompletionFrame(1, "!")]);
    expect(res.messages.at(-1)!.type).toBe(MessageType.End);
    expect(warnings()).toEqual([]);
  });

  it("still warns on a replay for a promise without a result (once per attempt)", async () => {
    lines.length = 0;
    await invoke(fetch, "/invoke/F/several", [start(2), input(), sleepFrame(1, 1_800_000_000_000n)]);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain("ctx.sleep() at");
  });
});
