// The offline journal harness: runs one handler of a definition against a scripted journal, with no server.
//
// It plays restate-server's part in request-response mode with the real protocol codecs and the real state machine:
// the journal goes in as encoded frames (Start + InputCommand + recorded entries), the handler runs, and every command
// it writes is recorded. Results come from the script the moment a command is written (a scripted `ctx.run` result
// means its closure never executes); run closures without a scripted result execute and their proposal is recorded.
// Signals (awakeables, named signals, cancellation) are delivered when the handler suspends, and the next attempt
// replays the whole journal. Finally the recorded journal is replayed once more: a handler that does not replay
// identically (non-deterministic code, or a script entry naming another command) ends with a journal mismatch.
//
//   const run = await runHandler(trips, "reserve", { input: {...}, journal: [{ call: "Flights/reserve", value: "f1" }] });
//   expect(run.commands.map((c) => c.summary)).toEqual([...]);

import { serviceEntryOf, type HandlerEntry, type ServiceEntry } from "../../definition/builders.js";
import { newMachine, startAttempt } from "../../endpoint/invoke.js";
import { FrameDecoder } from "../../protocol/frame.js";
import { MessageType, isCommand, messageTypeName } from "../../protocol/message-types.js";
import { encodeMessage } from "../../protocol/messages.js";
import type { SuspensionMessage } from "../../protocol/generated/protocol.js";
import { commandView, valueOf, type CommandView } from "./commands.js";
import {
  concat,
  decodeFrame,
  encodeState,
  entryOf,
  errorOf,
  fakeInvocationId,
  rawFrame,
  splitTarget,
  waitingOf,
  type AttemptError,
  type Entry,
  type Waiting,
} from "./frames.js";
import { ScriptQueue, isPending, resultFields, type JournalEntry, type ScriptedResult } from "./script.js";

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const EMPTY = new Uint8Array(0);
const INVOCATION_ID = Uint8Array.from({ length: 24 }, (_, i) => (i * 53 + 7) & 0xff);
const DEBUG_ID = "inv_1perdureHarness00000000000000";
const DEFAULT_SEED = 0x5eed_1234_abcd_0001n;

export interface RunHandlerOptions {
  /** The handler's input (serialized with the handler's input serde). */
  input?: unknown;
  /** Raw input bytes instead of `input`. */
  inputBytes?: Uint8Array;
  /** Object or workflow key (default `"test-key"` for keyed services). */
  key?: string;
  /** Initial state of the object/workflow key, JSON-encoded (a Uint8Array value is taken as raw bytes). */
  state?: Record<string, unknown>;
  /** Serve state lazily (as with `enableLazyState`): each get is a round trip answered from `state`. */
  lazyState?: boolean;
  /** Recorded results, in the order the handler needs them. */
  journal?: JournalEntry[];
  /** Start from a journal recorded by an earlier run (e.g. with the previous version of the handler). */
  replay?: RecordedJournal;
  /** Headers of the invocation (`ctx.request().headers`). */
  headers?: Record<string, string>;
  /** Service protocol version spoken (default 6, what a stock restate-server 1.7 negotiates). */
  protocolVersion?: 5 | 6 | 7;
  /** Seed of `ctx.rand` (V6+). */
  randomSeed?: bigint;
  /** Attempts after a retryable error before giving up with status "error" (default 0). */
  retries?: number;
  /** Replay the recorded journal once more at the end to check determinism (default true). */
  verifyReplay?: boolean;
  /** Safety net against handlers that never settle their journal (default 100). */
  maxAttempts?: number;
  /**
   * Replay the recorded journal only (used by `verifyJournals`): past its end no closure runs and nothing fires —
   * a new `ctx.run` fails with a TerminalError instead of executing, a new sleep never completes.
   */
  noNewEffects?: boolean;
}

/** An opaque recorded journal: the encoded InputCommand and every entry after it, as the server would store them. */
export interface RecordedJournal {
  readonly frames: readonly Uint8Array[];
  readonly protocolVersion: number;
}

export type HandlerRunStatus = "completed" | "failed" | "error" | "mismatch" | "suspended";

