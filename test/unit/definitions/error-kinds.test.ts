// Two copies of perdure in one process (ESM and CJS, a bundle beside node_modules, `perdure dev` loading a project's
// sources beside the built package) must agree on error classes: a TerminalError thrown by one copy's user code is a
// TerminalError to the other copy's runtime, or a terminal failure would be retried forever.
import { describe, expect, it } from "vitest";
import * as errors from "../../../src/context/errors.js";

async function secondCopy(): Promise<typeof errors> {
  // A query string makes the module loader evaluate the file again: a distinct copy of every class.
  // @ts-expect-error: the query suffix is for the module loader; the module is the same file
  return (await import("../../../src/context/errors.js?second-copy")) as typeof errors;
}

describe("error classes across two copies of perdure", () => {
  it("recognises the other copy's errors by kind, and keeps the hierarchy", async () => {
    const other = await secondCopy();
    expect(other.TerminalError).not.toBe(errors.TerminalError);
    const terminal = new other.TerminalError("declined", { errorCode: 402 });
    expect(terminal instanceof errors.TerminalError).toBe(true);
    expect(terminal instanceof errors.RestateError).toBe(true);
    expect(terminal instanceof errors.RetryableError).toBe(false);
    expect(new other.TimeoutError() instanceof errors.TerminalError).toBe(true);
    expect(new other.TerminalError("x") instanceof errors.TimeoutError).toBe(false);
    expect(new other.RetryableError("x") instanceof errors.TerminalError).toBe(false);
    expect(new Error("plain") instanceof errors.TerminalError).toBe(false);
  });

  it("a user's subclass matches only its own instances", () => {
    class Declined extends errors.TerminalError {}
    expect(new Declined("no") instanceof errors.TerminalError).toBe(true);
    expect(new Declined("no") instanceof Declined).toBe(true);
    expect(new errors.TerminalError("no") instanceof Declined).toBe(false);
  });
});
