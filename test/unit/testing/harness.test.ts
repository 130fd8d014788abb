// The offline journal harness (perdure/testing runHandler): scripted results, the commands produced, the outcomes
// (output, TerminalError, retryable error, suspension) and journal mismatches raised by the real state machine.
import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { runHandler } from "../../../src/testing/index.js";

let closureRuns = 0;
let flaky = 0;

const payments = restate.service({
  name: "Payments",
  handlers: {
    charge: async (ctx: restate.Context, amount: number) => {
      const receipt = await ctx.run("charge card", () => {
        closureRuns++;
        return `receipt-${amount}`;
      });
      return { receipt, id: ctx.rand.uuidv4() };
    },
    chargeOrRefund: async (ctx: restate.Context, amount: number) => {
      try {
        return await ctx.run("charge card", () => `receipt-${amount}`);
      } catch (e) {
        if (!(e instanceof restate.TerminalError)) throw e;
        await ctx.run("notify", () => "sent");
        return `declined: ${e.message}`;
      }
    },
    refuse: async (_ctx: restate.Context, why: string): Promise<string> => {
      throw new restate.TerminalError(why, { errorCode: 402 });
    },
    flaky: async (ctx: restate.Context) => {
      if (flaky++ === 0) throw new Error("connection reset");
      return ctx.run("after", () => "ok");
    },
    random: async (ctx: restate.Context) => ctx.run(`step-${Math.random()}`, () => 1),
    binaryEcho: restate.handlers.handler({ input: restate.serde.binary, output: restate.serde.binary }, async (_ctx: restate.Context, b: Uint8Array) => b),
  },
});

const trips = restate.service({
  name: "Trips",
  handlers: {
    book: async (ctx: restate.Context, trip: { id: string }) => {
      const undo: Array<() => Promise<unknown>> = [];
      try {
        const flight = await ctx.serviceClient(payments).charge(100);
        undo.push(() => ctx.serviceClient(payments).refuse("refund flight"));
        const car = await ctx.genericCall<string, string>({ service: "Cars", method: "reserve", parameter: trip.id, inputSerde: restate.serde.json, outputSerde: restate.serde.json });
        return { flight, car };
      } catch (e) {
        for (const step of undo.reverse()) await step().catch(() => undefined);
        throw e;
      }
    },
    timed: async (ctx: restate.Context) => {
      const answer = ctx.genericCall<string, string>({ service: "Slow", method: "go", parameter: "x", inputSerde: restate.serde.json, outputSerde: restate.serde.json });
      return answer.orTimeout({ seconds: 5 });
    },
    approval: async (ctx: restate.Context) => {
      const { id, promise } = ctx.awakeable<string>();
      ctx.serviceSendClient(payments).charge(1);
      await ctx.run("ask", () => id.length);
      return `approved by ${await promise}`;
    },
  },
});

const counter = restate.object({
  name: "Counter",
  handlers: {
    add: async (ctx: restate.ObjectContext, delta: number) => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      if (next > 10) ctx.clear("count");
      return next;
    },
  },
});

const lazyCounter = restate.object({
  name: "LazyCounter",
  options: { enableLazyState: true },
  handlers: {
    read: async (ctx: restate.ObjectContext) => ({ count: await ctx.get<number>("count"), keys: await ctx.stateKeys() }),
  },
});

const signup = restate.workflow({
  name: "Signup",
  handlers: {
    run: async (ctx: restate.WorkflowContext, email: string) => {
      const code = await ctx.promise<string>("code");
      return `${email} confirmed with ${code}`;
    },
  },
});

