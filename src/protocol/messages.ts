/**
 * Typed registry: message type id ⇄ generated protobuf codec.
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
import { decodeFields, encodeFields, MESSAGES as M, type MessageSchema } from "./schema.js";
import { Reader, Writer } from "./wire.js";

/** A message table typed with the interface it decodes to. */
type Codec<T> = MessageSchema & { readonly __type?: T };
const typed = <T>(schema: MessageSchema): Codec<T> => schema;
const Notification = typed<NotificationTemplate>(M.NotificationTemplate);

/** Every message type id of V5–V7 and its codec. */
const CODECS = {
  [MessageType.Start]: typed<StartMessage>(M.StartMessage),
  [MessageType.Suspension]: typed<SuspensionMessage>(M.SuspensionMessage),
  [MessageType.Error]: typed<ErrorMessage>(M.ErrorMessage),
  [MessageType.End]: typed<EndMessage>(M.EndMessage),
  [MessageType.CommandAck]: typed<CommandAckMessage>(M.CommandAckMessage),
  [MessageType.ProposeRunCompletion]: typed<ProposeRunCompletionMessage>(M.ProposeRunCompletionMessage),
  [MessageType.AwaitingOn]: typed<AwaitingOnMessage>(M.AwaitingOnMessage),
  [MessageType.ProposeRunCompletionAck]: typed<ProposeRunCompletionAckMessage>(M.ProposeRunCompletionAckMessage),

  [MessageType.InputCommand]: typed<InputCommandMessage>(M.InputCommandMessage),
  [MessageType.OutputCommand]: typed<OutputCommandMessage>(M.OutputCommandMessage),
  [MessageType.GetLazyStateCommand]: typed<GetLazyStateCommandMessage>(M.GetLazyStateCommandMessage),
  [MessageType.SetStateCommand]: typed<SetStateCommandMessage>(M.SetStateCommandMessage),
  [MessageType.ClearStateCommand]: typed<ClearStateCommandMessage>(M.ClearStateCommandMessage),
  [MessageType.ClearAllStateCommand]: typed<ClearAllStateCommandMessage>(M.ClearAllStateCommandMessage),
  [MessageType.GetLazyStateKeysCommand]: typed<GetLazyStateKeysCommandMessage>(M.GetLazyStateKeysCommandMessage),
  [MessageType.GetEagerStateCommand]: typed<GetEagerStateCommandMessage>(M.GetEagerStateCommandMessage),
  [MessageType.GetEagerStateKeysCommand]: typed<GetEagerStateKeysCommandMessage>(M.GetEagerStateKeysCommandMessage),
  [MessageType.GetPromiseCommand]: typed<GetPromiseCommandMessage>(M.GetPromiseCommandMessage),
  [MessageType.PeekPromiseCommand]: typed<PeekPromiseCommandMessage>(M.PeekPromiseCommandMessage),
  [MessageType.CompletePromiseCommand]: typed<CompletePromiseCommandMessage>(M.CompletePromiseCommandMessage),
  [MessageType.SleepCommand]: typed<SleepCommandMessage>(M.SleepCommandMessage),
  [MessageType.CallCommand]: typed<CallCommandMessage>(M.CallCommandMessage),
  [MessageType.OneWayCallCommand]: typed<OneWayCallCommandMessage>(M.OneWayCallCommandMessage),
  [MessageType.SendSignalCommand]: typed<SendSignalCommandMessage>(M.SendSignalCommandMessage),
  [MessageType.RunCommand]: typed<RunCommandMessage>(M.RunCommandMessage),
  [MessageType.AttachInvocationCommand]: typed<AttachInvocationCommandMessage>(M.AttachInvocationCommandMessage),
  [MessageType.GetInvocationOutputCommand]: typed<GetInvocationOutputCommandMessage>(M.GetInvocationOutputCommandMessage),
  [MessageType.CompleteAwakeableCommand]: typed<CompleteAwakeableCommandMessage>(M.CompleteAwakeableCommandMessage),

  [MessageType.GetLazyStateCompletion]: Notification,
  [MessageType.GetLazyStateKeysCompletion]: Notification,
  [MessageType.GetPromiseCompletion]: Notification,
  [MessageType.PeekPromiseCompletion]: Notification,
  [MessageType.CompletePromiseCompletion]: Notification,
  [MessageType.SleepCompletion]: Notification,
  [MessageType.CallCompletion]: Notification,
  [MessageType.CallInvocationIdCompletion]: Notification,
  [MessageType.RunCompletion]: Notification,
  [MessageType.AttachInvocationCompletion]: Notification,
  [MessageType.GetInvocationOutputCompletion]: Notification,
  [MessageType.SignalNotification]: Notification,
} as const;

type Codecs = typeof CODECS;

/** Type ids that have a codec (all of MessageType). */
export type DecodableMessageType = keyof Codecs;

/** The generated interface for a type id, e.g. MessageOf<0x0411> = RunCommandMessage. */
export type MessageOf<T extends DecodableMessageType> = Codecs[T] extends Codec<infer M> ? M : never;

/** A decoded frame: discriminate on `type` to get the matching generated interface in `message`. */
export type Message = {
  [T in DecodableMessageType]: { type: T; flags: number; message: MessageOf<T> };
}[DecodableMessageType];

const codecByType = new Map<number, MessageSchema>(Object.entries(CODECS).map(([type, codec]) => [Number(type), codec]));

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
  const codec = codecByType.get(frame.type);
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
let writer = new Writer();

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
  // Reserve the header, encode the payload right behind it, then write the header in place.
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
