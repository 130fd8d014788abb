/**
 * Message type ids of the Restate service protocol V5–V7 (the u16 in the frame header).
 * Ranges: 0x0000–0x03FF control, 0x0400–0x7FFF commands, 0x8000–0xFBFF notifications,
 * 0xFC00–0xFFFF custom entries (never produced or accepted by perdure).
 */
export const MessageType = {
  // Control messages
  Start: 0x0000,
  Suspension: 0x0001,
  Error: 0x0002,
  End: 0x0003,
  /** Defined by the protocol, never sent by the server, never to be emitted. */
  CommandAck: 0x0004,
  ProposeRunCompletion: 0x0005,
  /** V7 */
  AwaitingOn: 0x0006,
  /** V7 */
  ProposeRunCompletionAck: 0x0007,

  // Commands
  InputCommand: 0x0400,
  OutputCommand: 0x0401,
  GetLazyStateCommand: 0x0402,
  SetStateCommand: 0x0403,
  ClearStateCommand: 0x0404,
  ClearAllStateCommand: 0x0405,
  GetLazyStateKeysCommand: 0x0406,
  GetEagerStateCommand: 0x0407,
  GetEagerStateKeysCommand: 0x0408,
  GetPromiseCommand: 0x0409,
  PeekPromiseCommand: 0x040a,
  CompletePromiseCommand: 0x040b,
  SleepCommand: 0x040c,
  CallCommand: 0x040d,
  OneWayCallCommand: 0x040e,
  SendSignalCommand: 0x0410,
  RunCommand: 0x0411,
  AttachInvocationCommand: 0x0412,
  GetInvocationOutputCommand: 0x0413,
  CompleteAwakeableCommand: 0x0414,

  // Notifications (all decoded with NotificationTemplate)
  GetLazyStateCompletion: 0x8002,
  GetLazyStateKeysCompletion: 0x8006,
  GetPromiseCompletion: 0x8009,
  PeekPromiseCompletion: 0x800a,
  CompletePromiseCompletion: 0x800b,
  SleepCompletion: 0x800c,
  CallCompletion: 0x800d,
  CallInvocationIdCompletion: 0x800e,
  RunCompletion: 0x8011,
  AttachInvocationCompletion: 0x8012,
  GetInvocationOutputCompletion: 0x8013,
  SignalNotification: 0xfbff,
} as const;

export type MessageTypeName = keyof typeof MessageType;
export type MessageTypeId = (typeof MessageType)[MessageTypeName];

let names: Map<number, MessageTypeName> | undefined;

/** Type id → name, built on first use (error messages and checks of unknown ids), not at import. */
function nameOf(type: number): MessageTypeName | undefined {
  names ??= new Map((Object.keys(MessageType) as MessageTypeName[]).map((name) => [MessageType[name], name]));
  return names.get(type);
}

/** `0x040D`-style rendering of a type id, for messages. */
export function formatMessageType(type: number): string {
  return "0x" + type.toString(16).toUpperCase().padStart(4, "0");
}

/** "RunCommand", or "unknown message type 0x1234" for ids outside the V5–V7 catalogue. */
export function messageTypeName(type: number): string {
  return nameOf(type) ?? `unknown message type ${formatMessageType(type)}`;
}

/** "0x0411 RunCommand" — the form used in error messages. */
export function describeMessageType(type: number): string {
  const name = nameOf(type);
  return name === undefined ? `unknown message type ${formatMessageType(type)}` : `${formatMessageType(type)} ${name}`;
}

/** True for ids in the V5–V7 catalogue. */
export function isKnownMessageType(type: number): type is MessageTypeId {
  return nameOf(type) !== undefined;
}

/** True for the control namespace 0x0000–0x03FF. */
export function isControl(type: number): boolean {
  return type >= 0 && type <= 0x03ff;
}

/**
 * True for the command namespace 0x0400–0x7FFF (by range, like the reference decoder:
 * an unknown 0x04xx still counts as a command). Combine with isKnownMessageType if needed.
 */
export function isCommand(type: number): boolean {
  return type >= 0x0400 && type <= 0x7fff;
}

/** True for the notification namespace 0x8000–0xFBFF (completions and signals), by range. */
export function isNotification(type: number): boolean {
  return type >= 0x8000 && type <= 0xfbff;
}
