// The invocation state machine: pure and synchronous. Frames from the server go in; commands, run proposals and
// exactly one terminal frame (End, Suspension or Error) come out through the sink. No I/O, no timers, no user code.
//
//   waiting-start ──Start──▶ waiting-replay-entries ──(known_entries read)──▶ replaying ──(queue empty)──▶ processing
//   any ──End | Suspension | Error──▶ closed
//
// Every determinism rule lives in this folder: what a replayed command is compared on (replay-rules.ts), what an
// attempt whose handler is blocked must do (decideAwait: wait, suspend or report a mismatch), what a failed ctx.run
// becomes under its retry policy (failRun, run-retry.ts) and the invocation's input (invocation-input.ts).
// The context asks; it never reads the StartMessage or writes a terminal frame itself.

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import { REQUESTED_ACK_FLAG, type RawFrame } from "../protocol/frame.js";
import type {
  InputCommandMessage,
  NotificationTemplate,
  StartMessage,
} from "../protocol/generated/protocol.js";
import { MessageType, isCommand, isNotification, messageTypeName } from "../protocol/message-types.js";
import { decodeMessage, encodeMessage } from "../protocol/messages.js";
import type { DecodableMessageType, MessageOf } from "../protocol/messages.js";
import { awaitedKeys, suspensionMessage, type AwaitTree } from "./await-tree.js";
import { diffFields, mismatchText } from "./command-diff.js";
import {
  AttemptClosedError,
  JournalMismatchError,
  awaitMismatchFailure,
  errorMessage,
  inputFailure,
  retryableFailure,
  runRetryFailure,
} from "./errors.js";
import { invocationInput, type InvocationInput } from "./invocation-input.js";
import type { ReplayRule } from "./replay-rules.js";
import type { AttemptFailure, AwaitDecision, MachineOptions, MachineState, MismatchBehavior, RecordedCommand, RunError, RunHandleFacts } from "./machine-state.js";
import { decideRunRetry, type RunRetryDecision, type RunRetryPolicy } from "./run-retry.js";
import { StateCache } from "./state-cache.js";
import { AttemptLimitError, DEFAULT_ATTEMPT_LIMITS, describeBytes, type AttemptLimits } from "./limits.js";
import {
  CANCEL_KEY,
  FIRST_AWAKEABLE_SIGNAL_ID,
  NotificationStore,
  completionKey,
  notificationResult,
  signalKey,
  type NotificationKey,
  type NotificationResult,
} from "./notifications.js";

export type {
  AttemptFailure,
  AwaitDecision,
  MachineOptions,
  MachineState,
  MismatchBehavior,
  RecordedCommand,
  RunError,
  RunHandleFacts,
} from "./machine-state.js";

type Listener<A extends unknown[] = []> = (...args: A) => void;

export class InvocationMachine {
  #current: MachineState = { name: "waiting-start" };
  readonly notifications = new NotificationStore();
  readonly stateCache = new StateCache();
  readonly #closeListeners: Listener<[reason: string]>[] = [];
  readonly #notificationListeners: Listener[] = [];
  readonly #runProposedListeners: Listener<[completionId: number, result: NotificationResult]>[] = [];
  readonly #inputClosedListeners: Listener[] = [];

  #start: StartMessage | undefined;
  #input: InputCommandMessage | undefined;
  #replayQueue: RecordedCommand[] = [];
  #nextCompletionId = 1;
  #nextSignalId = FIRST_AWAKEABLE_SIGNAL_ID;
  #inputClosed = false;
  /** V7: run results proposed in this attempt, waiting for the server's ack to take their place in the order. */
  #proposedRuns: Map<number, NotificationResult> | undefined; // created on the first proposal that asks for an ack
  #nextCommandIndex = 0;
  #writtenCommands = 0;
  #written = 0;
  readonly #mismatchBehavior: MismatchBehavior;
  /** What this attempt may accumulate; exceeding one ends the attempt with an ErrorMessage naming it. */
  readonly limits: AttemptLimits;
  /**
   * The endpoint's journal value codec (journalValueCodecProvider): values this attempt writes are encoded with it;
   * values it reads were decoded by the transport before reaching the machine. With a codec, replayed commands are
   * not compared on their values (an encoding may differ on every attempt, e.g. encryption with a random nonce).
   */
  readonly #sink: (frame: Uint8Array) => void;
  #valueCodec: { encode(buf: Uint8Array): Uint8Array } | undefined;