export interface HandlerRun<O = unknown> {
  /**
   * completed: returned a value · failed: ended with a TerminalError · error: threw a retryable error (the server
   * would retry) · mismatch: journal mismatch (code 570) · suspended: waits for something the script does not provide.
   */
  status: HandlerRunStatus;
  /** The returned value (status completed), decoded with the handler's output serde. */
  output?: O;
  /** The TerminalError the invocation ended with (status failed). */
  failure?: { code: number; message: string; metadata: Record<string, string> };
  /** The attempt's error (status error or mismatch). */
  error?: AttemptError;
  /** What the handler waits for (status suspended), e.g. `completion 3 (call Payments/charge)`. */
  waitingOn?: string[];
  /** Every command the handler issued, in journal order (the input excluded). */
  commands: CommandView[];
  /** The state of the key after the run (initial state with every set/clear applied), JSON-decoded. */
  state: Record<string, unknown>;
  /** Script entries nothing asked for. */
  unusedJournal: JournalEntry[];
  /** HTTP attempts it took (each suspension or retry starts a new one). */
  attempts: number;
  /** The journal as recorded, to replay it later (`replay` option) against changed code. */
  journal: RecordedJournal;
}

interface AttemptOutcome {
  entries: Entry[];
  terminal: { type: number; message: Record<string, any> } | undefined;
}

/** What a completion id belongs to, to answer it later and to explain a suspension. */
interface Pendingness {
  kind: "call" | "promise" | "attach" | "other";
  summary: string;
}

class HarnessRun {
  private readonly script: ScriptQueue;
  private readonly version: number;
  private readonly journal: Entry[] = [];
  private readonly unanswered = new Map<number, Pendingness>();
  private retryCount = 0;
  private attempts = 0;

  constructor(
    private readonly service: ServiceEntry,
    private readonly handler: HandlerEntry,
    private readonly options: RunHandlerOptions,
  ) {
    this.version = options.replay?.protocolVersion ?? options.protocolVersion ?? 6;
    this.script = new ScriptQueue(options.journal ?? []);
    if (options.replay) {
      for (const frame of options.replay.frames) this.journal.push({ ...decodeFrame(frame), frame });
    } else {
      const content = options.inputBytes ?? handler.input.serialize(options.input);
      const headers = Object.entries(options.headers ?? {}).map(([key, value]) => ({ key, value }));
      this.journal.push(entryOf(MessageType.InputCommand, { headers, value: { content } }));
    }
  }

  private get keyed(): boolean {
    return this.service.type !== "SERVICE";
  }

  private startFrame(knownEntries: number): Uint8Array {
    const state = Object.entries(this.options.state ?? {}).map(([key, value]) => ({ key: utf8.encode(key), value: encodeState(value) }));
    const lazy = !this.keyed || this.options.lazyState === true;
    return encodeMessage(MessageType.Start, {
      id: INVOCATION_ID,
      debugId: DEBUG_ID,
      knownEntries,
      stateMap: lazy ? [] : state,
      partialState: lazy,
      key: this.keyed ? (this.options.key ?? "test-key") : "",
      retryCountSinceLastStoredEntry: this.retryCount,
      randomSeed: this.options.randomSeed ?? DEFAULT_SEED,
    });
  }

  /** One attempt over the current journal; with `answer`, scripted results are injected as commands are written. */
  private async attempt(answer: boolean): Promise<AttemptOutcome> {
    this.attempts++;
    const entries: Entry[] = [];
    let terminal: AttemptOutcome["terminal"];
    const machine = newMachine(this.version, this.handler, (bytes) => {
      const { type, message } = decodeFrame(bytes);
      if (isCommand(type)) {
        entries.push({ type, message, frame: bytes });
        if (answer) for (const n of this.answer(type, message, entries)) deliver(n);
      } else if (type === MessageType.ProposeRunCompletion) {
        // The server stores the proposal as the run's completion and confirms it.
        const result = message.failure ? { failure: message.failure } : { value: { content: message.value ?? EMPTY } };
        const notification = entryOf(MessageType.RunCompletion, { completionId: message.resultCompletionId, ...result });
        entries.push(notification);
        if (answer) machine.pushFrame(rawFrame(notification.frame));
      } else if (type === MessageType.End || type === MessageType.Suspension || type === MessageType.Error) {
        terminal = { type, message };
      }
    });
    const deliver = (n: Entry) => {
      entries.push(n);
      machine.pushFrame(rawFrame(n.frame));
    };
    const decoder = new FrameDecoder();
    const body = concat([this.startFrame(this.journal.length), ...this.journal.map((e) => e.frame)]);
    for (const frame of decoder.push(body)) machine.pushFrame(frame);
    decoder.finish();
    machine.closeInput();
    const headers = new Headers({ "content-type": `application/vnd.restate.invocation.v${this.version}` });
    const request = new Request(`http://perdure.harness/invoke/${this.service.name}/${this.handler.name}`, { method: "POST", headers });
    await startAttempt(machine, request, this.service, this.handler, []);
    return { entries, terminal };
  }

