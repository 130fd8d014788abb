// The protocol layer: bytes ⇄ frames ⇄ typed messages, versions and content types. No state, no I/O.
export { ErrorCode, ProtocolError, type ErrorCodeValue } from "./errors.js";
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  FRAME_HEADER_SIZE,
  FrameDecoder,
  REQUESTED_ACK_FLAG,
  encodeFrame,
  writeFrameHeader,
  type FrameDecoderOptions,
  type RawFrame,
} from "./frame.js";
export {
  MessageType,
  describeMessageType,
  formatMessageType,
  isCommand,
  isControl,
  isKnownMessageType,
  isNotification,
  messageTypeName,
  type MessageTypeId,
  type MessageTypeName,
} from "./message-types.js";
export {
  decodeMessage,
  encodeMessage,
  type DecodableMessageType,
  type EncodableMessage,
  type Message,
  type MessageOf,
} from "./messages.js";
export {
  MAX_PROTOCOL_VERSION,
  MIN_PROTOCOL_VERSION,
  SUPPORTED_MANIFEST_VERSIONS,
  invocationContentType,
  isSupportedProtocolVersion,
  manifestContentType,
  parseInvocationContentType,
  pickManifestVersion,
  type ManifestVersion,
} from "./versions.js";
export * from "./generated/protocol.js";
