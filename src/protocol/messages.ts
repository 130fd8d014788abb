/**
 * Typed registry: message type id ⇄ generated protobuf codec.
 * decodeMessage turns a RawFrame into a discriminated union; encodeMessage produces a whole frame.
 */
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { ErrorCode, ProtocolError } from "./errors.js";
import { FRAME_HEADER_SIZE, writeFrameHeader, type RawFrame } from "./frame.js";
import { describeMessageType, MessageType } from "./message-types.js";
import {
  AttachInvocationCommandMessage,
  AwaitingOnMessage,
  CallCommandMessage,
  ClearAllStateCommandMessage,
  ClearStateCommandMessage,
  CommandAckMessage,
  CompleteAwakeableCommandMessage,
  CompletePromiseCommandMessage,
  EndMessage,
  ErrorMessage,
  GetEagerStateCommandMessage,
  GetEagerStateKeysCommandMessage,
  GetInvocationOutputCommandMessage,
  GetLazyStateCommandMessage,
  GetLazyStateKeysCommandMessage,
  GetPromiseCommandMessage,
  InputCommandMessage,
  NotificationTemplate,
  OneWayCallCommandMessage,
  OutputCommandMessage,
  PeekPromiseCommandMessage,
  ProposeRunCompletionAckMessage,
  ProposeRunCompletionMessage,
  RunCommandMessage,
  SendSignalCommandMessage,
  SetStateCommandMessage,
  SleepCommandMessage,
  StartMessage,
  SuspensionMessage,
  type MessageFns,
} from "./generated/protocol.js";

/** Every message type id of V5–V7 and its codec. */
const CODECS = {
  [MessageType.Start]: StartMessage,
  [MessageType.Suspension]: SuspensionMessage,
  [MessageType.Error]: ErrorMessage,
  [MessageType.End]: EndMessage,
  [MessageType.CommandAck]: CommandAckMessage,
  [MessageType.ProposeRunCompletion]: ProposeRunCompletionMessage,
  [MessageType.AwaitingOn]: AwaitingOnMessage,
  [MessageType.ProposeRunCompletionAck]: ProposeRunCompletionAckMessage,

  [MessageType.InputCommand]: InputCommandMessage,
  [MessageType.OutputCommand]: OutputCommandMessage,
  [MessageType.GetLazyStateCommand]: GetLazyStateCommandMessage,
  [MessageType.SetStateCommand]: SetStateCommandMessage,
  [MessageType.ClearStateCommand]: ClearStateCommandMessage,
  [MessageType.ClearAllStateCommand]: ClearAllStateCommandMessage,
  [MessageType.GetLazyStateKeysCommand]: GetLazyStateKeysCommandMessage,
  [MessageType.GetEagerStateCommand]: GetEagerStateCommandMessage,
  [MessageType.GetEagerStateKeysCommand]: GetEagerStateKeysCommandMessage,
  [MessageType.GetPromiseCommand]: GetPromiseCommandMessage,
  [MessageType.PeekPromiseCommand]: PeekPromiseCommandMessage,
  [MessageType.CompletePromiseCommand]: CompletePromiseCommandMessage,
  [MessageType.SleepCommand]: SleepCommandMessage,
  [MessageType.CallCommand]: CallCommandMessage,
  [MessageType.OneWayCallCommand]: OneWayCallCommandMessage,
  [MessageType.SendSignalCommand]: SendSignalCommandMessage,
  [MessageType.RunCommand]: RunCommandMessage,
  [MessageType.AttachInvocationCommand]: AttachInvocationCommandMessage,
  [MessageType.GetInvocationOutputCommand]: GetInvocationOutputCommandMessage,
  [MessageType.CompleteAwakeableCommand]: CompleteAwakeableCommandMessage,

  [MessageType.GetLazyStateCompletion]: NotificationTemplate,
  [MessageType.GetLazyStateKeysCompletion]: NotificationTemplate,
  [MessageType.GetPromiseCompletion]: NotificationTemplate,
  [MessageType.PeekPromiseCompletion]: NotificationTemplate,
  [MessageType.CompletePromiseCompletion]: NotificationTemplate,
  [MessageType.SleepCompletion]: NotificationTemplate,
  [MessageType.CallCompletion]: NotificationTemplate,
  [MessageType.CallInvocationIdCompletion]: NotificationTemplate,
  [MessageType.RunCompletion]: NotificationTemplate,
  [MessageType.AttachInvocationCompletion]: NotificationTemplate,
  [MessageType.GetInvocationOutputCompletion]: NotificationTemplate,
  [MessageType.SignalNotification]: NotificationTemplate,
} as const;

