// The harness's stand-in for restate-server's answers: when the handler writes a command, the scripted journal
// supplies its result (or the server's own answer: invocation ids, lazy state, promise completions); at a
// suspension, the script's next awakeable, signal, cancellation or late result is delivered. Commands left without an
// answer are remembered, to deliver later and to say what a suspended handler waits on.

import { MessageType, isCommand, messageTypeName } from "../../protocol/message-types.js";
import { commandView } from "./commands.js";
import { encodeState, entryOf, fakeInvocationId, splitTarget, type Entry, type Waiting } from "./frames.js";
import type { RunHandlerOptions } from "./options.js";
import { ScriptQueue, isPending, resultFields, type ScriptedResult } from "./script.js";

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** What a completion id belongs to, to answer it later and to explain a suspension. */
interface Pendingness {
  kind: "call" | "promise" | "attach" | "other";
  summary: string;
}

export class ScriptedAnswers {
  private readonly unanswered = new Map<number, Pendingness>();

  constructor(
    readonly script: ScriptQueue,
    private readonly version: number,
    private readonly options: RunHandlerOptions,
    /** The journal so far (to find which command allocated a completion id). */
    private readonly journal: readonly Entry[],
  ) {}

  /**
   * Answers a command just written. Returns the notifications to deliver; may replace the command's recorded form
   * (last of `entries`) with what the script says was recorded there.
   */
  answer(type: number, m: Record<string, any>, entries: Entry[]): Entry[] {
    const record = (patch: Record<string, unknown>) => {
      entries[entries.length - 1] = entryOf(type, { ...m, ...patch });
    };
    const complete = (completionId: number, fields: Record<string, unknown>, notificationType: number) =>
      entryOf(notificationType, { completionId, ...fields });
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
  deliverAtSuspension(waiting: Waiting): Entry | undefined {
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

  /** What a suspended handler waits on, in words. */
  describeWaiting(waiting: Waiting): string[] {
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
}
