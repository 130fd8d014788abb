// The protocol answer that fails one invocation attempt with a message of the endpoint's own: an ErrorMessage frame.
// restate-server records the message as the attempt's failure (visible in the invocation's status) and applies the
// retry policy. For adapters that must fail an attempt after the core answered (Lambda's payload limit).

import { ErrorCode } from "../protocol/errors.js";
import { encodeMessage } from "../protocol/messages.js";
import { MessageType } from "../protocol/message-types.js";

/** One encoded ErrorMessage frame (`code` default 500, internal), to send as a whole invocation response body. */
export function errorMessageFrame(message: string, code: number = ErrorCode.INTERNAL): Uint8Array<ArrayBuffer> {
  return encodeMessage(MessageType.Error, { code, message });
}
