/**
 * Error codes that travel in `ErrorMessage.code` (and, for the HTTP-level ones, as response statuses).
 * 57x are Restate protocol codes; the rest are HTTP-like.
 */
export const ErrorCode = {
  JOURNAL_MISMATCH: 570,
  PROTOCOL_VIOLATION: 571,
  AWAITING_TWO_ASYNC: 572,
  UNSUPPORTED_FEATURE: 573,
  INTERNAL: 500,
  BAD_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Raised when bytes or messages break the protocol: malformed frames, unknown message types,
 * undecodable payloads, oversized frames, truncated bodies. `code` is what should go into the
 * `ErrorMessage` sent back to the server (571 protocol violation unless said otherwise).
 */
export class ProtocolError extends Error {
  readonly code: number;

  constructor(message: string, code: number = ErrorCode.PROTOCOL_VIOLATION, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ProtocolError";
    this.code = code;
  }
}
