// The invocation state machine: pure and synchronous. Frames from the server go in; commands, run proposals and
// exactly one terminal frame (End, Suspension or Error) come out through the sink. No I/O, no timers, no user code.
//
//   waiting-start ──Start──▶ waiting-replay-entries ──(known_entries read)──▶ replaying ──(queue empty)──▶ processing
//   any ──End | Suspension | Error──▶ closed

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { REQUESTED_ACK_FLAG, type RawFrame } from "../protocol/frame.js";
import { ErrorBehavior } from "../protocol/generated/protocol.js";
import type {
  ErrorMessage,
  InputCommandMessage,
  NotificationTemplate,
  StartMessage,
} from "../protocol/generated/protocol.js";
import { MessageType, isCommand, isNotification, messageTypeName } from "../protocol/message-types.js";
import { decodeMessage, encodeMessage } from "../protocol/messages.js";
import { suspensionMessage, type AwaitTree } from "./await-tree.js";
import { diffFields } from "./command-diff.js";
import { AttemptClosedError, JournalMismatchError } from "./errors.js";
import { StateCache } from "./state-cache.js";
import { AttemptLimitError, DEFAULT_ATTEMPT_LIMITS, describeBytes, type AttemptLimits } from "./limits.js";
import {
  CANCEL_KEY,
  FIRST_AWAKEABLE_SIGNAL_ID,
  NotificationStore,
  completionKey,
  signalKey,
  type NotificationKey,
  type NotificationResult,
} from "./notifications.js";

export type MachineState = "waiting-start" | "waiting-replay-entries" | "replaying" | "processing" | "closed";

export interface RecordedCommand {
  type: number;
  // The decoded generated message; its shape depends on `type`.
  message: Record<string, any>;
}

export interface AttemptFailure {
  code: number;
  message: string;
  stacktrace?: string;
  nextRetryDelayMs?: number;
  related?: { index: number; name?: string; type?: number };
  /** V7: pause or fail the invocation instead of retrying it (ignored by older protocol versions). */
  behavior?: "pause" | "fail";
}

/** What to do with journal mismatches (the handler's `onJournalMismatchErrors` option). */
export type MismatchBehavior = "retry" | "pause" | "fail";

const utf8 = new TextDecoder();

export class InvocationMachine {
  state: MachineState = "waiting-start";
  closeReason: string | undefined;
  readonly notifications = new NotificationStore();
  readonly stateCache = new StateCache();
  /** Called whenever a notification arrives after user code started (bidirectional mode). */
  onNotification: (() => void) | undefined;
  private readonly closeListeners: ((reason: string) => void)[] = [];
  /** Called after a run proposal is written (eager runs use the proposed result). */
  onRunProposed: ((completionId: number, result: NotificationResult) => void) | undefined;
  /** Called when the server closes the request body after the journal (bidirectional mode). */
  onInputClosed: (() => void) | undefined;

  private start: StartMessage | undefined;
  private input: InputCommandMessage | undefined;
  private expectedEntries = 0;
  private receivedEntries = 0;
  private replayQueue: RecordedCommand[] = [];
  private replayPos = 0;
  private nextCompletionId = 1;
  private nextSignalId = FIRST_AWAKEABLE_SIGNAL_ID;
  private inputClosed = false;
  /** V7: run results proposed in this attempt, waiting for the server's ack to take their place in the order. */
  private readonly proposedRuns = new Map<number, NotificationResult>();
  /** Index of the next command (InputCommand is 0). */
  commandIndex = 0;
  /** Commands written (not replayed) in this attempt. */
  newCommands = 0;
  /** How journal mismatches end the attempt; pause and fail take effect from V7 on. */
  mismatchBehavior: MismatchBehavior = "retry";
  /** What this attempt may accumulate; exceeding one ends the attempt with an ErrorMessage naming it. */
  limits: AttemptLimits = DEFAULT_ATTEMPT_LIMITS;
  /** Bytes of frames written by this attempt. */
  outputBytes = 0;
  /**
   * The endpoint's journal value codec (journalValueCodecProvider): values this attempt writes are encoded with it;
   * values it reads were decoded by the transport before reaching the machine. With a codec, replayed commands are
   * not compared on their values (an encoding may differ on every attempt, e.g. encryption with a random nonce).
   */
  valueCodec: { encode(buf: Uint8Array): Uint8Array } | undefined;

  /** A value as written to the journal (through the codec, when there is one). */
  encodeValue(value: Uint8Array): Uint8Array {
    return this.valueCodec ? this.valueCodec.encode(value) : value;
  }

  /** The ErrorMessage this attempt ended with, if it failed. */
  failure: AttemptFailure | undefined;

