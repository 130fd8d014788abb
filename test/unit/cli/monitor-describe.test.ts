// The dev console's wording, from rows captured from restate-server 1.7.12 (sys_invocation / sys_journal), and the
// command-line flags of the invocation view and of `perdure verify`.
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../../src/cli/args.js";
import { adviceFor, describeRetryPolicy, describeWaiting, failureMessage, firstFrame, mismatchOf } from "../../../src/cli/monitor/describe.js";
import { invocationOf, type JournalRow } from "../../../src/cli/monitor/introspection.js";
import { restateCommand } from "../../../src/cli/monitor/restate-cli.js";
import { messageTypeOfEntry, parseMismatch } from "../../../src/testing/verify.js";

const backingOff = invocationOf({
  id: "inv_1aXspVbpp7TX2dkGwVjdad9yRINTpMDvBy",
  target: "X/plain",
  target_service_name: "X",
  target_handler_name: "plain",
  status: "backing-off",
  retry_count: 3,
  next_retry_at: "2026-12-03T23:40:52.285Z",
  last_failure:
    "[500 Internal] boom plain\nError: boom plain\n    at Object.plain (/home/u/app/src/main.ts:9:52)\n    at Object.fn (/home/u/app/node_modules/perdure/dist/src/context/definitions.js:269:32)",
  last_failure_error_code: "RT0007",
  journal_size: 1,
});

describe("dev console wording", () => {
  it("takes the message and the first frame in the user's code", () => {
    expect(failureMessage(backingOff.lastFailure!)).toBe("boom plain");
    expect(firstFrame(backingOff.lastFailure!, "/home/u/app")).toBe("at Object.plain (src/main.ts:9:52)");
    expect(firstFrame("[500] x\nTypeError: x\n    at JSON.stringify (<anonymous>)\n    at f (/a/node_modules/lib/x.js:1:2)")).toBeUndefined();
    expect(backingOff.retryCount).toBe(3);
  });

  it("parses a journal mismatch", () => {
    const inv = invocationOf({
      id: "inv_1",
      status: "backing-off",
      last_failure:
        "[570 Journal mismatch] Journal mismatch at command index 1: the journal has SleepCommand, but the code issued RunCommand named 'new-step'. The handler code changed in a way …",
    });
    expect(mismatchOf(inv)).toEqual({ index: 1, detail: "the journal has SleepCommand, but the code issued RunCommand named 'new-step'" });
    expect(mismatchOf(backingOff)).toBeUndefined();
    expect(parseMismatch(inv.lastFailure!.replace(/^\[570 Journal mismatch\] /, "")).now).toBe("RunCommand named 'new-step'");
  });

  it("says what a suspended invocation waits on", () => {
    const inv = invocationOf({ id: "inv_2", status: "suspended", suspended_waiting_for_completions: [2], suspended_waiting_for_signals: [17, 1] });
    const journal: JournalRow[] = [
      { index: 0, entryType: "Command: Input", name: "" },
      {
        index: 1,
        entryType: "Command: Call",
        name: "",
        json: { Command: { Call: { invocation_id: "inv_9", invocation_target: { Service: { name: "X", handler: "sleepy", scope: null } }, invocation_id_completion_id: 1, result_completion_id: 2 } } },
      },
    ];
    expect(describeWaiting(inv, journal)).toBe("call X/sleepy (inv_9), an awakeable");
  });

  it("describes the retry policy and known causes", () => {
    expect(describeRetryPolicy({ initialInterval: "500ms", factor: 2, maxAttempts: 70, maxInterval: "1m", onMaxAttempts: "Pause" })).toBe(
      "first retry after 500ms, interval ×2 up to 1m, at most 70 attempts, then pause",
    );
    expect(adviceFor("ctx.run 'big': cannot serialize the result: Do not know how to serialize a BigInt", { type: "Run", name: "big" })).toContain(
      'the result of ctx.run "big" is a BigInt',
    );
    expect(adviceFor("boom")).toBeUndefined();
  });

  it("prints restate CLI commands with the admin URL only when it is not the default", () => {
    expect(restateCommand({ adminUrl: "http://127.0.0.1:9070", ingressUrl: "http://127.0.0.1:8080" }, "invocations list")).toBe("npx @restatedev/restate invocations list");
    expect(restateCommand({ adminUrl: "http://127.0.0.1:1234", ingressUrl: "http://127.0.0.1:8080" }, "invocations kill inv_1")).toBe(
      "RESTATE_ADMIN_URL=http://127.0.0.1:1234 npx @restatedev/restate invocations kill inv_1",
    );
  });

  it("maps the server's journal entry types to protocol messages", () => {
    expect(messageTypeOfEntry("Command: Sleep")).toBe(0x040c);
    expect(messageTypeOfEntry("Notification: CallInvocationId")).toBe(0x800e);
    expect(messageTypeOfEntry("Notification: Run")).toBe(0x8011);
    expect(messageTypeOfEntry("Event: TransientError")).toBeUndefined();
  });
});

describe("flags", () => {
  it("--quiet / --verbose / --stall-after", () => {
    expect(parseArgs(["dev", "a.ts"])).toMatchObject({ verbosity: "normal", stallAfterMs: undefined });
    expect(parseArgs(["dev", "a.ts", "--quiet"])).toMatchObject({ verbosity: "quiet" });
    expect(parseArgs(["dev", "a.ts", "--verbose", "--stall-after", "2.5"])).toMatchObject({ verbosity: "verbose", stallAfterMs: 2_500 });
    expect(() => parseArgs(["dev", "a.ts", "--quiet", "--verbose"])).toThrow(UsageError);
    expect(() => parseArgs(["dev", "a.ts", "--stall-after", "0"])).toThrow(/--stall-after/);
  });

  it("verify", () => {
    expect(parseArgs(["verify", "--admin", "http://127.0.0.1:9070/", "src/main.ts"])).toEqual({
      command: "verify",
      entry: "src/main.ts",
      adminUrl: "http://127.0.0.1:9070",
      from: undefined,
      save: undefined,
    });
    expect(parseArgs(["verify", "--from", "j.json", "src/main.ts"])).toMatchObject({ from: "j.json" });
    expect(() => parseArgs(["verify", "src/main.ts"])).toThrow(/exactly one of --admin/);
    expect(() => parseArgs(["verify", "--admin", "localhost", "src/main.ts"])).toThrow(/admin API's URL/);
    expect(() => parseArgs(["verify", "--admin", "http://x:1"])).toThrow(/entry file/);
  });
});
