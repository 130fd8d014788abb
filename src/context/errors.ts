// Error classes users throw and catch, with the same names, fields and codes as the official SDK
// (1.17.2), plus small helpers the runtime uses to turn anything thrown into a protocol failure.

import type { Duration } from "./duration.js";

/** Default code of a failure when nothing more specific is known. */
export const INTERNAL_ERROR_CODE = 500;
export const TIMEOUT_ERROR_CODE = 408;
export const CANCELLED_ERROR_CODE = 409;
/** Code of the error interceptors see when the attempt suspends (restate.internal.isSuspendedError). */
export const SUSPENDED_ERROR_CODE = 599;

/**
 * The kinds (class names) an error was built as, under a registry-wide symbol, so that `instanceof` works across two
 * copies of perdure in one process (ESM and CJS, a bundle beside node_modules, `perdure dev` loading a project's
 * sources beside the built package): a TerminalError from one copy is a TerminalError to the other.
 */
const ERROR_KINDS = Symbol.for("perdure.errorKinds");

/** Base class of every error perdure defines. `code` is an HTTP-like status code. */
export class RestateError extends Error {
  /** The class's kind name; only perdure's own classes declare one (user subclasses use the prototype check). */
  static readonly kind: string = "RestateError";
  readonly code: number;
  override name = "RestateError";

  constructor(message: string, options?: { errorCode?: number; cause?: any }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options?.errorCode ?? INTERNAL_ERROR_CODE;
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.prototype.hasOwnProperty.call(c, "kind")) kinds.push((c as unknown as { kind: string }).kind);
    }
    Object.defineProperty(this, ERROR_KINDS, { value: kinds, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    // Only perdure's own classes match by kind; a user's subclass matches only its own instances.
    if (!Object.prototype.hasOwnProperty.call(this, "kind") || typeof value !== "object" || value === null) return false;
    const kinds = (value as { [ERROR_KINDS]?: unknown })[ERROR_KINDS];
    return Array.isArray(kinds) && kinds.includes((this as unknown as { kind: string }).kind);
  }
}

/**
 * Ends the invocation with a failure instead of retrying it. The code reaches an ingress caller as the
 * HTTP status; metadata (Restate 1.6+, protocol V6+) is recorded with the failure.
 */
export class TerminalError extends RestateError {
  static override readonly kind: string = "TerminalError";
  override name = "TerminalError";
  readonly metadata?: Record<string, string>;

  constructor(
    message?: string,
    options?: { errorCode?: number; cause?: any; metadata?: Record<string, string> },
  ) {
    super(message ?? "", options);
    this.metadata = options?.metadata ?? {};
  }
}

/** Rejection of `RestatePromise.orTimeout` when the timeout fires first. */
export class TimeoutError extends TerminalError {
  static override readonly kind: string = "TimeoutError";
  override name = "TimeoutError";

  constructor() {
    super("Timeout occurred", { errorCode: TIMEOUT_ERROR_CODE });
  }
}

/** Rejection of awaited operations once the invocation has been cancelled. */
export class CancelledError extends TerminalError {
  static override readonly kind: string = "CancelledError";
  override name = "CancelledError";

  constructor() {
    super("Cancelled", { errorCode: CANCELLED_ERROR_CODE });
  }
}

export interface RetryableErrorOptions {
  /** How long to wait before the next attempt. */
  retryAfter?: Duration | number;
}

/** An error Restate retries; inside `ctx.run` it may choose the delay before the next attempt. */
export class RetryableError extends RestateError {
  static override readonly kind: string = "RetryableError";
  override name = "RetryableError";
  readonly retryAfter?: Duration | number;

  constructor(message: string, options?: RetryableErrorOptions & { errorCode?: number; cause?: any }) {
    super(message, { errorCode: options?.errorCode, cause: options?.cause });
    this.retryAfter = options?.retryAfter;
  }

  /** Wraps any thrown value, keeping its message (and its `code`/`errorCode` when it has one). */
  static from(cause: any, options?: RetryableErrorOptions & { errorCode?: number }): RetryableError {
    const error = ensureError(cause);
    return new RetryableError(error.message, {
      errorCode: options?.errorCode ?? codeOf(error),
      cause,
      retryAfter: options?.retryAfter,
    });
  }
}

/** Thrown inside `ctx.run`: asks Restate to pause the invocation instead of retrying it. */
export class PauseError extends RestateError {
  static override readonly kind: string = "PauseError";
  override name = "PauseError";

  constructor(message: string, options?: { errorCode?: number; cause?: any }) {
    super(message, options);
  }

  // The official SDK (1.17.2) returns a RetryableError here, which defeats the purpose; we return a PauseError.
  static from(cause: any): PauseError {
    const error = ensureError(cause);
    return new PauseError(error.message, { errorCode: codeOf(error), cause });
  }
}

export function isTerminalError(e: unknown): e is TerminalError {
  return e instanceof TerminalError;
}

/**
 * Turns any thrown value into an Error with a readable message. Plain objects carrying
 * `code` and `message` keep them (as a RestateError); other values are described with JSON when possible.
 */
export function ensureError(e: unknown): Error {
  if (e instanceof Error) return e;
  if (typeof e === "object" && e !== null && "message" in e && typeof e.message === "string") {
    const code = "code" in e && typeof e.code === "number" ? e.code : undefined;
    return new RestateError(e.message, { errorCode: code, cause: e });
  }
  // The official SDK's wording ("Non-Error value: " and the value as JSON, when it has one).
  return new Error(`Non-Error value: ${describeValue(e)}`, { cause: e });
}

/** The payload of a protocol `Failure` for a terminal error. */
export interface FailureInfo {
  code: number;
  message: string;
  metadata: { key: string; value: string }[];
}

/**
 * Code, message and metadata of a failure. Meant for terminal errors; any other value gets its
 * `code` when it is a RestateError (else 500) and no metadata.
 */
export function failureOf(e: unknown): FailureInfo {
  const error = ensureError(e);
  const code = error instanceof RestateError ? error.code : INTERNAL_ERROR_CODE;
  const raw = error instanceof TerminalError ? (error.metadata ?? {}) : {};
  const metadata = Object.entries(raw).map(([key, value]) => ({ key, value: String(value) }));
  return { code, message: error.message, metadata };
}

function codeOf(error: Error): number | undefined {
  if (error instanceof RestateError) return error.code;
  const candidate = (error as { errorCode?: unknown }).errorCode;
  return typeof candidate === "number" ? candidate : undefined;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol" || typeof value === "function") return String(value);
  try {
    const json = JSON.stringify(value);
    return json ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