  constructor(
    readonly version: number,
    private readonly sink: (frame: Uint8Array) => void,
  ) {}

  // ---- input side ----------------------------------------------------------------------------------------

  /** Feeds one frame from the request body. Throws ProtocolError for anything that breaks the protocol. */
  pushFrame(frame: RawFrame): void {
    if (this.state === "closed") return;
    const msg = decodeMessage(frame);
    switch (this.state) {
      case "waiting-start":
        if (msg.type !== MessageType.Start) {
          throw new ProtocolError(`expected StartMessage as the first frame, got ${messageTypeName(msg.type)}`);
        }
        return this.onStart(msg.message as StartMessage);
      case "waiting-replay-entries":
        return this.onReplayEntry({ type: msg.type, message: msg.message as Record<string, any> });
      default:
        return this.onLiveMessage(msg.type, msg.message as Record<string, any>);
    }
  }

  /** The server closed the request body. */
  closeInput(): void {
    if (this.state === "waiting-start") throw new ProtocolError("the request body ended before a StartMessage");
    if (this.state === "waiting-replay-entries") {
      throw new ProtocolError(
        `the request body ended after ${this.receivedEntries} of the ${this.expectedEntries} journal entries announced by the StartMessage`,
      );
    }
    if (this.inputClosed) return;
    this.inputClosed = true;
    this.onInputClosed?.();
  }

  /** Calls `listener` once, when the terminal frame has been written (or the attempt was abandoned). */
  whenClosed(listener: (reason: string) => void): void {
    if (this.state === "closed") listener(this.closeReason ?? "closed");
    else this.closeListeners.push(listener);
  }

  /** The transport is gone (the peer disconnected): close without writing anything, nobody would read it. */
  abandon(reason: string): void {
    if (this.state === "closed") return;
    this.close(`abandoned: ${reason}`);
  }

  get isInputClosed(): boolean {
    return this.inputClosed;
  }

  /** True once the StartMessage and all announced journal entries are in: user code may run. */
  get isReady(): boolean {
    return this.state === "replaying" || this.state === "processing";
  }

  get isReplaying(): boolean {
    return this.state === "replaying";
  }

  private onStart(start: StartMessage): void {
    const known = start.knownEntries ?? 0;
    if (known < 1) throw new ProtocolError("StartMessage announces 0 journal entries; the journal must begin with an InputCommand");
    this.start = start;
    this.expectedEntries = known;
    this.stateCache.init(start.stateMap ?? [], start.partialState ?? false);
    this.state = "waiting-replay-entries";
  }

  private onReplayEntry(entry: RecordedCommand): void {
    const first = this.receivedEntries === 0;
    if (first && entry.type !== MessageType.InputCommand) {
      throw new ProtocolError(`the journal must start with an InputCommand, got ${messageTypeName(entry.type)}`);
    }
    if (first) this.input = entry.message as InputCommandMessage;
    else if (isCommand(entry.type)) this.replayQueue.push(entry);
    else if (isNotification(entry.type)) this.addNotification(entry.message as NotificationTemplate);
    else throw new ProtocolError(`${messageTypeName(entry.type)} is not allowed among the journal entries`);
    if (this.state === "closed") return; // a limit ended the attempt while reading the journal
    this.receivedEntries++;
    if (this.receivedEntries === this.expectedEntries) {
      this.commandIndex = 1;
      this.state = this.replayQueue.length > 0 ? "replaying" : "processing";
    }
  }

  private onLiveMessage(type: number, message: Record<string, any>): void {
    if (isNotification(type)) {
      this.addNotification(message as NotificationTemplate);
      this.onNotification?.();
      return;
    }
    if (type === MessageType.ProposeRunCompletionAck) {
      const id = message.completionId as number;
      const result = this.proposedRuns.get(id);
      if (result === undefined) throw new ProtocolError(`ProposeRunCompletionAck for completion ${id}, which this attempt did not propose`);
      this.proposedRuns.delete(id);
      this.notifications.add(completionKey(id), result);
      this.onNotification?.();
      return;
    }
    throw new ProtocolError(`${messageTypeName(type)} is not allowed after the journal replay`);
  }

  private addNotification(n: NotificationTemplate): void {
    let key: NotificationKey;
    if (n.completionId != null) key = completionKey(n.completionId);
    else if (n.signalId != null) key = signalKey(n.signalId);
    else if (n.signalName != null) {
      this.notifications.addNamed(n.signalName, notificationResult(n));
      this.checkBufferedNotifications();
      return;
    } else throw new ProtocolError("notification without completion id, signal id or signal name");
    this.notifications.add(key, notificationResult(n));
    if (key === CANCEL_KEY) this.checkBufferedNotifications();
  }

