// The object handlers receive as `ctx`. Every method turns a user action into a journaled syscall on the machine
// and, where there is something to wait for, a RestatePromise over the notification that will carry the result.

import type { InvocationMachine } from "../machine/invocation-machine.js";
import type { InvocationInput } from "../machine/invocation-input.js";
import { CANCEL_KEY, namedSignalKey, type NotificationKey } from "../machine/notifications.js";
import * as sys from "../machine/syscalls.js";
// binary straight from its module: the `serde` namespace re-export cannot be tree-shaken (it would pull serde.schema
// into every Worker bundle).
import { binary } from "../serde/binary.js";
import type { Serde } from "../serde/index.js";
import { makeCallClient, makeSendClient, type CallSpec, type SendSpec } from "./clients.js";
import { DurablePromiseImpl } from "./durable-promise.js";
import { durationToMs, type Duration } from "./duration.js";
import { CancelledError, TerminalError, TimeoutError, failureOf } from "./errors.js";
import { invocationIdOutcome, stateKeysOutcome, stateValueOutcome, valueOutcome } from "./outcomes.js";
import { CombinatorNode, ConstNode, LeafNode, MapNode, StreamLeafNode, type PromiseNode } from "./promise-node.js";
import { DeterministicRandom } from "./rand.js";
import { RestatePromiseImpl, type PromiseOwner, type RestatePromise } from "./restate-promise.js";
import { executeRun, type RunRetryOptions } from "./run-executor.js";
import { makeReplayAwareConsole } from "./replay-aware-console.js";
import { interceptRun, type RunInterceptor } from "./hooks.js";
import type { LoggerTransport } from "./logging.js";
import { Scheduler } from "./scheduler.js";
import { nestedInRunError, serializeFor } from "./guardrails.js";
import { inRun, runOf } from "./run-scope.js";
import { requestView } from "./request-view.js";

export interface InvocationMeta {
  service: string;
  handler: string;
  attemptHeaders: Headers;
  extraArgs: unknown[];
  /** The invocation's id, key, headers, body, random seed and retry counters (InvocationMachine.readInput). */
  input: InvocationInput;
  attemptCompletedSignal: () => AbortSignal;
  /** Serde for state, run results, awakeables, signals and promises when the call site names none. */
  defaultSerde: Serde<unknown>;
  /** Handler option eagerRuns (request-response: continue past runs proposed in this attempt). */
  eagerRuns: boolean;
  /** Where ctx.console lines go (the endpoint's logger); the console transport when unset. */
  logger?: LoggerTransport;
  /** Handler option explicitCancellation: cancellation is read through ctx.cancellation() instead of failing awaits. */
  explicitCancellation?: boolean;
  /** Handler option asTerminalError: also maps what ctx.run closures throw (as the official SDK does). */
  asTerminalError?: (error: any) => TerminalError | undefined;
}

type RunOptions<T> = RunRetryOptions & { serde?: Serde<T>; eager?: boolean };


export class InvocationPromiseImpl<T> extends RestatePromiseImpl<T> {
  constructor(node: PromiseNode, owner: PromiseOwner, readonly invocationId: Promise<string>) {
    super(node, owner);
  }
}

export class ContextImpl implements PromiseOwner {
  readonly scheduler: Scheduler;
  #replayAwareConsole: Console | undefined;
  readonly key: string;
  #random: DeterministicRandom | undefined;
  /** Invocation-id notifications of calls made, to cancel those children when this invocation is cancelled. */
  readonly #childInvocationIds: NotificationKey[] = [];
  #requestView: unknown;
  /** Names of the ctx.run closures whose synchronous part is executing (context calls there would hang or break replay). */
  readonly #runsExecuting: string[] = [];
  /** The attempt's hooks around each ctx.run closure that executes (set by runAttempt). */
  runInterceptor: RunInterceptor | undefined;
  /** explicitCancellation: invocation ids of the calls made since the last cancelPreviousCalls(). */
  #trackedCalls: LeafNode[] | undefined;
  /** Promises of ctx methods that had no result when created, with what made them and where (see floating()). */
  readonly #created: [RestatePromiseImpl<unknown>, string, Error, number][] = [];
  /** The promise ctx.cancellation() hands out until the cancel signal it waits for has arrived. */
  #cancellationPromise: { leaf: StreamLeafNode; promise: RestatePromise<void> } | undefined;