describe("runHandler: results and commands", () => {
  it("executes unscripted ctx.run closures and reports the commands and the output", async () => {
    const before = closureRuns;
    const run = await runHandler(payments, "charge", { input: 5 });
    expect(run.status).toBe("completed");
    expect(run.output).toMatchObject({ receipt: "receipt-5" });
    expect(closureRuns - before).toBe(1); // once: the verification replay uses the recorded result
    expect(run.commands.map((c) => c.summary)).toEqual(['run "charge card"', 'output {"receipt":"receipt-5","id":"' + (run.output as { id: string }).id + '"}']);
    expect(run.commands[0]).toMatchObject({ index: 1, type: "RunCommand", name: "charge card" });
  });

  it("uses a scripted ctx.run result without executing the closure", async () => {
    const before = closureRuns;
    const run = await runHandler(payments, "charge", { input: 5, journal: [{ run: "charge card", value: "scripted" }] });
    expect(run).toMatchObject({ status: "completed", output: { receipt: "scripted" }, unusedJournal: [] });
    expect(closureRuns).toBe(before);
  });

  it("ctx.rand is deterministic for a given seed", async () => {
    const a = await runHandler(payments, "charge", { input: 1, randomSeed: 42n, journal: [{ run: true, value: "r" }] });
    const b = await runHandler(payments, "charge", { input: 1, randomSeed: 42n, journal: [{ run: true, value: "r" }] });
    const c = await runHandler(payments, "charge", { input: 1, randomSeed: 43n, journal: [{ run: true, value: "r" }] });
    expect(a.output).toEqual(b.output);
    expect(c.output).not.toEqual(a.output);
  });

  it("a scripted failure surfaces as a TerminalError the handler can handle", async () => {
    const run = await runHandler(payments, "chargeOrRefund", { input: 9, journal: [{ run: "charge card", failure: "card declined" }] });
    expect(run.status).toBe("completed");
    expect(run.output).toBe("declined: card declined");
    expect(run.commands.map((c) => c.summary)).toEqual(['run "charge card"', 'run "notify"', 'output "declined: card declined"']);
  });

  it("a TerminalError ends the run as failed with its code", async () => {
    const run = await runHandler(payments, "refuse", { input: "no funds" });
    expect(run).toMatchObject({ status: "failed", failure: { code: 402, message: "no funds" } });
    expect(run.commands.map((c) => c.summary)).toEqual(['output failure 402 "no funds"']);
  });

  it("a retryable error ends with status error, or is retried when asked", async () => {
    flaky = 0;
    const failing = await runHandler(payments, "flaky");
    expect(failing).toMatchObject({ status: "error", error: { code: 500, message: "connection reset" } });
    flaky = 0;
    const retried = await runHandler(payments, "flaky", { retries: 2 });
    expect(retried).toMatchObject({ status: "completed", output: "ok" });
    expect(retried.attempts).toBe(3); // failed attempt, successful attempt, verification replay
  });

  it("passes the invocation headers and the key to the handler", async () => {
    const whoami = restate.object({
      name: "WhoAmI",
      handlers: { who: async (ctx: restate.ObjectContext) => `${ctx.key}:${ctx.request().headers.get("x-user")}` },
    });
    expect((await runHandler(whoami, "who", { key: "k1", headers: { "x-user": "ada" } })).output).toBe("k1:ada");
    expect((await runHandler(whoami, "who")).output).toBe("test-key:undefined");
  });

  it("keeps raw bytes with non-JSON serdes", async () => {
    const run = await runHandler(payments, "binaryEcho", { inputBytes: new Uint8Array([0, 255]) });
    expect(run.output).toEqual(new Uint8Array([0, 255]));
  });

  it("refuses unknown handlers", async () => {
    await expect(runHandler(payments, "nope")).rejects.toThrow(/no handler named 'nope'.*charge/);
  });
});

describe("runHandler: calls, timers, signals", () => {
  it("answers calls from the script and records sends", async () => {
    const run = await runHandler(trips, "book", {
      input: { id: "t1" },
      journal: [
        { call: "Payments/charge", value: { receipt: "r1" } },
        { call: "Cars/reserve", value: "car-7" },
      ],
    });
    expect(run).toMatchObject({ status: "completed", output: { flight: { receipt: "r1" }, car: "car-7" } });
    expect(run.commands.map((c) => c.summary)).toEqual(['call Payments/charge 100', 'call Cars/reserve "t1"', 'output {"flight":{"receipt":"r1"},"car":"car-7"}']);
  });

  it("runs compensations when a call fails", async () => {
    const run = await runHandler(trips, "book", {
      input: { id: "t2" },
      journal: [
        { call: "Payments/charge", value: { receipt: "r1" } },
        { call: "Cars/reserve", failure: { message: "no cars", code: 409 } },
        { call: "Payments/refuse", value: "refunded" },
      ],
    });
    expect(run).toMatchObject({ status: "failed", failure: { code: 409, message: "no cars" } });
    expect(run.commands.map((c) => c.summary)).toContain('call Payments/refuse "refund flight"');
  });

  it("suspends, naming the call, when the script has no result for it", async () => {
    const run = await runHandler(trips, "book", { input: { id: "t3" }, journal: [{ call: "Payments/charge", value: {} }] });
    expect(run.status).toBe("suspended");
    expect(run.waitingOn).toEqual(["completion 4 (call Cars/reserve)"]);
  });

  it("delivers a cancellation while the handler waits, and the handler compensates", async () => {
    const run = await runHandler(trips, "book", {
      input: { id: "t4" },
      journal: [{ call: "Payments/charge", value: {} }, { cancel: true }, { call: "Payments/refuse", value: "refunded" }],
    });
    expect(run).toMatchObject({ status: "failed", failure: { code: 409 }, unusedJournal: [] });
    expect(run.commands.map((c) => c.summary)).toEqual([
      "call Payments/charge 100",
      'call Cars/reserve "t4"',
      // cancelling an invocation cancels the calls it is waiting for (the harness names them inv_1harnessCall…)
      "cancel inv_1harnessCall000000000000000001",
      "cancel inv_1harnessCall000000000000000003",
      'call Payments/refuse "refund flight"',
      'output failure 409 "Cancelled"',
    ]);
    expect(run.attempts).toBeGreaterThanOrEqual(3);
  });

  it("fires sleeps, so a pending call loses against its timeout", async () => {
    const run = await runHandler(trips, "timed", { journal: [{ call: "Slow/go", pending: true }] });
    expect(run).toMatchObject({ status: "failed", failure: { code: 408 } });
    expect(run.commands.map((c) => c.type)).toEqual(["CallCommand", "SleepCommand", "OutputCommand"]);
    const answered = await runHandler(trips, "timed", { journal: [{ call: "Slow/go", value: "fast" }] });
    expect(answered).toMatchObject({ status: "completed", output: "fast" });
  });

  it("resolves awakeables when the handler suspends on them", async () => {
    const run = await runHandler(trips, "approval", { journal: [{ awakeable: true, value: "Ada" }] });
    expect(run).toMatchObject({ status: "completed", output: "approved by Ada" });
    expect(run.commands.map((c) => c.summary)).toEqual(["send Payments/charge 1", 'run "ask"', 'output "approved by Ada"']);
    const waiting = await runHandler(trips, "approval");
    expect(waiting).toMatchObject({ status: "suspended", waitingOn: ["awakeable (signal 17)"] });
  });

  it("answers durable promises of workflows", async () => {
    const run = await runHandler(signup, "run", { input: "a@b.c", key: "u1", journal: [{ promise: "code", value: "1234" }] });
    expect(run).toMatchObject({ status: "completed", output: "a@b.c confirmed with 1234" });
    expect(run.commands[0]!.summary).toBe('promise "code" get');
  });
});