  private checkBufferedNotifications(): void {
    const max = this.limits.maxBufferedNotifications;
    if (this.notifications.bufferedStreamItems <= max || this.state === "closed") return;
    this.failForLimit(
      "maxBufferedNotifications",
      `this attempt received more than ${max} signals that the handler has not read (attemptLimits.maxBufferedNotifications)`,
    );
  }

  /** Ends the attempt because a limit was exceeded, and returns the error to throw into user code. */
  private failForLimit(limit: keyof AttemptLimits, what: string): AttemptLimitError {
    const message = `Attempt limit exceeded: ${what}. The attempt was ended to protect the endpoint; raise the limit if this is intended.`;
    this.fail({ code: ErrorCode.INTERNAL, message });
    return new AttemptLimitError(limit, message);
  }

  // ---- facts from the StartMessage ---------------------------------------------------------------------------

  get startMessage(): StartMessage {
    if (!this.start) throw new Error("StartMessage not received yet");
    return this.start;
  }

  get inputCommand(): InputCommandMessage {
    if (!this.input) throw new Error("InputCommand not received yet");
    return this.input;
  }

  // ---- id allocation -----------------------------------------------------------------------------------------

  allocateCompletionId(): number {
    return this.nextCompletionId++;
  }

  allocateSignalId(): number {
    return this.nextSignalId++;
  }

  // ---- output side -------------------------------------------------------------------------------------------

  /** The next recorded command, when replaying; lets a syscall accept one of several recorded shapes. */
  peekRecorded(): RecordedCommand | undefined {
    return this.state === "replaying" ? this.replayQueue[this.replayPos] : undefined;
  }

  /**
   * Issues a command. While replaying, checks it against the recorded one (only the `compared` fields) and returns
   * the recorded message; while processing, writes it and returns undefined.
   */
  command(type: number, message: Record<string, any>, compared: readonly string[]): Record<string, any> | undefined {
    this.ensureOpen();
    const index = this.commandIndex++;
    if (this.state !== "replaying") {
      if (this.newCommands >= this.limits.maxCommands) {
        throw this.failForLimit("maxCommands", `this attempt wrote ${this.newCommands} commands (attemptLimits.maxCommands)`);
      }
      this.writeBounded(encodeMessage(type, message), messageTypeName(type));
      this.newCommands++;
      return undefined;
    }
    const recorded = this.replayQueue[this.replayPos++]!;
    const fields = this.valueCodec ? compared.filter((f) => f !== "value" && f !== "parameter") : compared;
    const difference = recorded.type !== type ? undefined : diffFields(recorded.message, message, fields);
    if (recorded.type !== type || difference !== undefined) {
      throw this.mismatch(index, recorded, type, message, difference);
    }
    if (this.replayPos === this.replayQueue.length) {
      this.replayQueue = [];
      this.replayPos = 0;
      this.state = "processing";
    }
    return recorded.message;
  }

  proposeRunCompletion(completionId: number, result: { value: Uint8Array } | { failure: NotificationResult & { tag: "failure" } }): void {
    this.ensureOpen();
    const stored: NotificationResult = "value" in result ? { tag: "value", value: result.value } : result.failure;
    const message =
      "value" in result
        ? { resultCompletionId: completionId, value: this.encodeValue(result.value) }
        : { resultCompletionId: completionId, failure: result.failure.failure };
    const ackRequested = this.version >= 7;
    if (ackRequested) this.proposedRuns.set(completionId, stored);
    this.writeBounded(encodeMessage(MessageType.ProposeRunCompletion, message, ackRequested ? REQUESTED_ACK_FLAG : 0), "ctx.run result");
    this.onRunProposed?.(completionId, stored);
  }

  /** Writes the EndMessage after the OutputCommand: the invocation is complete. */
  end(): void {
    this.ensureOpen();
    this.write(encodeMessage(MessageType.End, {}));
    this.close("completed");
  }

  /** Writes a SuspensionMessage listing what the pending awaits wait for. */
  suspend(awaits: AwaitTree[], waitForCancel: boolean): void {
    this.ensureOpen();
    this.write(encodeMessage(MessageType.Suspension, suspensionMessage(this.version, awaits, waitForCancel)));
    this.close("suspended");
  }