  /**
   * Answers a command just written. Returns the notifications to deliver; may replace the command's recorded form
   * (last of `entries`) with what the script says was recorded there.
   */
  private answer(type: number, m: Record<string, any>, entries: Entry[]): Entry[] {
    const record = (patch: Record<string, unknown>) => {
      entries[entries.length - 1] = entryOf(type, { ...m, ...patch });
    };
    const complete = (completionId: number, fields: Record<string, unknown>, notificationType: number) =>
      entryOf(notificationType, { completionId, ...fields });
    if (this.options.noNewEffects && (type === MessageType.RunCommand || type === MessageType.SleepCommand)) {
      if (type === MessageType.SleepCommand) return [];
      const failure = { code: 500, message: "not executed: past the end of the recorded journal" };
      return [complete(m.resultCompletionId, { failure }, MessageType.RunCompletion)];
    }
    switch (type) {
      case MessageType.RunCommand: {
        const entry = this.script.take("run") as ({ run: string | true } & ScriptedResult) | undefined;
        if (!entry) return []; // the closure executes; its proposal is recorded
        if (typeof entry.run === "string" && entry.run !== (m.name ?? "")) record({ name: entry.run });
        return [complete(m.resultCompletionId, resultFields(entry, this.version), MessageType.RunCompletion)];
      }
      case MessageType.SleepCommand: {
        const entry = this.script.take("sleep") as { sleep: string | true } | undefined;
        if (entry && typeof entry.sleep === "string" && entry.sleep !== (m.name ?? "")) record({ name: entry.sleep });
        return [complete(m.resultCompletionId, { void: {} }, MessageType.SleepCompletion)];
      }
      case MessageType.CallCommand: {
        const out = [complete(m.invocationIdNotificationIdx, { invocationId: fakeInvocationId(m.invocationIdNotificationIdx) }, MessageType.CallInvocationIdCompletion)];
        const summary = `call ${m.key ? `${m.serviceName}/${m.key}/${m.handlerName}` : `${m.serviceName}/${m.handlerName}`}`;
        const entry = this.script.take("call") as ({ call: string | true; key?: string } & ScriptedResult) | undefined;
        if (!entry) {
          this.unanswered.set(m.resultCompletionId, { kind: "call", summary });
          return out;
        }
        if (typeof entry.call === "string") {
          const [service, handler] = splitTarget(entry.call);
          if (service !== m.serviceName || handler !== m.handlerName) record({ serviceName: service, handlerName: handler });
        }
        if (entry.key !== undefined && entry.key !== (m.key ?? "")) record({ key: entry.key });
        if (isPending(entry)) this.unanswered.set(m.resultCompletionId, { kind: "other", summary: `${summary} (pending in the script)` });
        else out.push(complete(m.resultCompletionId, resultFields(entry, this.version), MessageType.CallCompletion));
        return out;
      }
      case MessageType.OneWayCallCommand:
        return [complete(m.invocationIdNotificationIdx, { invocationId: fakeInvocationId(m.invocationIdNotificationIdx) }, MessageType.CallInvocationIdCompletion)];
      case MessageType.GetLazyStateCommand: {
        const name = utf8d.decode(m.key ?? EMPTY);
        const state = this.options.state ?? {};
        const fields = name in state ? { value: { content: encodeState(state[name]) } } : { void: {} };
        return [complete(m.resultCompletionId, fields, MessageType.GetLazyStateCompletion)];
      }
      case MessageType.GetLazyStateKeysCommand: {
        const keys = Object.keys(this.options.state ?? {}).map((k) => utf8.encode(k));
        return [complete(m.resultCompletionId, { stateKeys: { keys } }, MessageType.GetLazyStateKeysCompletion)];
      }
      case MessageType.GetPromiseCommand:
      case MessageType.PeekPromiseCommand: {
        const peek = type === MessageType.PeekPromiseCommand;
        const notificationType = peek ? MessageType.PeekPromiseCompletion : MessageType.GetPromiseCompletion;
        const entry = this.script.take("promise") as ({ promise: string } & ScriptedResult) | undefined;
        if (entry && entry.promise !== m.key) record({ key: entry.promise });
        if (entry && !isPending(entry)) return [complete(m.resultCompletionId, resultFields(entry, this.version), notificationType)];
        if (peek) return [complete(m.resultCompletionId, { void: {} }, notificationType)]; // not resolved yet
        this.unanswered.set(m.resultCompletionId, { kind: entry ? "other" : "promise", summary: `promise ${JSON.stringify(m.key)}` });
        return [];
      }
      case MessageType.CompletePromiseCommand:
        return [complete(m.resultCompletionId, { void: {} }, MessageType.CompletePromiseCompletion)];
      case MessageType.AttachInvocationCommand:
      case MessageType.GetInvocationOutputCommand: {
        const notificationType = type === MessageType.AttachInvocationCommand ? MessageType.AttachInvocationCompletion : MessageType.GetInvocationOutputCompletion;
        const entry = this.script.take("attach") as ({ attach: true } & ScriptedResult) | undefined;
        if (entry && !isPending(entry)) return [complete(m.resultCompletionId, resultFields(entry, this.version), notificationType)];
        this.unanswered.set(m.resultCompletionId, { kind: entry ? "other" : "attach", summary: messageTypeName(type) });
        return [];
      }
      default:
        return [];
    }
  }