type Codecs = typeof CODECS;

/** Type ids that have a codec (all of MessageType). */
export type DecodableMessageType = keyof Codecs;

/** The generated interface for a type id, e.g. MessageOf<0x0411> = RunCommandMessage. */
export type MessageOf<T extends DecodableMessageType> = Codecs[T] extends MessageFns<infer M> ? M : never;

/** A decoded frame: discriminate on `type` to get the matching generated interface in `message`. */
export type Message = {
  [T in DecodableMessageType]: { type: T; flags: number; message: MessageOf<T> };
}[DecodableMessageType];

const codecByType = new Map<number, MessageFns<unknown>>(
  Object.entries(CODECS).map(([type, codec]) => [Number(type), codec as MessageFns<unknown>]),
);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Decodes a frame's payload with the codec of its type. Unknown type ids and payloads that are
 * not valid protobuf for that type throw a ProtocolError (571) saying which frame and why.
 */
export function decodeMessage(frame: RawFrame): Message {
  const codec = codecByType.get(frame.type);
  const size = frame.payload.length;
  if (codec === undefined) {
    throw new ProtocolError(
      `cannot decode a frame of ${describeMessageType(frame.type)} (${size}-byte payload): ` +
        "not a message type of service protocol V5–V7",
    );
  }
  const reader = new BinaryReader(frame.payload);
  let message: unknown;
  try {
    message = codec.decode(reader, size);
  } catch (error) {
    throw new ProtocolError(
      `malformed ${describeMessageType(frame.type)} payload (${size} bytes): ` +
        `${errorText(error)} near byte offset ${Math.min(reader.pos, size)}`,
      ErrorCode.PROTOCOL_VIOLATION,
      { cause: error },
    );
  }
  // The generated decoder stops silently at a zero tag or an end-group tag; that is garbage too.
  if (reader.pos !== size) {
    throw new ProtocolError(
      `malformed ${describeMessageType(frame.type)} payload (${size} bytes): ` +
        `invalid field tag at byte offset ${Math.min(reader.pos, size) - 1}`,
    );
  }
  return { type: frame.type, flags: frame.flags, message } as Message;
}

// One writer reused across calls: finish() resets its position but keeps the grown buffer,
// so steady-state encoding allocates only the returned frame.
const ZERO_HEADER = new Uint8Array(FRAME_HEADER_SIZE);
const MAX_RETAINED_WRITER_BYTES = 1024 * 1024;
let writer = new BinaryWriter();

/** The message type `encodeMessage` accepts for a type id (any object for ids not known statically). */
export type EncodableMessage<T extends number> = T extends DecodableMessageType ? MessageOf<T> : object;

/**
 * Encodes `message` with the codec of `type` and returns the whole frame (header + payload).
 * Fields left undefined, or at their proto3 default, are not written. The result is a fresh array
 * (never shared with later calls).
 */
export function encodeMessage<T extends number>(
  type: T,
  message: EncodableMessage<T>,
  flags = 0,
): Uint8Array<ArrayBuffer> {
  const codec = codecByType.get(type);
  if (codec === undefined) {
    throw new RangeError(`cannot encode ${describeMessageType(type)}: not a message type of service protocol V5–V7`);
  }
  let frame: Uint8Array<ArrayBuffer>;
  try {
    // Reserve the header, encode the payload right behind it, then patch the header in place.
    codec.encode(message, writer.raw(ZERO_HEADER));
    frame = writer.finish();
  } catch (error) {
    writer = new BinaryWriter(); // a throwing encoder leaves the writer mid-message
    throw error;
  }
  if (frame.length > MAX_RETAINED_WRITER_BYTES) writer = new BinaryWriter();
  writeFrameHeader(frame, 0, type, flags, frame.length - FRAME_HEADER_SIZE);
  return frame;
}
