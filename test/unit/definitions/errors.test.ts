import * as official from "@restatedev/restate-sdk";
import { describe, expect, it } from "vitest";
import {
  CancelledError,
  PauseError,
  RestateError,
  RetryableError,
  TerminalError,
  TimeoutError,
  ensureError,
  failureOf,
  isTerminalError,
} from "../../../src/context/errors.js";

describe("error classes", () => {
  it("have the official names, codes and messages", () => {
    const pairs: [Error & { code: number }, Error & { code: number }][] = [
      [new RestateError("m"), new official.RestateError("m")],
      [new RestateError("m", { errorCode: 418 }), new official.RestateError("m", { errorCode: 418 })],
      [new TerminalError("m"), new official.TerminalError("m")],
      [new TerminalError("m", { errorCode: 409 }), new official.TerminalError("m", { errorCode: 409 })],
      [new TimeoutError(), new official.TimeoutError()],
      [new CancelledError(), new official.CancelledError()],
      [new RetryableError("m"), new official.RetryableError("m")],
      [new PauseError("m", { errorCode: 503 }), new official.PauseError("m", { errorCode: 503 })],
    ];
    for (const [ours, theirs] of pairs) {
      expect({ name: ours.name, code: ours.code, message: ours.message }).toEqual({
        name: theirs.name,
        code: theirs.code,
        message: theirs.message,
      });
    }
  });

  it("TerminalError defaults to code 500 and carries metadata and cause", () => {
    const cause = new Error("root");
    const e = new TerminalError("bad", { errorCode: 400, metadata: { a: "b" }, cause });
    expect(e.code).toBe(400);
    expect(e.metadata).toEqual({ a: "b" });
    expect(e.cause).toBe(cause);
    expect(new TerminalError("x").code).toBe(500);
    expect(new TerminalError("x").metadata).toEqual({});
    expect(new TerminalError().message).toBe("");
  });

  it("keeps the class hierarchy", () => {
    expect(new TimeoutError()).toBeInstanceOf(TerminalError);
    expect(new CancelledError()).toBeInstanceOf(TerminalError);
    expect(new TerminalError("x")).toBeInstanceOf(RestateError);
    expect(new RetryableError("x")).toBeInstanceOf(RestateError);
    expect(new RetryableError("x")).not.toBeInstanceOf(TerminalError);
    expect(new PauseError("x")).toBeInstanceOf(RestateError);
    expect(new TimeoutError()).toBeInstanceOf(Error);
    expect(new TimeoutError().code).toBe(408);
    expect(new TimeoutError().message).toBe("Timeout occurred");
    expect(new CancelledError().code).toBe(409);
    expect(new CancelledError().message).toBe("Cancelled");
  });

  it("RetryableError keeps retryAfter and wraps causes with from()", () => {
    expect(new RetryableError("x", { retryAfter: { seconds: 2 } }).retryAfter).toEqual({ seconds: 2 });
    const cause = new Error("boom");
    const r = RetryableError.from(cause, { retryAfter: 100 });
    expect(r).toBeInstanceOf(RetryableError);
    expect(r.message).toBe("boom");
    expect(r.cause).toBe(cause);
    expect(r.retryAfter).toBe(100);
    expect(r.code).toBe(500);
    expect(RetryableError.from(new TerminalError("t", { errorCode: 422 })).code).toBe(422);
    expect(RetryableError.from("just a string").message).toBe('Non-Error value: "just a string"');
  });

  it("PauseError.from gives a PauseError", () => {
    const p = PauseError.from(new Error("stop"));
    expect(p).toBeInstanceOf(PauseError);
    expect(p.message).toBe("stop");
  });
});

describe("isTerminalError", () => {
  it("recognises terminal errors and their subclasses only", () => {
    expect(isTerminalError(new TerminalError("x"))).toBe(true);
    expect(isTerminalError(new CancelledError())).toBe(true);
    expect(isTerminalError(new RetryableError("x"))).toBe(false);
    expect(isTerminalError(new Error("x"))).toBe(false);
    expect(isTerminalError({ code: 500, message: "x" })).toBe(false);
  });
});

describe("ensureError", () => {
  it("returns errors unchanged", () => {
    const e = new TypeError("t");
    expect(ensureError(e)).toBe(e);
  });

  it("gives readable messages for non-Error values", () => {
    expect(ensureError("oops").message).toBe('Non-Error value: "oops"');
    expect(ensureError(undefined).message).toBe("Non-Error value: undefined");
    expect(ensureError(null).message).toBe("Non-Error value: null");
    expect(ensureError(42).message).toBe("Non-Error value: 42");
    expect(ensureError({ a: 1 }).message).toBe('Non-Error value: {"a":1}');
    expect(ensureError(10n).message).toBe("Non-Error value: 10n");
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(ensureError(circular).message).toBe("Non-Error value: [object Object]");
    expect(ensureError("oops").cause).toBe("oops");
  });

  it("keeps code and message of error-like objects", () => {
    const e = ensureError({ code: 403, message: "forbidden" });
    expect(e).toBeInstanceOf(RestateError);
    expect(e.message).toBe("forbidden");
    expect((e as RestateError).code).toBe(403);
    expect((ensureError({ message: "m" }) as RestateError).code).toBe(500);
  });
});

describe("failureOf", () => {
  it("gives code, message and metadata as key/value pairs", () => {
    expect(failureOf(new TerminalError("nope", { errorCode: 409, metadata: { k1: "v1", k2: "v2" } }))).toEqual({
      code: 409,
      message: "nope",
      metadata: [
        { key: "k1", value: "v1" },
        { key: "k2", value: "v2" },
      ],
    });
    expect(failureOf(new TimeoutError())).toEqual({ code: 408, message: "Timeout occurred", metadata: [] });
  });

  it("handles other values without metadata", () => {
    expect(failureOf(new RetryableError("r", { errorCode: 503 }))).toEqual({ code: 503, message: "r", metadata: [] });
    expect(failureOf(new Error("plain"))).toEqual({ code: 500, message: "plain", metadata: [] });
    expect(failureOf("s")).toEqual({ code: 500, message: 'Non-Error value: "s"', metadata: [] });
  });
});