  /** At a suspension: what the script can deliver for what the handler waits on (one entry per suspension). */
  private deliverAtSuspension(waiting: Waiting): Entry | undefined {
    const head = this.script.head;
    if (head === undefined) return undefined;
    if ("cancel" in head && waiting.signals.includes(1)) {
      this.script.take("cancel");
      return entryOf(MessageType.SignalNotification, { signalId: 1, void: {} });
    }
    if ("awakeable" in head) {
      const id = waiting.signals.filter((s) => s >= 17).sort((a, b) => a - b)[0];
      if (id === undefined) return undefined;
      this.script.take("awakeable");
      return entryOf(MessageType.SignalNotification, { signalId: id, ...resultFields(head, this.version) });
    }
    if ("signal" in head) {
      if (!waiting.named.includes(head.signal)) return undefined;
      this.script.take("signal");
      return entryOf(MessageType.SignalNotification, { signalName: head.signal, ...resultFields(head, this.version) });
    }
    // A call/promise/attach issued while the script's head was something else: answer it now.
    for (const kind of ["call", "promise", "attach"] as const) {
      if (!(kind in head) || isPending(head)) continue;
      const id = waiting.completions.find((c) => this.unanswered.get(c)?.kind === kind);
      if (id === undefined) continue;
      this.script.take(kind);
      this.unanswered.delete(id);
      const type = this.completionTypeOf(id);
      return entryOf(type, { completionId: id, ...resultFields(head as ScriptedResult, this.version) });
    }
    return undefined;
  }

  /** The notification type that completes `id`, from the command in the journal that allocated it. */
  private completionTypeOf(id: number): number {
    for (const { type, message } of this.journal) {
      if (message.resultCompletionId !== id) continue;
      switch (type) {
        case MessageType.CallCommand: return MessageType.CallCompletion;
        case MessageType.GetPromiseCommand: return MessageType.GetPromiseCompletion;
        case MessageType.PeekPromiseCommand: return MessageType.PeekPromiseCompletion;
        case MessageType.AttachInvocationCommand: return MessageType.AttachInvocationCompletion;
        case MessageType.GetInvocationOutputCommand: return MessageType.GetInvocationOutputCompletion;
      }
    }
    throw new Error(`perdure harness: no command in the journal allocated completion ${id}`);
  }

  private describeWaiting(waiting: Waiting): string[] {
    const commandOf = (id: number) => {
      const known = this.unanswered.get(id);
      if (known) return known.summary;
      const entry = this.journal.find((e) => e.message.resultCompletionId === id && isCommand(e.type));
      return entry ? commandView(0, entry.type, entry.message).summary : "?";
    };
    return [
      ...waiting.completions.map((id) => `completion ${id} (${commandOf(id)})`),
      ...waiting.signals.filter((s) => s !== 1).map((s) => `awakeable (signal ${s})`),
      ...waiting.named.map((n) => `signal ${JSON.stringify(n)}`),
    ];
  }