  /** Ends the attempt with an ErrorMessage; the server retries the invocation. Ignored once closed. */
  fail(failure: AttemptFailure): void {
    if (this.state === "closed") return;
    this.failure = failure;
    const msg: ErrorMessage = { code: failure.code, message: failure.message };
    if (failure.stacktrace) msg.stacktrace = failure.stacktrace;
    if (failure.related) {
      msg.relatedCommandIndex = failure.related.index;
      if (failure.related.name !== undefined) msg.relatedCommandName = failure.related.name;
      if (failure.related.type !== undefined) msg.relatedCommandType = failure.related.type;
    }
    if (failure.nextRetryDelayMs !== undefined) msg.nextRetryDelay = BigInt(Math.max(0, Math.round(failure.nextRetryDelayMs)));
    if (failure.behavior && this.version >= 7) msg.behavior = failure.behavior === "pause" ? ErrorBehavior.PAUSE : ErrorBehavior.FAIL;
    this.write(encodeMessage(MessageType.Error, msg));
    this.close(`failed with code ${failure.code}`);
  }

  /** Whether an await should also wait for the cancel signal (false once a cancellation was delivered). */
  hasPendingCancel(): boolean {
    return this.notifications.has(CANCEL_KEY);
  }

  /** The `behavior` field for a journal-mismatch ErrorMessage. */
  mismatchFailureBehavior(): { behavior?: "pause" | "fail" } {
    return this.mismatchBehavior === "retry" ? {} : { behavior: this.mismatchBehavior };
  }

  private write(frame: Uint8Array): void {
    this.outputBytes += frame.length;
    this.sink(frame);
  }

  /** Writes a frame produced by user code, within the message-size and output-size limits. */
  private writeBounded(frame: Uint8Array, what: string): void {
    const { maxMessageBytes, maxOutputBytes } = this.limits;
    if (frame.length > maxMessageBytes) {
      throw this.failForLimit(
        "maxMessageBytes",
        `a ${what} message of ${describeBytes(frame.length)} is larger than ${describeBytes(maxMessageBytes)} (attemptLimits.maxMessageBytes)`,
      );
    }
    if (this.outputBytes + frame.length > maxOutputBytes) {
      throw this.failForLimit(
        "maxOutputBytes",
        `this attempt would write more than ${describeBytes(maxOutputBytes)} of journal entries (attemptLimits.maxOutputBytes)`,
      );
    }
    this.write(frame);
  }

  private close(reason: string): void {
    this.state = "closed";
    this.closeReason = reason;
    for (const listener of this.closeListeners) listener(reason);
  }

  ensureOpen(): void {
    if (this.state === "closed") throw new AttemptClosedError(this.closeReason ?? "closed");
    if (this.state !== "replaying" && this.state !== "processing") {
      throw new Error("the state machine is not ready: the journal has not been received yet");
    }
  }

  private mismatch(
    index: number,
    recorded: RecordedCommand,
    type: number,
    actual: Record<string, any>,
    difference: string | undefined,
  ): JournalMismatchError {
    const describe = (t: number, m: Record<string, any>) => {
      const name = (m.name ?? m.entryName) as string | undefined;
      return name ? `${messageTypeName(t)} named '${name}'` : messageTypeName(t);
    };
    const detail =
      difference !== undefined
        ? `the journal has ${describe(recorded.type, recorded.message)}, and the code issued the same command with a different ${difference}`
        : `the journal has ${describe(recorded.type, recorded.message)}, but the code issued ${describe(type, actual)}`;
    const text =
      `Journal mismatch at command index ${index}: ${detail}. ` +
      "The handler code changed in a way that is not compatible with invocations already in flight, or it is not deterministic " +
      "(use ctx.run for side effects, ctx.rand / ctx.date for random values and time).";
    const recordedName = (recorded.message.name ?? recorded.message.entryName) as string | undefined;
    this.fail({
      code: ErrorCode.JOURNAL_MISMATCH,
      message: text,
      related: { index, name: recordedName, type: recorded.type },
      ...this.mismatchFailureBehavior(),
    });
    return new JournalMismatchError(text, index, recordedName, recorded.type);
  }
}

function notificationResult(n: NotificationTemplate): NotificationResult {
  if (n.value != null) return { tag: "value", value: n.value.content ?? new Uint8Array(0) };
  if (n.failure != null) {
    return {
      tag: "failure",
      failure: { code: n.failure.code ?? 0, message: n.failure.message ?? "", metadata: (n.failure.metadata ?? []).map((m) => ({ key: m.key ?? "", value: m.value ?? "" })) },
    };
  }
  if (n.invocationId != null) return { tag: "invocationId", invocationId: n.invocationId };
  if (n.stateKeys != null) return { tag: "stateKeys", keys: (n.stateKeys.keys ?? []).map((k) => utf8.decode(k)) };
  if (n.void != null) return { tag: "void" };
  throw new ProtocolError("notification without a result (void, value, failure, invocation id or state keys)");
}