describe("runHandler: state", () => {
  it("starts from the given state and reports the state after the run", async () => {
    const run = await runHandler(counter, "add", { key: "k", input: 2, state: { count: 1, other: "x" } });
    expect(run).toMatchObject({ status: "completed", output: 3, state: { count: 3, other: "x" } });
    expect(run.commands.map((c) => c.summary)).toEqual(['get "count"', 'set "count" = 3', "output 3"]);
    const cleared = await runHandler(counter, "add", { key: "k", input: 20 });
    expect(cleared.state).toEqual({});
    expect(cleared.commands.map((c) => c.summary)).toContain('clear "count"');
  });

  it("answers lazy state reads from the given state", async () => {
    const run = await runHandler(lazyCounter, "read", { key: "k", state: { count: 4, b: 1 }, lazyState: true });
    expect(run).toMatchObject({ status: "completed", output: { count: 4, keys: ["count", "b"] } });
    expect(run.commands.map((c) => c.type)).toEqual(["GetLazyStateCommand", "GetLazyStateKeysCommand", "OutputCommand"]);
  });
});

describe("runHandler: journal mismatches", () => {
  it("a script entry naming another ctx.run makes the replay report a journal mismatch", async () => {
    const run = await runHandler(payments, "charge", { input: 1, journal: [{ run: "reserve seat", value: "x" }] });
    expect(run.status).toBe("mismatch");
    expect(run.error).toMatchObject({ code: 570, command: { index: 1, name: "reserve seat", type: "RunCommand" } });
    expect(run.error!.message).toMatch(/reserve seat/);
    expect(run.error!.message).toMatch(/charge card/);
  });

  it("a script entry naming another call target does too", async () => {
    const run = await runHandler(trips, "book", {
      input: { id: "t" },
      journal: [{ call: "Flights/reserve", value: {} }, { call: "Cars/reserve", value: "c" }],
    });
    expect(run.status).toBe("mismatch");
    expect(run.error!.message).toMatch(/Flights|Payments/);
  });

  it("non-deterministic handlers are caught by the replay check", async () => {
    const run = await runHandler(payments, "random");
    expect(run.status).toBe("mismatch");
    expect(run.error!.message).toMatch(/Journal mismatch at command index 1/);
  });

  it("replays a journal recorded with an earlier version of the code", async () => {
    const v1 = restate.service({
      name: "Versioned",
      handlers: { go: async (ctx: restate.Context) => `${await ctx.run("a", () => 1)}${await ctx.run("b", () => 2)}` },
    });
    const v2 = restate.service({
      name: "Versioned",
      handlers: { go: async (ctx: restate.Context) => `${await ctx.run("a", () => 1)}${await ctx.run("renamed", () => 2)}` },
    });
    const recorded = await runHandler(v1, "go");
    expect(recorded).toMatchObject({ status: "completed", output: "12" });
    const same = await runHandler(v1, "go", { replay: recorded.journal });
    expect(same).toMatchObject({ status: "completed", output: "12", attempts: 2 });
    const changed = await runHandler(v2, "go", { replay: recorded.journal });
    expect(changed).toMatchObject({ status: "mismatch", error: { code: 570, command: { index: 2, name: "b" } } });
  });
});

describe.each([5, 6, 7] as const)("runHandler on protocol V%i", (protocolVersion) => {
  it("runs a call, a run and an awakeable", async () => {
    const run = await runHandler(trips, "approval", { protocolVersion, journal: [{ awakeable: true, value: "V" + protocolVersion }] });
    expect(run).toMatchObject({ status: "completed", output: `approved by V${protocolVersion}` });
    expect(run.journal.protocolVersion).toBe(protocolVersion);
  });
});