  constructor(
    readonly version: number,
    sink: (frame: Uint8Array) => void,
    options: MachineOptions = {},
  ) {
    this.#sink = sink;
    this.#mismatchBehavior = options.mismatchBehavior ?? "retry";
    this.limits = options.limits ?? DEFAULT_ATTEMPT_LIMITS;
  }

  /** Where the attempt is (read-only: only frames and the machine's own methods move it). */
  get state(): MachineState {
    return this.#current;
  }

  get isClosed(): boolean {
    return this.#current.name === "closed";
  }

  /** The ErrorMessage this attempt ended with, if it failed. */
  get failure(): AttemptFailure | undefined {
    return this.#current.name === "closed" ? this.#current.failure : undefined;
  }

  /** Index of the next command (InputCommand is 0). */
  get commandIndex(): number {
    return this.#nextCommandIndex;
  }

  /** Commands written (not replayed) in this attempt. */
  get newCommands(): number {
    return this.#writtenCommands;
  }

  /** Gives the machine the endpoint's journal value codec, before the journal is read. */
  useValueCodec(codec: { encode(buf: Uint8Array): Uint8Array }): void {
    this.#valueCodec = codec;
  }

  /** A value as written to the journal (through the codec, when there is one). */
  encodeValue(value: Uint8Array): Uint8Array {
    return this.#valueCodec ? this.#valueCodec.encode(value) : value;
  }

  // ---- listeners -------------------------------------------------------------------------------------------

  /** Called whenever a notification arrives after user code started (bidirectional mode, V7 run acks). */
  onNotification(listener: Listener): void {
    this.#notificationListeners.push(listener);
  }

  /** Called after a run proposal is written (eager runs use the proposed result). */
  onRunProposed(listener: Listener<[completionId: number, result: NotificationResult]>): void {
    this.#runProposedListeners.push(listener);
  }

  /** Called when the server closes the request body after the journal (bidirectional mode). */
  onInputClosed(listener: Listener): void {
    this.#inputClosedListeners.push(listener);
  }