  constructor(
    readonly machine: InvocationMachine,
    readonly meta: InvocationMeta,
  ) {
    this.scheduler = new Scheduler(machine, meta.explicitCancellation ?? false);
    if (meta.explicitCancellation) this.#trackedCalls = [];
    this.scheduler.onCancelDelivered = () => this.#cancelChildren();
    this.key = meta.input.key;
  }

  get console(): Console {
    return (this.#replayAwareConsole ??= makeReplayAwareConsole(
      this.machine,
      { invocationId: this.meta.input.debugId, service: this.meta.service, handler: this.meta.handler, key: this.key || undefined, request: this.request() },
      this.meta.logger,
    ));
  }

  // ---- promises ----------------------------------------------------------------------------------------------

  wrap<T>(node: PromiseNode): RestatePromise<T> {
    return new RestatePromiseImpl<T>(node, this);
  }

  timeoutNode(ms: number): PromiseNode {
    const key = sys.sleep(this.machine, Date.now() + ms, "");
    return new LeafNode(key, () => ({ ok: false, error: new TimeoutError() }));
  }

  /**
   * Remembers a promise that has no result yet, with the stack where it was made (captured, not formatted: V8 and JSC
   * format it only when read); `depth`: the line of the user's frame in it. Never call it, nor the ctx method calling
   * it, in tail position: JavaScriptCore (Bun) drops the frames of tail calls. Promises with a journaled result (all of
   * them on a replay) cost one lookup.
   */
  track(p: RestatePromise<unknown>, what: string, depth: number): void {
    if (!this.machine.notifications.has(((p as never as RestatePromiseImpl<unknown>).node as LeafNode).key)) {
      this.#created.push([p as never, what, new Error(), depth]);
    }
  }

  /** The promises a returning handler left behind: never awaited nor combined, and still without a result. */
  floating(): string | undefined {
    const store = this.machine.notifications;
    const left = this.#created.filter(([p]) => !p.consumed && !p.node.resolve(store));
    if (left[0]) return `The handler returned while ${left.length} journaled promise(s) it created were pending; await them: ${left.map(([, what, at, depth]) => `${what} ${at.stack!.split("\n")[depth]?.trim()}`).join(", ")}`;
  }

  // ---- side effects, time, randomness --------------------------------------------------------------------------

  run<T>(nameOrAction: string | (() => T | Promise<T>), actionOrOptions?: unknown, maybeOptions?: RunOptions<T>): RestatePromise<T> {
    const name = typeof nameOrAction === "string" ? nameOrAction : "";
    const action = (typeof nameOrAction === "string" ? actionOrOptions : nameOrAction) as () => T | Promise<T>;
    const options = (typeof nameOrAction === "string" ? maybeOptions : actionOrOptions) as RunOptions<T> | undefined;
    if (typeof action !== "function") throw new TypeError("ctx.run needs a function to execute");
    this.refuseNested("ctx.run", name);
    const serde = (options?.serde ?? this.meta.defaultSerde) as Serde<T>;
    const handle = sys.run(this.machine, name);
    if (options?.eager ?? this.meta.eagerRuns) this.scheduler.eager.markEager(handle.key);
    if (handle.needsExecution) {
      const guarded = () => {
        this.#runsExecuting.push(name);
        try {
          return inRun(this, name, action);
        } finally {
          this.#runsExecuting.pop();
        }
      };
      executeRun(this.machine, this.scheduler, handle, name, interceptRun(this.runInterceptor, name, guarded), serde, options ?? {}, this.meta.asTerminalError);
    }
    const p = this.wrap<T>(new LeafNode(handle.key, valueOutcome(serde)));
    this.track(p, `ctx.run('${name}')`, 3);
    return p;
  }

  sleep(duration: Duration | number, name?: string): RestatePromise<void> {
    this.refuseNested("ctx.sleep");
    const key = sys.sleep(this.machine, Date.now() + durationToMs(duration), name ?? "");
    const p = this.wrap<void>(new LeafNode(key, () => ({ ok: true, value: undefined })));
    this.track(p, "ctx.sleep()", 3);
    return p;
  }

  get rand(): DeterministicRandom {
    this.refuseNested("ctx.rand");
    return (this.#random ??= new DeterministicRandom(this.meta.input.randomSeed));
  }

  readonly date = {
    now: (): Promise<number> => this.run("Date.now", () => Date.now()),
    toJSON: (): Promise<string> => this.run("Date.toJSON", () => new Date().toJSON()),
  };


  /** Every durable operation refuses to start inside a ctx.run closure (it would hang the run or break replay). */
  refuseNested(operation: string, arg?: string): void {
    const run = this.#runsExecuting[this.#runsExecuting.length - 1] ?? runOf(this);
    if (run !== undefined) throw nestedInRunError(`${operation}(${arg === undefined ? "" : `'${arg}'`})`, run);
  }

  // ---- state -----------------------------------------------------------------------------------------------------

  get<T>(name: string, serde?: Serde<T>): Promise<T | null> {
    this.refuseNested("ctx.get", name);
    const s = (serde ?? this.meta.defaultSerde) as Serde<T>;
    const read = sys.getState(this.machine, name);
    if (read.ready) {
      const outcome = read.value === null ? { ok: true as const, value: null } : safeDeserialize(s, read.value);
      return this.wrap(new ConstNode(outcome));
    }
    return this.wrap(new LeafNode(read.key, stateValueOutcome(s)));
  }

  stateKeys(): Promise<string[]> {
    this.refuseNested("ctx.stateKeys");
    const read = sys.getStateKeys(this.machine);
    if (read.ready) return Promise.resolve(read.value);
    return this.wrap(new LeafNode(read.key, stateKeysOutcome));
  }

  set<T>(name: string, value: T, serde?: Serde<T>): void {
    this.refuseNested("ctx.set", name);
    const s = (serde ?? this.meta.defaultSerde) as Serde<T>;
    sys.setState(this.machine, name, serializeFor(`ctx.set('${name}') value`, value, (v) => s.serialize(v)));
  }

  clear(name: string): void {
    this.refuseNested("ctx.clear", name);
    sys.clearState(this.machine, name);
  }

  clearAll(): void {
    this.refuseNested("ctx.clearAll");
    sys.clearAllState(this.machine);
  }

  // ---- awakeables, signals, promises ----------------------------------------------------------------------------

  awakeable<T>(serde?: Serde<T>): { id: string; promise: RestatePromise<T> } {
    this.refuseNested("ctx.awakeable");
    const { id, key } = sys.awakeable(this.machine);
    const promise = this.wrap<T>(new LeafNode(key, valueOutcome(serde ?? this.meta.defaultSerde)));
    this.track(promise, "ctx.awakeable()", 3);
    return { id, promise };
  }

  resolveAwakeable<T>(id: string, payload?: T, serde?: Serde<T>): void {
    this.refuseNested("ctx.resolveAwakeable");
    sys.completeAwakeable(this.machine, id, { value: ((serde ?? this.meta.defaultSerde) as Serde<T | undefined>).serialize(payload) });
  }

  rejectAwakeable(id: string, reason: string | TerminalError): void {
    this.refuseNested("ctx.rejectAwakeable");
    sys.completeAwakeable(this.machine, id, { failure: failureOf(asTerminal(reason)) });
  }

  /** The next signal of that name (each call reads the next one, in the order the server delivered them). */
  signal<T>(name: string, serde?: Serde<T>): RestatePromise<T> {
    this.refuseNested("ctx.signal");
    if (typeof name !== "string") throw new TypeError(`ctx.signal needs a signal name (a string), got ${typeof name}`);
    return this.wrap(new StreamLeafNode(namedSignalKey(name), valueOutcome(serde ?? this.meta.defaultSerde)));
  }

  // ---- restate.internal.ContextInternal --------------------------------------------------------------------------

  /** True while executing new code, false while replaying the journal. Never branch on it (non-determinism). */
  isProcessing(): boolean {
    return !this.machine.isReplaying;
  }

  /**
   * Resolves when the invocation is cancelled (explicitCancellation). The same promise until the cancel signal it
   * waits for arrives; then a fresh one, for the next cancellation.
   */
  cancellation(): RestatePromise<void> {
    this.refuseNested("ctx.cancellation");
    const current = this.#cancellationPromise;
    if (current && current.leaf.bound === undefined) return current.promise;
    const leaf = new StreamLeafNode(CANCEL_KEY, () => ({ ok: true, value: undefined }));
    const promise = this.wrap<void>(leaf);
    this.#cancellationPromise = { leaf, promise };
    return promise;
  }

  /** Cancels the calls made since the last time (explicitCancellation; resolves to [] otherwise), with their ids. */
  cancelPreviousCalls(): RestatePromise<string[]> {
    this.refuseNested("ctx.cancelPreviousCalls");
    if (!this.#trackedCalls) return this.wrap(new ConstNode({ ok: true, value: [] }));
    const ids = this.#trackedCalls.splice(0);
    const node = new MapNode(new CombinatorNode("allSettled", ids), (o) => {
      if (!o.ok) return o;
      const cancelled: string[] = [];
      for (const r of o.value as PromiseSettledResult<string>[]) {
        if (r.status === "fulfilled") {
          this.cancel(r.value);
          cancelled.push(r.value);
        } else {
          this.console.warn(`Error when trying to get invocation id: ${String(r.reason)}`);
        }
      }
      return { ok: true, value: cancelled };
    });
    return this.wrap(node);
  }

  promise<T>(name: string, serde?: Serde<T>): DurablePromiseImpl<T> {
    this.refuseNested("ctx.promise", name);
    return new DurablePromiseImpl<T>(this, name, (serde ?? this.meta.defaultSerde) as Serde<T>);
  }

  invocation(invocationId: string) {
    this.refuseNested("ctx.invocation");
    const ctx = this;
    return {
      signal<T>(name: string, serde?: Serde<T>) {
        const s = (serde ?? ctx.meta.defaultSerde) as Serde<T | undefined>;
        return {
          resolve: (payload?: T) => sys.sendSignal(ctx.machine, invocationId, { name }, { value: s.serialize(payload) }),
          reject: (reason: string | TerminalError) =>
            sys.sendSignal(ctx.machine, invocationId, { name }, { failure: failureOf(asTerminal(reason)) }),
        };
      },
      cancel: () => sys.sendSignal(ctx.machine, invocationId, { idx: 1 }, { void: true }),
      attach: <T>(serde?: Serde<T>): RestatePromise<T> =>
        ctx.wrap(new LeafNode(sys.attachInvocation(ctx.machine, { invocationId }), valueOutcome(serde ?? ctx.meta.defaultSerde))),
    };
  }

  cancel(invocationId: string): void {
    this.invocation(invocationId).cancel();
  }

  attach<T>(invocationId: string, serde?: Serde<T>): RestatePromise<T> {
    return this.invocation(invocationId).attach(serde);
  }

  // ---- calls -----------------------------------------------------------------------------------------------------

  callRaw<T>(spec: CallSpec, parameter: Uint8Array, output: Serde<T>): InvocationPromiseImpl<T> {
    this.refuseNested("call", `${spec.service}/${spec.handler}`);
    const { invocationIdKey, resultKey } = sys.call(this.machine, spec, parameter, spec.name ?? "");
    this.#childInvocationIds.push(invocationIdKey);
    const idLeaf = new LeafNode(invocationIdKey, invocationIdOutcome);
    this.#trackedCalls?.push(idLeaf);
    const id = this.wrap<string>(idLeaf);
    const p = new InvocationPromiseImpl<T>(new LeafNode(resultKey, valueOutcome(output)), this, id);
    this.track(p, `call('${spec.service}/${spec.handler}')`, 4); // callRaw ← a client method or genericCall ← user code
    return p;
  }

  sendRaw(spec: SendSpec, parameter: Uint8Array): { invocationId: Promise<string> } {
    this.refuseNested("send", `${spec.service}/${spec.handler}`);
    const invokeTime = spec.delay !== undefined ? Date.now() + durationToMs(spec.delay) : undefined;
    const { invocationIdKey } = sys.send(this.machine, spec, parameter, invokeTime, spec.name ?? "");
    return { invocationId: this.wrap<string>(new LeafNode(invocationIdKey, invocationIdOutcome)) };
  }

  serviceClient(def: ClientDef, scope?: string) {
    return makeCallClient(this, target(def, undefined, scope));
  }
  objectClient(def: ClientDef, key: string, scope?: string) {
    return makeCallClient(this, target(def, key, scope));
  }
  workflowClient(def: ClientDef, key: string, scope?: string) {
    return makeCallClient(this, target(def, key, scope));
  }
  serviceSendClient(def: ClientDef, scope?: string) {
    return makeSendClient(this, target(def, undefined, scope));
  }
  objectSendClient(def: ClientDef, key: string, scope?: string) {
    return makeSendClient(this, target(def, key, scope));
  }
  workflowSendClient(def: ClientDef, key: string, scope?: string) {
    return makeSendClient(this, target(def, key, scope));
  }
  /** A client from a contract (iface) or definition: services take no key, objects and workflows need one. */
  client(def: ClientDef, key?: string, scope?: string) {
    return makeCallClient(this, target(def, def._kind === "service" ? undefined : key, scope));
  }
  sendClient(def: ClientDef, key?: string, scope?: string) {
    return makeSendClient(this, target(def, def._kind === "service" ? undefined : key, scope));
  }

  scope(scopeKey: string) {
    if (!/^[a-zA-Z0-9_.-]{1,36}$/.test(scopeKey)) {
      throw new TypeError(`invalid scope key '${scopeKey}': use 1 to 36 characters from [a-zA-Z0-9_.-]`);
    }
    return {
      serviceClient: (def: ClientDef) => this.serviceClient(def, scopeKey),
      objectClient: (def: ClientDef, key: string) => this.objectClient(def, key, scopeKey),
      workflowClient: (def: ClientDef, key: string) => this.workflowClient(def, key, scopeKey),
      serviceSendClient: (def: ClientDef) => this.serviceSendClient(def, scopeKey),
      objectSendClient: (def: ClientDef, key: string) => this.objectSendClient(def, key, scopeKey),
      workflowSendClient: (def: ClientDef, key: string) => this.workflowSendClient(def, key, scopeKey),
      client: (def: ClientDef, key?: string) => this.client(def, key, scopeKey),
      sendClient: (def: ClientDef, key?: string) => this.sendClient(def, key, scopeKey),
    };
  }

  genericCall<REQ = Uint8Array, RES = Uint8Array>(call: {
    service: string; method: string; parameter: REQ; key?: string; headers?: Record<string, string>;
    inputSerde?: Serde<REQ>; outputSerde?: Serde<RES>; idempotencyKey?: string; scope?: string; limitKey?: string; name?: string;
  }): InvocationPromiseImpl<RES> {
    const input = (call.inputSerde ?? binary) as Serde<REQ>;
    const output = (call.outputSerde ?? binary) as Serde<RES>;
    const p = this.callRaw({ ...call, handler: call.method }, input.serialize(call.parameter), output);
    return p; // not a tail call: the floating-promise warning names the caller's frame
  }

  genericSend<REQ = Uint8Array>(call: {
    service: string; method: string; parameter: REQ; key?: string; headers?: Record<string, string>;
    inputSerde?: Serde<REQ>; delay?: Duration | number; idempotencyKey?: string; scope?: string; limitKey?: string; name?: string;
  }): { invocationId: Promise<string> } {
    const input = (call.inputSerde ?? binary) as Serde<REQ>;
    return this.sendRaw({ ...call, handler: call.method }, input.serialize(call.parameter));
  }

  // ---- request -----------------------------------------------------------------------------------------------------

  request() {
    return (this.#requestView ??= requestView(this.meta));
  }

  /** On cancellation, cancel the calls this invocation made whose invocation ids were known before the cancel. */
  #cancelChildren(): void {
    const store = this.machine.notifications;
    const cancelSeq = store.get(CANCEL_KEY)?.seq ?? -1;
    for (const key of this.#childInvocationIds) {
      const n = store.get(key);
      if (n && n.seq < cancelSeq && n.result.tag === "invocationId") {
        sys.sendSignal(this.machine, n.result.invocationId, { idx: 1 }, { void: true });
      }
    }
  }
}

/** A definition (service/object/workflow/implement) or a contract (iface): its name, kind and handler serdes. */
type ClientDef = { name: string; _kind?: string; _handlers?: Record<string, { _inputSerde?: Serde<unknown>; _outputSerde?: Serde<unknown> } | undefined> };

function target(def: ClientDef, key: string | undefined, scope: string | undefined) {
  if (!def || typeof def.name !== "string") throw new TypeError("a client needs a service definition or contract (with a name)");
  return { service: def.name, key, scope, descriptors: def._handlers };
}

function safeDeserialize<T>(serde: Serde<T>, bytes: Uint8Array) {
  try {
    return { ok: true as const, value: serde.deserialize(bytes) as unknown };
  } catch (error) {
    return { ok: false as const, error };
  }
}

function asTerminal(reason: string | TerminalError): TerminalError {
  return reason instanceof TerminalError ? reason : new TerminalError(String(reason));
}

export { CancelledError };
