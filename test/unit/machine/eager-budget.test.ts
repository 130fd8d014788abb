// The eager-runs budget: past `eagerRunsBudget` (from the attempt's start) an await of eager runs no longer continues
// with the proposed result; the attempt suspends on purpose with every proposal written, and says why.
import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { normalizeInheritable } from "../../../src/definition/service-model.js";
import { frame, input, invoke, json, start } from "./support.js";

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
const slowSteps = async (ctx: restate.Context) => {
  let sum = 0;
  for (let i = 1; i <= 5; i++) sum += await ctx.run(`s${i}`, () => sleepMs(30).then(() => i));
  return sum;
};
const budgeted = restate.service({ name: "Budgeted", options: { eagerRuns: true, eagerRunsBudget: 70 }, handlers: { slowSteps } });
const perHandler = restate.service({
  name: "PerHandler",
  options: { eagerRuns: true },
  handlers: { slowSteps: restate.handlers.handler({ eagerRunsBudget: { milliseconds: 70 } }, slowSteps), unbounded: slowSteps },
});
const attempts: restate.AttemptInfo[] = [];
const { fetch } = restate.endpoint().bind(budgeted).bind(perHandler).setLogger(() => {}).onAttemptEnd((a) => attempts.push(a)).handler();
const R = MessageType.RunCommand, P = MessageType.ProposeRunCompletion;

describe("eager runs with a time budget per attempt", () => {
  for (const path of ["Budgeted/slowSteps", "PerHandler/slowSteps"]) {
    it(`${path}: continues while the budget lasts, then suspends on the next run with its result proposed`, async () => {
      const res = await invoke(fetch, `/invoke/${path}`, [start(1), input()]);
      const types = res.messages.map((m) => m.type);
      // 30 ms per run, 70 ms budget: the awaits before it is spent continue, the one that finds it spent suspends
      // (how many fit depends on the machine's load; never all five).
      expect(types.at(-1)).toBe(MessageType.Suspension);
      const runs = types.filter((t) => t === R).length;
      expect(runs).toBeGreaterThanOrEqual(1);
      expect(runs).toBeLessThan(5);
      expect(types.filter((t) => t === P).length).toBe(runs); // every run executed has its result written
      expect(attempts.at(-1)).toMatchObject({ reason: "suspended: eager-runs budget of 70 ms spent", eagerRuns: runs });
    });
  }

  it("the next attempt replays the stored results and continues with a fresh budget to the end", async () => {
    const journal = [input()];
    for (let i = 1; i <= 4; i++) {
      journal.push(frame(R, { resultCompletionId: i, name: `s${i}` }), frame(MessageType.RunCompletion, { completionId: i, value: { content: json(i) } }));
    }
    const res = await invoke(fetch, "/invoke/Budgeted/slowSteps", [start(journal.length), ...journal]);
    const types = res.messages.map((m) => m.type);
    expect(types).toEqual([R, P, MessageType.OutputCommand, MessageType.End]);
    expect(attempts.at(-1)).toMatchObject({ reason: "completed", eagerRuns: 1 });
  });

  it("without a budget the same handler finishes in one attempt", async () => {
    const res = await invoke(fetch, "/invoke/PerHandler/unbounded", [start(1), input()]);
    expect(res.messages.at(-1)!.type).toBe(MessageType.End);
    expect(attempts.at(-1)).toMatchObject({ reason: "completed", eagerRuns: 5 });
  });

  it("rejects a budget that is not a duration", () => {
    expect(() => normalizeInheritable({ eagerRunsBudget: "soon" } as never, "service 'S'")).toThrow(/eagerRunsBudget of service 'S'/);
  });
});
