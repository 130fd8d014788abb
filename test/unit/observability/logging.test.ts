// Logging: the console transport (levels, replay silence, prefix), ctx.console through an endpoint's logger with the
// replay flag set per line (hand-built journals: the same handler before and after a sleep), perdure's own lines.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as restate from "../../../src/index.js";
import {
  LogSource,
  LoggerContext,
  RestateLogLevel,
  consoleTransport,
  createLogger,
  defaultLoggerTransport,
  logLevelOf,
  type LogMetadata,
  type LoggerTransport,
} from "../../../src/context/logging.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, input, invoke, start } from "../machine/support.js";

interface Line {
  meta: LogMetadata;
  args: unknown[];
}
function sink(): { lines: Line[]; transport: LoggerTransport } {
  const lines: Line[] = [];
  return { lines, transport: (meta, ...args) => void lines.push({ meta, args }) };
}
function fakeConsole() {
  const printed: string[] = [];
  const write = (level: string) => (...args: unknown[]) => void printed.push(`${level} ${args.map(String).join(" ")}`);
  return { printed, console: { trace: write("trace"), debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") } };
}
const ctxOf = () => new LoggerContext("inv_1", "Svc", "h", "k1", undefined, { tenant: "t" });

describe("consoleTransport", () => {
  it("prints '[target][id][extra] LEVEL:' and the arguments, from 'info' up by default", () => {
    const c = fakeConsole();
    const t = consoleTransport({ console: c.console });
    const log = createLogger(t, LogSource.USER, ctxOf(), () => false);
    log.debug("hidden");
    log.info("hello", 42);
    log.log("log is info");
    log.warn("careful");
    log.error("bad");
    expect(c.printed).toEqual([
      "info [Svc/k1/h][inv_1][tenant: t] INFO: hello 42",
      "info [Svc/k1/h][inv_1][tenant: t] INFO: log is info",
      "warn [Svc/k1/h][inv_1][tenant: t] WARN: careful",
      "error [Svc/k1/h][inv_1][tenant: t] ERROR: bad",
    ]);
  });

  it("honours the level threshold", () => {
    const c = fakeConsole();
    const log = createLogger(consoleTransport({ level: "warn", console: c.console }), LogSource.USER, ctxOf(), () => false);
    log.info("no");
    log.warn("yes");
    const debug = createLogger(consoleTransport({ level: RestateLogLevel.TRACE, console: c.console }), LogSource.USER, undefined, () => false);
    debug.trace("t");
    expect(c.printed).toEqual(["warn [Svc/k1/h][inv_1][tenant: t] WARN: yes", "trace [perdure] TRACE: t"]);
  });

  it("is silent while replaying unless logWhileReplaying", () => {
    const c = fakeConsole();
    let replaying = true;
    const quiet = createLogger(consoleTransport({ console: c.console }), LogSource.USER, ctxOf(), () => replaying);
    const loud = createLogger(consoleTransport({ console: c.console, logWhileReplaying: true }), LogSource.USER, ctxOf(), () => replaying);
    quiet.info("replayed");
    loud.info("replayed but printed");
    replaying = false;
    quiet.info("live");
    expect(c.printed.map((l) => l.split("INFO: ")[1])).toEqual(["replayed but printed", "live"]);
  });

  it("rejects unknown levels", () => {
    expect(logLevelOf("DEBUG")).toBe(RestateLogLevel.DEBUG);
    expect(() => logLevelOf("verbose")).toThrow(/unknown log level 'verbose'/);
    expect(() => logLevelOf("constructor")).toThrow(/unknown log level/);
    expect(() => consoleTransport({ level: "loud" as never })).toThrow(/unknown log level/);
  });

  it("keeps the rest of the console API, and a throwing transport does not break the caller", () => {
    const log = createLogger(() => {
      throw new Error("sink down");
    }, LogSource.USER, undefined, () => false);
    expect(() => log.info("x")).not.toThrow();
    expect(typeof log.table).toBe("function");
    expect(typeof log.group).toBe("function");
  });
});

describe("ctx.console through the endpoint's logger", () => {
  afterEach(() => vi.restoreAllMocks());

  const svc = restate.service({
    name: "Logs",
    handlers: {
      sleepy: async (ctx: restate.Context) => {
        ctx.console.info("before sleep");
        await ctx.sleep(10);
        ctx.console.info("after sleep");
        ctx.console.debug("debug detail");
        return "done";
      },
      boom: async () => {
        throw new Error("kaput");
      },
    },
  });
  const counter = restate.object({
    name: "Ctr",
    handlers: { add: async (ctx: restate.ObjectContext) => void ctx.console.warn("adding") },
  });
  const sleep = frame(MessageType.SleepCommand, { resultCompletionId: 1, wakeUpTime: 1n });
  const woke = frame(MessageType.SleepCompletion, { completionId: 1, void: {} });
  const user = (lines: Line[]) => lines.filter((l) => l.meta.source === LogSource.USER);

  it("hands every line to the transport with level, source, replay flag and invocation context", async () => {
    const { lines, transport } = sink();
    const fetch = restate.createEndpointHandler({ services: [svc], logger: transport });

    await invoke(fetch, "/invoke/Logs/sleepy", [start(1), input()]); // first attempt: runs up to the sleep, suspends
    expect(user(lines).map((l) => [l.args[0], l.meta.replaying])).toEqual([["before sleep", false]]);
    const first = user(lines)[0]!.meta;
    expect(first).toMatchObject({ source: LogSource.USER, level: RestateLogLevel.INFO, replaying: false });
    expect(first.context).toMatchObject({ invocationId: "inv_test", serviceName: "Logs", handlerName: "sleepy", invocationTarget: "Logs/sleepy" });
    expect(first.context?.key).toBeUndefined();
    expect(first.context?.request?.id).toBe("inv_test");

    lines.length = 0;
    await invoke(fetch, "/invoke/Logs/sleepy", [start(3), input(), sleep, woke]); // second attempt: replays the sleep
    expect(user(lines).map((l) => [l.args[0], l.meta.level, l.meta.replaying])).toEqual([
      ["before sleep", "info", true],
      ["after sleep", "info", false],
      ["debug detail", "debug", false],
    ]);
  });

  it("the default transport prints each line once per real execution, prefixed with target and invocation id", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    const { fetch } = restate.endpoint().bind(svc).handler();
    await invoke(fetch, "/invoke/Logs/sleepy", [start(1), input()]);
    await invoke(fetch, "/invoke/Logs/sleepy", [start(3), input(), sleep, woke]);
    // The attempt's lifecycle lines (as the official SDK prints them) around the handler's own lines.
    expect(info.mock.calls).toEqual([
      ["[Logs/sleepy][inv_test] INFO:", "Starting invocation."],
      ["[Logs/sleepy][inv_test] INFO:", "before sleep"],
      ["[Logs/sleepy][inv_test] INFO:", "Invocation suspended"],
      ["[Logs/sleepy][inv_test] INFO:", "Replaying invocation."],
      ["[Logs/sleepy][inv_test] INFO:", "after sleep"],
      ["[Logs/sleepy][inv_test] INFO:", "Invocation completed successfully."],
    ]);
    expect(debug).not.toHaveBeenCalled();
  });

  it("setLogger on the builder; keyed handlers carry their key", async () => {
    const { lines, transport } = sink();
    const { fetch } = restate.endpoint().bind(counter).setLogger(transport).handler();
    await invoke(fetch, "/invoke/Ctr/add", [start(1, { key: "k9" }), input()]);
    expect(user(lines).map((l) => [l.meta.level, l.meta.context?.invocationTarget, l.args[0]])).toEqual([["warn", "Ctr/k9/add", "adding"]]);
  });

  it("each endpoint keeps its own logger for the same service", async () => {
    const a = sink();
    const b = sink();
    const fa = restate.createEndpointHandler({ services: [svc], logger: a.transport });
    const fb = restate.createEndpointHandler({ services: [svc], logger: b.transport });
    await invoke(fa, "/invoke/Logs/sleepy", [start(1), input()]);
    await invoke(fb, "/invoke/Logs/sleepy", [start(1), input()]);
    await invoke(fb, "/invoke/Logs/sleepy", [start(1), input()]);
    expect(user(a.lines)).toHaveLength(1);
    expect(user(b.lines)).toHaveLength(2);
  });

  it("reports the attempt's lifecycle and failures as JOURNAL lines, with the official SDK's texts and levels", async () => {
    const { lines, transport } = sink();
    const fetch = restate.createEndpointHandler({ services: [svc], logger: transport });
    await invoke(fetch, "/invoke/Logs/boom", [start(1), input()]);
    const journal = lines.filter((l) => l.meta.source === LogSource.JOURNAL);
    expect(journal.map((l) => [l.meta.level, l.args[0]])).toEqual([
      ["info", "Starting invocation."],
      ["warn", "Error when processing a Restate context operation.\n"],
      // perdure's own addition (issue 15): one hint on the first retryable failure
      ["warn", expect.stringContaining("Throw a TerminalError to stop retrying")],
    ]);
    expect((journal[1]!.args[1] as Error).message).toBe("kaput");
  });

  it("refuses a logger that is not a function at startup", () => {
    expect(() => restate.createEndpointHandler({ services: [svc], logger: "console" as never })).toThrow(/the logger option must be a function/);
    expect(() => restate.endpoint().bind(svc).setLogger(42 as never)).toThrow(/setLogger\(logger\) must be a function/);
  });

  it("the default transport is the console transport", () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    defaultLoggerTransport({ source: LogSource.SYSTEM, level: RestateLogLevel.INFO, replaying: false }, "x");
    expect(info).toHaveBeenCalledWith("[perdure] INFO:", "x");
  });
});
