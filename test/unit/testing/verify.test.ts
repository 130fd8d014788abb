// verifyJournals offline: journals in the server's stored form (sys_journal's entry type names and message bytes),
// here recorded by the harness from the old code, replayed against new code. The e2e suite does the same with
// journals taken from a real restate-server (test/e2e/dev-console.e2e.test.ts).
import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType, isCommand, messageTypeName } from "../../../src/protocol/message-types.js";
import { formatReport, runHandler, verifyJournals, type SavedJournal } from "../../../src/testing/index.js";

/** A harness recording as restate-server stores it: `Command: Sleep` + the message bytes (hex, no frame header). */
function asSaved(frames: readonly Uint8Array[], handler: string): SavedJournal {
  const entries = frames.map((frame, index) => {
    const type = (frame[0]! << 8) | frame[1]!;
    const name = messageTypeName(type);
    const entryType = isCommand(type) ? `Command: ${name.replace(/Command$/, "")}` : type === MessageType.SignalNotification ? "Notification: Signal" : `Notification: ${name.replace(/Completion$/, "")}`;
    const raw = [...frame.subarray(8)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return { index, entryType, name: "", raw };
  });
  return { invocationId: "inv_1test", target: `Trip/${handler}`, service: "Trip", handler, status: "suspended", protocolVersion: 6, entries };
}

const effects: string[] = [];
const version = (body: (ctx: restate.Context) => Promise<string>) => restate.service({ name: "Trip", handlers: { book: body } });

const v1 = version(async (ctx) => {
  const flight = await ctx.run("flight", () => "FL-1");
  await ctx.run("email", () => "sent");
  return flight;
});

/** v1's journal cut after `entries` entries: 3 = suspended after the flight; 4 = the email run still in progress. */
async function recordedOnV1(entries: 3 | 4): Promise<SavedJournal> {
  const run = await runHandler(v1, "book", { input: null, journal: [{ run: "flight", value: "FL-1" }, { run: "email", value: "sent" }] });
  expect(run.status).toBe("completed");
  return asSaved(run.journal.frames.slice(0, entries), "book");
}

const v2 = version(async (ctx) => {
  const flight = await ctx.run("flight", () => {
    effects.push("flight again");
    return "FL-2";
  });
  await ctx.run("email", () => {
    effects.push("email");
    return "sent";
  });
  return flight;
});

describe("verifyJournals", () => {
  it("passes code that replays the journal, and runs no closure: neither past its end nor one in progress", async () => {
    const report = await verifyJournals([await recordedOnV1(3), await recordedOnV1(4)], [v2]);
    expect(report.ok).toBe(true);
    expect(report.verdicts.map((v) => v.status)).toEqual(["compatible", "compatible"]);
    expect(effects).toEqual([]);
  });

  it("names the command where new code diverges", async () => {
    const v3 = version(async (ctx) => {
      const flight = await ctx.run("flight", () => "FL-1");
      await ctx.sleep(1_000);
      await ctx.run("email", () => "sent");
      return flight;
    });
    const report = await verifyJournals([await recordedOnV1(3), await recordedOnV1(4)], [v3]);
    expect(report.ok).toBe(false);
    expect(report.verdicts[0]!.status).toBe("compatible"); // the journal ends before the change
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ status: "mismatch", commandIndex: 2, recorded: 'run "email"', now: "SleepCommand" });
    expect(formatReport(report).join("\n")).toContain(`command #2: the journal recorded run "email", the code now issues SleepCommand`);
  });

  it("reports a handler that the new code removed", async () => {
    const other = restate.service({ name: "Trip", handlers: { cancel: async () => "ok" } });
    const report = await verifyJournals([await recordedOnV1(3)], [other]);
    expect(report.problems[0]).toMatchObject({ status: "missing-handler", detail: "the new code has no handler book in Trip" });
  });
});