  /** Calls `listener` once, when the terminal frame has been written (or the attempt was abandoned). */
  whenClosed(listener: Listener<[reason: string]>): void {
    if (this.#current.name === "closed") listener(this.#current.reason);
    else this.#closeListeners.push(listener);
  }

  // ---- input side ----------------------------------------------------------------------------------------

  /** Feeds one frame from the request body. Throws ProtocolError for anything that breaks the protocol. */
  pushFrame(frame: RawFrame): void {
    const state = this.#current;
    if (state.name === "closed") return;
    const msg = decodeMessage(frame);
    if (state.name === "waiting-start") {
      if (msg.type !== MessageType.Start) {
        throw new ProtocolError(`expected StartMessage as the first frame, got ${messageTypeName(msg.type)}`);
      }
      return this.#onStart(msg.message as StartMessage);
    }
    // The decoded message is the recorded command as it is (its `flags` field is never read): no wrapper per entry.
    if (state.name === "waiting-replay-entries") return this.#onReplayEntry(state, msg as RecordedCommand);
    return this.#onLiveMessage(msg.type, msg.message as Record<string, any>);
  }

  /** The server closed the request body. */
  closeInput(): void {
    const state = this.#current;
    if (state.name === "waiting-start") throw new ProtocolError("the request body ended before a StartMessage");
    if (state.name === "waiting-replay-entries") {
      throw new ProtocolError(
        `the request body ended after ${state.received} of the ${state.expected} journal entries announced by the StartMessage`,
      );
    }
    if (this.#inputClosed) return;
    this.#inputClosed = true;
    for (const listener of this.#inputClosedListeners) listener();
  }

  /** The transport is gone (the peer disconnected): close without writing anything, nobody would read it. */
  abandon(reason: string): void {
    if (this.#current.name !== "closed") this.#close(`abandoned: ${reason}`, undefined);
  }

  get isInputClosed(): boolean {
    return this.#inputClosed;
  }

  /** True once the StartMessage and all announced journal entries are in: user code may run. */
  get isReady(): boolean {
    return this.#current.name === "replaying" || this.#current.name === "processing";
  }

  get isReplaying(): boolean {
    return this.#current.name === "replaying";
  }

  #onStart(start: StartMessage): void {
    const known = start.knownEntries ?? 0;
    if (known < 1) throw new ProtocolError("StartMessage announces 0 journal entries; the journal must begin with an InputCommand");
    this.#start = start;
    this.stateCache.init(start.stateMap ?? [], start.partialState ?? false);
    this.#current = { name: "waiting-replay-entries", expected: known, received: 0 };
  }

  #onReplayEntry(state: MachineState & { name: "waiting-replay-entries" }, entry: RecordedCommand): void {
    const first = state.received === 0;
    if (first && entry.type !== MessageType.InputCommand) {
      throw new ProtocolError(`the journal must start with an InputCommand, got ${messageTypeName(entry.type)}`);
    }
    if (first) this.#input = entry.message as InputCommandMessage;
    else if (isCommand(entry.type)) this.#replayQueue.push(entry);
    else if (isNotification(entry.type)) this.#addNotification(entry.message as NotificationTemplate);
    else throw new ProtocolError(`${messageTypeName(entry.type)} is not allowed among the journal entries`);
    if (this.#current.name === "closed") return; // a limit ended the attempt while reading the journal
    const received = state.received + 1;
    if (received < state.expected) {
      // Counted in place (the state object is the machine's own): no new state object per journal entry.
      (state as { received: number }).received = received;
      return;
    }
    this.#nextCommandIndex = 1;
    const queue = this.#replayQueue;
    this.#replayQueue = [];
    this.#current = queue.length > 0 ? { name: "replaying", queue, position: 0 } : { name: "processing" };
  }

  #onLiveMessage(type: number, message: Record<string, any>): void {
    if (isNotification(type)) {
      this.#addNotification(message as NotificationTemplate);
    } else if (type === MessageType.ProposeRunCompletionAck) {
      const id = message.completionId as number;
      const result = this.#proposedRuns?.get(id);
      if (result === undefined) throw new ProtocolError(`ProposeRunCompletionAck for completion ${id}, which this attempt did not propose`);
      this.#proposedRuns!.delete(id);
      this.notifications.add(completionKey(id), result);
    } else {
      throw new ProtocolError(`${messageTypeName(type)} is not allowed after the journal replay`);
    }
    for (const listener of this.#notificationListeners) listener();
  }

  #addNotification(n: NotificationTemplate): void {
    let key: NotificationKey;
    if (n.completionId != null) key = completionKey(n.completionId);
    else if (n.signalId != null) key = signalKey(n.signalId);
    else if (n.signalName != null) {
      this.notifications.addNamed(n.signalName, notificationResult(n));
      this.#checkBufferedNotifications();
      return;
    } else throw new ProtocolError("notification without completion id, signal id or signal name");
    this.notifications.add(key, notificationResult(n));
    if (key === CANCEL_KEY) this.#checkBufferedNotifications();
  }

  #checkBufferedNotifications(): void {
    const max = this.limits.maxBufferedNotifications;
    if (this.notifications.bufferedStreamItems <= max || this.#current.name === "closed") return;
    this.#failForLimit(
      "maxBufferedNotifications",
      `this attempt received more than ${max} signals that the handler has not read (attemptLimits.maxBufferedNotifications)`,
    );
  }

  /** Ends the attempt because a limit was exceeded, and returns the error to throw into user code. */
  #failForLimit(limit: keyof AttemptLimits, what: string): AttemptLimitError {
    const message = `Attempt limit exceeded: ${what}. The attempt was ended to protect the endpoint; raise the limit if this is intended.`;
    this.#fail({ code: ErrorCode.INTERNAL, message });
    return new AttemptLimitError(limit, message);
  }

  // ---- the invocation's input --------------------------------------------------------------------------------