  async run(): Promise<HandlerRun> {
    const maxAttempts = this.options.maxAttempts ?? 100;
    let result: Omit<HandlerRun, "commands" | "state" | "unusedJournal" | "attempts" | "journal">;
    for (;;) {
      if (this.attempts >= maxAttempts) {
        throw new Error(`perdure harness: ${this.service.name}/${this.handler.name} did not settle within ${maxAttempts} attempts`);
      }
      const { entries, terminal } = await this.attempt(true);
      this.journal.push(...entries);
      if (terminal === undefined) throw new Error("perdure harness: the attempt ended without End, Suspension or Error");
      if (terminal.type === MessageType.End) {
        result = this.endResult();
        break;
      }
      if (terminal.type === MessageType.Error) {
        const error = errorOf(terminal.message);
        if (error.code !== 570 && this.retryCount < (this.options.retries ?? 0)) {
          this.retryCount++;
          continue;
        }
        result = { status: error.code === 570 ? "mismatch" : "error", error };
        break;
      }
      const waiting = waitingOf(terminal.message as SuspensionMessage);
      const delivered = this.deliverAtSuspension(waiting);
      if (delivered) {
        this.retryCount = 0;
        this.journal.push(delivered);
        continue;
      }
      result = { status: "suspended", waitingOn: this.describeWaiting(waiting) };
      break;
    }
    if (this.options.verifyReplay !== false && result.status !== "error" && result.status !== "mismatch") {
      const check = await this.attempt(false);
      const replayError = check.terminal?.type === MessageType.Error ? errorOf(check.terminal.message) : undefined;
      if (replayError) {
        result = { status: replayError.code === 570 ? "mismatch" : "error", error: replayError };
      } else if (check.entries.length > 0) {
        const extra = check.entries.map((e) => commandView(0, e.type, e.message).summary).join(", ");
        result = {
          status: "mismatch",
          error: { code: 570, message: `Replaying the recorded journal, the handler issued new entries after the last recorded one (${extra}): it is not deterministic.` },
        };
      }
    }
    return {
      ...result,
      commands: this.commandViews(),
      state: this.finalState(),
      unusedJournal: this.script.remaining(),
      attempts: this.attempts,
      journal: { frames: this.journal.map((e) => e.frame), protocolVersion: this.version },
    };
  }

  private endResult(): Omit<HandlerRun, "commands" | "state" | "unusedJournal" | "attempts" | "journal"> {
    const output = [...this.journal].reverse().find((e) => e.type === MessageType.OutputCommand)?.message;
    if (output?.failure) {
      const f = output.failure;
      const metadata = Object.fromEntries(((f.metadata ?? []) as { key?: string; value?: string }[]).map((x) => [x.key ?? "", x.value ?? ""]));
      return { status: "failed", failure: { code: f.code ?? 0, message: f.message ?? "", metadata } };
    }
    return { status: "completed", output: this.handler.output.deserialize(output?.value?.content ?? EMPTY) };
  }

  private commandViews(): CommandView[] {
    const views: CommandView[] = [];
    let index = 0;
    for (const e of this.journal) {
      if (!isCommand(e.type)) continue;
      if (e.type !== MessageType.InputCommand) views.push(commandView(index, e.type, e.message));
      index++;
    }
    return views;
  }

  private finalState(): Record<string, unknown> {
    const state: Record<string, unknown> = { ...(this.options.state ?? {}) };
    for (const { type, message } of this.journal) {
      if (type === MessageType.SetStateCommand) state[utf8d.decode(message.key ?? EMPTY)] = valueOf(message.value?.content);
      else if (type === MessageType.ClearStateCommand) delete state[utf8d.decode(message.key ?? EMPTY)];
      else if (type === MessageType.ClearAllStateCommand) for (const k of Object.keys(state)) delete state[k];
    }
    return state;
  }
}

/**
 * Runs `handlerName` of `definition` against a scripted journal, offline, and reports what it did: the commands it
 * issued, how it ended (output, TerminalError, retryable error, journal mismatch, or suspension) and its state.
 */
export async function runHandler<O = unknown>(definition: { name: string }, handlerName: string, options: RunHandlerOptions = {}): Promise<HandlerRun<O>> {
  const service = serviceEntryOf(definition);
  const handler = service.handlers.get(handlerName);
  if (!handler) {
    throw new TypeError(`'${service.name}' has no handler named '${handlerName}' (handlers: ${[...service.handlers.keys()].join(", ")})`);
  }
  if (options.replay && (options.input !== undefined || options.inputBytes !== undefined)) {
    throw new TypeError("runHandler: `replay` brings its own input; do not pass `input` too");
  }
  return (await new HarnessRun(service, handler, options).run()) as HandlerRun<O>;
}
