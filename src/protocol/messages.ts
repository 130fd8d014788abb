/**
 * Typed registry: message type id ⇄ message table (schema.ts) and generated interface.
 * decodeMessage turns a RawFrame into a discriminated union; encodeMessage produces a whole frame.
 */
import { ErrorCode, ProtocolError } from "./errors.js";
import { FRAME_HEADER_SIZE, writeFrameHeader, type RawFrame } from "./frame.js";
import { describeMessageType, MessageType } from "./message-types.js";
import type {
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
} from "./generated/protocol.js";
import { decodeFields, encodeFields, messages, type MessageSchema } from "./schema.js";
import { Reader, Writer } from "./wire.js";

/** The generated interface of every message type id of V5–V7 (notifications all share NotificationTemplate). */
interface Codecs {
  [MessageType.Start]: StartMessage;
  [MessageType.Suspension]: SuspensionMessage;
  [MessageType.Error]: ErrorMessage;
  [MessageType.End]: EndMessage;
  [MessageType.CommandAck]: CommandAckMessage;
  [MessageType.ProposeRunCompletion]: ProposeRunCompletionMessage;
  [MessageType.AwaitingOn]: AwaitingOnMessage;
  [MessageType.ProposeRunCompletionAck]: ProposeRunCompletionAckMessage;

  [MessageType.InputCommand]: InputCommandMessage;
  [MessageType.OutputCommand]: OutputCommandMessage;
  [MessageType.GetLazyStateCommand]: GetLazyStateCommandMessage;
  [MessageType.SetStateCommand]: SetStateCommandMessage;
  [MessageType.ClearStateCommand]: ClearStateCommandMessage;
  [MessageType.ClearAllStateCommand]: ClearAllStateCommandMessage;
  [MessageType.GetLazyStateKeysCommand]: GetLazyStateKeysCommandMessage;
  [MessageType.GetEagerStateCommand]: GetEagerStateCommandMessage;
  [MessageType.GetEagerStateKeysCommand]: GetEagerStateKeysCommandMessage;
  [MessageType.GetPromiseCommand]: GetPromiseCommandMessage;
  [MessageType.PeekPromiseCommand]: PeekPromiseCommandMessage;
  [MessageType.CompletePromiseCommand]: CompletePromiseCommandMessage;
  [MessageType.SleepCommand]: SleepCommandMessage;
  [MessageType.CallCommand]: CallCommandMessage;
  [MessageType.OneWayCallCommand]: OneWayCallCommandMessage;
  [MessageType.SendSignalCommand]: SendSignalCommandMessage;
  [MessageType.RunCommand]: RunCommandMessage;
  [MessageType.AttachInvocationCommand]: AttachInvocationCommandMessage;
  [MessageType.GetInvocationOutputCommand]: GetInvocationOutputCommandMessage;
  [MessageType.CompleteAwakeableCommand]: CompleteAwakeableCommandMessage;

  [MessageType.GetLazyStateCompletion]: NotificationTemplate;
  [MessageType.GetLazyStateKeysCompletion]: NotificationTemplate;
  [MessageType.GetPromiseCompletion]: NotificationTemplate;
  [MessageType.PeekPromiseCompletion]: NotificationTemplate;
  [MessageType.CompletePromiseCompletion]: NotificationTemplate;
  [MessageType.SleepCompletion]: NotificationTemplate;
  [MessageType.CallCompletion]: NotificationTemplate;
  [MessageType.CallInvocationIdCompletion]: NotificationTemplate;
  [MessageType.RunCompletion]: NotificationTemplate;
  [MessageType.AttachInvocationCompletion]: NotificationTemplate;
  [MessageType.GetInvocationOutputCompletion]: NotificationTemplate;
  [MessageType.SignalNotification]: NotificationTemplate;
}

/** Type ids that have a codec (all of MessageType). */
export type DecodableMessageType = keyof Codecs;

/** The generated interface for a type id, e.g. MessageOf<0x0411> = RunCommandMessage. */
export type MessageOf<T extends DecodableMessageType> = Codecs[T];

/** A decoded frame: discriminate on `type` to get the matching generated interface in `message`. */
export type Message = {
  [T in DecodableMessageType]: { type: T; flags: number; message: MessageOf<T> };
}[DecodableMessageType];

let codecs: Map<number, MessageSchema> | undefined;

/**
 * The codec of a type id, by name: `Start` → StartMessage, `RunCommand` → RunCommandMessage; every other id
 * (completions, signals) is a notification. Built on the first frame, not at import.
 */
function codecOf(type: number): MessageSchema | undefined {
  if (codecs === undefined) {
    const tables = messages();
    codecs = new Map();
    for (const [name, id] of Object.entries(MessageType)) codecs.set(id, tables[name + "Message"] ?? tables.NotificationTemplate!);
  }
  return codecs.get(type);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// One reader for the process: decoding is synchronous, so no two decodes overlap. It drops the payload afterwards
// so it never keeps a request body alive.
const reader = new Reader();
const NO_BYTES = new Uint8Array(0);

/**
 * Decodes a frame's payload with the codec of its type. Unknown type ids and payloads that are
 * not valid protobuf for that type throw a ProtocolError (571) saying which frame and why.
 */
export function decodeMessage(frame: RawFrame): Message {
  const codec = codecOf(frame.type);
  const size = frame.payload.length;
  if (codec === undefined) {
    throw new ProtocolError(
      `cannot decode a frame of ${describeMessageType(frame.type)} (${size}-byte payload): ` +
        "not a message type of service protocol V5–V7",
    );
  }
  reader.reset(frame.payload);
  let message: unknown;
  let end = 0;
  try {
    message = decodeFields(reader, codec, size, 0);
  } catch (error) {
    throw new ProtocolError(
      `malformed ${describeMessageType(frame.type)} payload (${size} bytes): ` +
        `${errorText(error)} near byte offset ${Math.min(reader.pos, size)}`,
      ErrorCode.PROTOCOL_VIOLATION,
      { cause: error },
    );
  } finally {
    end = reader.pos;
    reader.reset(NO_BYTES);
  }
  // The decoder stops silently at a zero tag or an end-group tag; that is garbage too.
  if (end !== size) {
    throw new ProtocolError(
      `malformed ${describeMessageType(frame.type)} payload (${size} bytes): ` +
        `invalid field tag at byte offset ${Math.min(end, size) - 1}`,
    );
  }
  return { type: frame.type, flags: frame.flags, message } as Message;
}

// One writer reused across calls: it keeps its grown buffer, so steady-state encoding allocates only the returned
// frame (a buffer grown past 1 MiB by one large message is dropped).
const MAX_RETAINED_WRITER_BYTES = 1024 * 1024;
let writer: Writer | undefined; // created by the first encode, not at import

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
  const codec = codecOf(type);
  if (codec === undefined) {
    throw new RangeError(`cannot encode ${describeMessageType(type)}: not a message type of service protocol V5–V7`);
  }
  // Reserve the header, encode the payload right behind it, then write the header in place.
  writer ??= new Writer();
  writer.reset(FRAME_HEADER_SIZE);
  try {
    encodeFields(writer, codec, message as Record<string, unknown>);
  } catch (error) {
    writer = new Writer(); // a throwing encoder leaves the writer mid-message
    throw error;
  }
  const frame = writer.buf.slice(0, writer.pos);
  if (writer.buf.length > MAX_RETAINED_WRITER_BYTES) writer = new Writer();
  writeFrameHeader(frame, 0, type, flags, frame.length - FRAME_HEADER_SIZE);
  return frame;
}