  /** The invocation's id, key, headers, body, random seed and retry counters, once the journal is in. */
  readInput(): Promise<InvocationInput> {
    return invocationInput(this.version, this.#start!, this.#input!);
  }

  /** The invocation id's bytes (awakeable ids derive from them). */
  get invocationIdBytes(): Uint8Array {
    return this.#start!.id ?? new Uint8Array(0);
  }

  // ---- id allocation -----------------------------------------------------------------------------------------

  allocateCompletionId(): number {
    return this.#nextCompletionId++;
  }

  allocateSignalId(): number {
    return this.#nextSignalId++;
  }

  // ---- output side -------------------------------------------------------------------------------------------

  /** The next recorded command, when replaying; lets a syscall accept one of several recorded shapes. */
  peekRecorded(): RecordedCommand | undefined {
    const state = this.#current;
    return state.name === "replaying" ? state.queue[state.position] : undefined;
  }

  /**
   * Issues a command. While replaying, checks it against the recorded one (the fields its replay rule names) and
   * returns the recorded message; while processing, writes it and returns undefined.
   */
  command<K extends DecodableMessageType>(rule: ReplayRule<K>, message: MessageOf<K>): MessageOf<K> | undefined {
    this.ensureOpen();
    const index = this.#nextCommandIndex++;
    const state = this.#current;
    const type = rule.type;
    if (state.name !== "replaying") {
      if (this.#writtenCommands >= this.limits.maxCommands) {
        throw this.#failForLimit("maxCommands", `this attempt wrote ${this.#writtenCommands} commands (attemptLimits.maxCommands)`);
      }
      this.#writeBounded(encodeMessage(type, message as never), messageTypeName(type));
      this.#writtenCommands++;
      return undefined;
    }
    const recorded = state.queue[state.position]!;
    const fields = this.#valueCodec ? rule.fields.filter((f) => !rule.values.includes(f)) : rule.fields;
    const difference = recorded.type !== type ? undefined : diffFields(recorded.message, message as object, fields);
    if (recorded.type !== type || difference !== undefined) {
      throw this.#mismatch(index, recorded, type, message as Record<string, any>, difference);
    }
    const position = state.position + 1;
    if (position === state.queue.length) this.#current = { name: "processing" };
    else (state as { position: number }).position = position; // in place: no new state object per replayed command
    return recorded.message as MessageOf<K>;
  }

  proposeRunCompletion(completionId: number, result: { value: Uint8Array } | { failure: NotificationResult & { tag: "failure" } }): void {
    this.ensureOpen();
    const stored: NotificationResult = "value" in result ? { tag: "value", value: result.value } : result.failure;
    const message =
      "value" in result
        ? { resultCompletionId: completionId, value: this.encodeValue(result.value) }
        : { resultCompletionId: completionId, failure: result.failure.failure };
    const ackRequested = this.version >= 7;
    if (ackRequested) (this.#proposedRuns ??= new Map()).set(completionId, stored);
    this.#writeBounded(encodeMessage(MessageType.ProposeRunCompletion, message, ackRequested ? REQUESTED_ACK_FLAG : 0), "ctx.run result");
    for (const listener of this.#runProposedListeners) listener(completionId, stored);
  }

  /** Writes the EndMessage after the OutputCommand: the invocation is complete. */
  end(): void {
    this.ensureOpen();
    this.#write(encodeMessage(MessageType.End, {}));
    this.#close("completed", undefined);
  }

  /** Writes a SuspensionMessage listing what the pending awaits wait for. */
  suspend(awaits: AwaitTree[], waitForCancel: boolean): void {
    this.ensureOpen();
    this.#write(encodeMessage(MessageType.Suspension, suspensionMessage(this.version, awaits, waitForCancel)));
    this.#close("suspended", undefined, awaitedKeys(awaits));
  }

  // ---- decisions ---------------------------------------------------------------------------------------------

  /**
   * The handler awaits something without a result and has nothing else to do: decides whether the attempt waits,
   * suspends or ends with a journal mismatch, and for the last two writes the terminal frame. `pending` lists what
   * the awaits still wait for (computed only when needed); waitForCancel: a suspension also waits for the cancel
   * signal. Returns undefined when the attempt is already closed.
   */
  decideAwait(runsExecuting: boolean, pending: () => AwaitTree[], waitForCancel: boolean): AwaitDecision | undefined {
    if (this.#current.name === "closed") return undefined;
    if (runsExecuting || !this.#inputClosed) return "wait";
    const trees = pending();
    if (this.isReplaying) {
      this.#fail({ ...awaitMismatchFailure(this.#nextCommandIndex, awaitedKeys(trees)), ...this.#mismatchFailureBehavior() });
      return "mismatch";
    }
    this.suspend(trees, waitForCancel);
    return "suspend";
  }

  /**
   * A ctx.run closure failed with a retryable error: under the run's retry policy (and the retries the server already
   * made, when this run is where the previous attempt stopped) either end the attempt with an ErrorMessage asking
   * for a retry after the next delay, or journal the failure as the run's terminal result.
   */
  failRun(run: RunHandleFacts, error: RunError, policy: RunRetryPolicy, tookMs: number): RunRetryDecision | undefined {
    if (this.#current.name === "closed") return undefined;
    const retry = this.#start!;
    const previousAttempts = run.firstNewEntry ? (retry.retryCountSinceLastStoredEntry ?? 0) : 0;
    const previousMs = run.firstNewEntry ? Number(retry.durationSinceLastStoredEntry ?? 0n) : 0;
    const decision = decideRunRetry(policy, previousAttempts + 1, previousMs + tookMs, error.retryAfterMs);
    if (decision.retry) {
      this.#fail(runRetryFailure(run, error, decision.delayMs));
    } else {
      const message = `ctx.run '${run.name}' failed after ${previousAttempts + 1} attempt(s): ${error.message}`;
      this.proposeRunCompletion(run.completionId, { failure: { tag: "failure", failure: { code: ErrorCode.INTERNAL, message, metadata: [] } } });
    }
    return decision;
  }

  /** The handler ended with an error that is not terminal: the server retries the invocation (errors.ts says how). */
  failRetryable(error: Error): void {
    this.#fail(retryableFailure(error));
  }

  /** The request body broke the protocol or could not be read: ends the attempt naming why. */
  failInput(error: Error): void {
    this.#fail(inputFailure(error));
  }

  /** Something unexpected broke the attempt (`what` names where): the server retries it. */
  failInternal(what: string, error: Error): void {
    this.#fail({ code: ErrorCode.INTERNAL, message: `${what}: ${error.message}` });
  }

  /** Whether an await should also wait for the cancel signal (false once a cancellation was delivered). */
  hasPendingCancel(): boolean {
    return this.notifications.has(CANCEL_KEY);
  }

  /** Ends the attempt with an ErrorMessage; the server retries the invocation. Ignored once closed. */
  #fail(failure: AttemptFailure): void {
    if (this.#current.name === "closed") return;
    this.#write(encodeMessage(MessageType.Error, errorMessage(this.version, failure)));
    this.#close(`failed with code ${failure.code}`, failure);
  }

  /** The `behavior` field for a journal-mismatch ErrorMessage. */
  #mismatchFailureBehavior(): { behavior?: "pause" | "fail" } {
    return this.#mismatchBehavior === "retry" ? {} : { behavior: this.#mismatchBehavior };
  }

  #write(frame: Uint8Array): void {
    this.#written += frame.length;
    this.#sink(frame);
  }

  /** Writes a frame produced by user code, within the message-size and output-size limits. */
  #writeBounded(frame: Uint8Array, what: string): void {
    const { maxMessageBytes, maxOutputBytes } = this.limits;
    if (frame.length > maxMessageBytes) {
      throw this.#failForLimit(
        "maxMessageBytes",
        `a ${what} message of ${describeBytes(frame.length)} is larger than ${describeBytes(maxMessageBytes)} (attemptLimits.maxMessageBytes)`,
      );
    }
    if (this.#written + frame.length > maxOutputBytes) {
      throw this.#failForLimit(
        "maxOutputBytes",
        `this attempt would write more than ${describeBytes(maxOutputBytes)} of journal entries (attemptLimits.maxOutputBytes)`,
      );
    }
    this.#write(frame);
  }

  #close(reason: string, failure: AttemptFailure | undefined, suspendedOn?: NotificationKey[]): void {
    this.#current = { name: "closed", reason, failure, suspendedOn };
    for (const listener of this.#closeListeners) listener(reason);
  }

  /** Throws into user code when no command may be issued (closed, or the journal is not in yet). */
  ensureOpen(): void {
    const state = this.#current;
    if (state.name === "closed") throw new AttemptClosedError(state.reason);
    if (state.name !== "replaying" && state.name !== "processing") {
      throw new Error("the state machine is not ready: the journal has not been received yet");
    }
  }

  #mismatch(
    index: number,
    recorded: RecordedCommand,
    type: number,
    actual: Record<string, any>,
    difference: string | undefined,
  ): JournalMismatchError {
    const text = mismatchText(index, recorded, type, actual, difference);
    const recordedName = (recorded.message.name ?? recorded.message.entryName) as string | undefined;
    this.#fail({
      code: ErrorCode.JOURNAL_MISMATCH,
      message: text,
      related: { index, name: recordedName, type: recorded.type },
      ...this.#mismatchFailureBehavior(),
    });
    return new JournalMismatchError(text, index, recordedName, recorded.type);
  }
}
