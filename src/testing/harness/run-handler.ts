// The offline journal harness: runs one handler of a definition against a scripted journal, with no server.
//
// It plays restate-server's part in request-response mode with the real protocol codecs and the real state machine:
// the journal goes in as encoded frames (Start + InputCommand + recorded entries), the handler runs, and every command
// it writes is recorded. Results come from the script the moment a command is written (a scripted `ctx.run` result
// means its closure never executes); run closures without a scripted result execute and their proposal is recorded.
// Signals (awakeables, named signals, cancellation) are delivered when the handler suspends, and the next attempt
// replays the whole journal. Finally the recorded journal is replayed once more: a handler that does not replay
// identically (non-deterministic code, or a script entry naming another command) ends with a journal mismatch.
// The answers come from answers.ts (replay-only.ts in verify's mode), the verdicts from outcome.ts.
//
//   const run = await runHandler(trips, "reserve", { input: {...}, journal: [{ call: "Flights/reserve", value: "f1" }] });
//   expect(run.commands.map((c) => c.summary)).toEqual([...]);

import { serviceEntryOf, type HandlerEntry, type ServiceEntry } from "../../definition/builders.js";
import { newMachine, startAttempt } from "../../endpoint/invoke.js";
import { FrameDecoder } from "../../protocol/frame.js";
import { MessageType, isCommand } from "../../protocol/message-types.js";
import type { SuspensionMessage } from "../../protocol/generated/protocol.js";
import { ScriptedAnswers } from "./answers.js";
import { decodeFrame, encodeState, entryOf, errorOf, waitingOf, type Entry } from "./frames.js";
import { concatBytes, rawFrame, startFrame } from "./journal.js";
import type { HandlerRun, RunHandlerOptions, RunResult } from "./options.js";
import { commandViews, endResult, finalState, replayVerdict } from "./outcome.js";
import { replayOnlyAnswer } from "./replay-only.js";
import { ScriptQueue } from "./script.js";

export type { HandlerRun, HandlerRunStatus, RecordedJournal, RunHandlerOptions } from "./options.js";

const utf8 = new TextEncoder();
const EMPTY = new Uint8Array(0);

interface AttemptOutcome {
  entries: Entry[];
  terminal: { type: number; message: Record<string, any> } | undefined;
}

class HarnessRun {
  private readonly version: number;
  private readonly journal: Entry[] = [];
  private readonly answers: ScriptedAnswers;
  private retryCount = 0;
  private attempts = 0;

  constructor(
    private readonly service: ServiceEntry,
    private readonly handler: HandlerEntry,
    private readonly options: RunHandlerOptions,
  ) {
    this.version = options.replay?.protocolVersion ?? options.protocolVersion ?? 6;
    this.answers = new ScriptedAnswers(new ScriptQueue(options.journal ?? []), this.version, options, this.journal);
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
    return startFrame(knownEntries, {
      stateMap: lazy ? [] : state,
      partialState: lazy,
      key: this.keyed ? (this.options.key ?? "test-key") : "",
      retryCountSinceLastStoredEntry: this.retryCount,
      ...(this.options.randomSeed !== undefined ? { randomSeed: this.options.randomSeed } : {}),
    });
  }

  /** Answers for a command just written, from the script (or, in replay-only mode, the refusal of new effects). */
  private answer(type: number, message: Record<string, any>, entries: Entry[]): Entry[] {
    if (this.options.noNewEffects) {
      const refused = replayOnlyAnswer(type, message);
      if (refused) return refused;
    }
    return this.answers.answer(type, message, entries);
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
    const body = concatBytes([this.startFrame(this.journal.length), ...this.journal.map((e) => e.frame)]);
    for (const frame of decoder.push(body)) machine.pushFrame(frame);
    decoder.finish();
    machine.closeInput();
    const headers = new Headers({ "content-type": `application/vnd.restate.invocation.v${this.version}` });
    const request = new Request(`http://perdure.harness/invoke/${this.service.name}/${this.handler.name}`, { method: "POST", headers });
    await startAttempt(machine, request, this.service, this.handler, []);
    return { entries, terminal };
  }

  async run(): Promise<HandlerRun> {
    const maxAttempts = this.options.maxAttempts ?? 100;
    let result: RunResult;
    for (;;) {
      if (this.attempts >= maxAttempts) {
        throw new Error(`perdure harness: ${this.service.name}/${this.handler.name} did not settle within ${maxAttempts} attempts`);
      }
      const { entries, terminal } = await this.attempt(true);
      this.journal.push(...entries);
      if (terminal === undefined) throw new Error("perdure harness: the attempt ended without End, Suspension or Error");
      if (terminal.type === MessageType.End) {
        result = endResult(this.journal, this.handler);
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
      const delivered = this.answers.deliverAtSuspension(waiting);
      if (delivered) {
        this.retryCount = 0;
        this.journal.push(delivered);
        continue;
      }
      result = { status: "suspended", waitingOn: this.answers.describeWaiting(waiting) };
      break;
    }
    if (this.options.verifyReplay !== false && result.status !== "error" && result.status !== "mismatch") {
      result = replayVerdict(await this.attempt(false)) ?? result;
    }
    return {
      ...result,
      commands: commandViews(this.journal),
      state: finalState(this.journal, this.options.state),
      unusedJournal: this.answers.script.remaining(),
      attempts: this.attempts,
      journal: { frames: this.journal.map((e) => e.frame), protocolVersion: this.version },
    };
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
