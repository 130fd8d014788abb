// One function per journaled operation. Each builds the command, lets the machine write or replay-check it, and
// returns what the caller awaits (a notification key) or the value it already knows.
// Completion ids are allocated in call order on every attempt, so replays allocate the same ids.

import type { AttachInvocationCommandMessage, CallCommandMessage, Failure, Header, OneWayCallCommandMessage } from "../protocol/generated/protocol.js";
import { MessageType } from "../protocol/message-types.js";
import * as R from "./replay-rules.js";
import { UnsupportedFeatureError } from "./errors.js";
import type { InvocationMachine } from "./invocation-machine.js";
import {
  completionKey,
  namedSignalKey,
  signalKey,
  type FailureResult,
  type NotificationKey,
} from "./notifications.js";

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const EMPTY = new Uint8Array(0);

export type CompletionResult = { value: Uint8Array } | { failure: FailureResult } | { void: true };

export interface CallTarget {
  service: string;
  handler: string;
  key?: string;
  idempotencyKey?: string;
  headers?: Record<string, string>;
  scope?: string;
  limitKey?: string;
}

export type InvocationTarget =
  | { invocationId: string }
  | { workflow: string; key: string; scope?: string }
  | { service: string; handler: string; key?: string; idempotencyKey: string; scope?: string };

function failureMessage(m: InvocationMachine, f: FailureResult): Failure {
  const failure: Failure = { code: f.code, message: f.message };
  // Failure metadata exists from V6 on; V5 servers would reject it.
  if (m.version >= 6 && f.metadata.length > 0) failure.metadata = f.metadata;
  return failure;
}

function headerList(headers: Record<string, string> | undefined): Header[] {
  if (!headers) return [];
  return Object.entries(headers).map(([key, value]) => ({ key, value }));
}

function requireV7(m: InvocationMachine, what: string): void {
  if (m.version < 7) {
    throw new UnsupportedFeatureError(
      `${what} needs service protocol V7, but the server negotiated V${m.version}; start restate-server with RESTATE_EXPERIMENTAL_ENABLE_PROTOCOL_V7=true`,
    );
  }
}

// ---- state -------------------------------------------------------------------------------------------------

export type StateRead<T> = { ready: true; value: T } | { ready: false; key: NotificationKey };

export function getState(m: InvocationMachine, name: string): StateRead<Uint8Array | null> {
  const id = m.allocateCompletionId(); // allocated even when served eagerly, as the reference VM does
  const key = utf8.encode(name);
  const recorded = m.peekRecorded();
  if (recorded?.type === MessageType.GetLazyStateCommand || (!recorded && !m.stateCache.lookup(name).known)) {
    m.command(R.getLazyState, { key, resultCompletionId: id });
    return { ready: false, key: completionKey(id) };
  }
  const cached = m.stateCache.lookup(name);
  const value = cached.known ? cached.value : null;
  const message = value === null ? { key, void: {} } : { key, value: { content: value } };
  const replayed = m.command(R.getEagerState, message);
  if (!replayed) return { ready: true, value };
  return { ready: true, value: replayed.value != null ? (replayed.value.content ?? EMPTY) : null };
}

export function getStateKeys(m: InvocationMachine): StateRead<string[]> {
  const id = m.allocateCompletionId();
  const recorded = m.peekRecorded();
  const localKeys = m.stateCache.keys();
  if (recorded?.type === MessageType.GetLazyStateKeysCommand || (!recorded && localKeys === undefined)) {
    m.command(R.getLazyStateKeys, { resultCompletionId: id });
    return { ready: false, key: completionKey(id) };
  }
  const keys = localKeys ?? [];
  const replayed = m.command(R.getEagerStateKeys, { value: { keys: keys.map((k) => utf8.encode(k)) } });
  if (!replayed) return { ready: true, value: keys };
  return { ready: true, value: (replayed.value?.keys ?? []).map((k) => utf8d.decode(k)) };
}

export function setState(m: InvocationMachine, name: string, value: Uint8Array): void {
  m.command(R.setState, { key: utf8.encode(name), value: { content: m.encodeValue(value) } });
  m.stateCache.set(name, value);
}

export function clearState(m: InvocationMachine, name: string): void {
  m.command(R.clearState, { key: utf8.encode(name) });
  m.stateCache.clear(name);
}

export function clearAllState(m: InvocationMachine): void {
  m.command(R.clearAllState, {});
  m.stateCache.clearAll();
}

// ---- timers, runs --------------------------------------------------------------------------------------------

export function sleep(m: InvocationMachine, wakeUpTimeMs: number, name: string): NotificationKey {
  const id = m.allocateCompletionId();
  // The wake-up time is wall-clock based and differs on every attempt: only the name is compared.
  m.command(R.sleep, { wakeUpTime: BigInt(Math.round(wakeUpTimeMs)), resultCompletionId: id, name });
  return completionKey(id);
}

export interface RunHandle {
  key: NotificationKey;
  completionId: number;
  commandIndex: number;
  name: string;
  /** The closure must execute: no result is recorded for this run. */
  needsExecution: boolean;
  /** This run is where the previous attempt stopped (its retry counters apply to it). */
  firstNewEntry: boolean;
}

export function run(m: InvocationMachine, name: string): RunHandle {
  const id = m.allocateCompletionId();
  const commandIndex = m.commandIndex;
  const wasReplaying = m.isReplaying;
  const firstNewEntry = !wasReplaying && m.newCommands === 0;
  m.command(R.run, { resultCompletionId: id, name });
  const key = completionKey(id);
  const needsExecution = !m.notifications.has(key);
  return { key, completionId: id, commandIndex, name, needsExecution, firstNewEntry: firstNewEntry || (wasReplaying && needsExecution) };
}

// ---- calls ---------------------------------------------------------------------------------------------------

type CalleeFields = Pick<CallCommandMessage, "serviceName" | "handlerName" | "headers" | "key" | "idempotencyKey" | "scope" | "limitKey">;

function targetFields(m: InvocationMachine, t: CallTarget): CalleeFields {
  if (t.scope !== undefined || t.limitKey !== undefined) requireV7(m, "calling with a scope or limit key");
  const fields: CalleeFields = {
    serviceName: t.service,
    handlerName: t.handler,
    headers: headerList(t.headers),
    key: t.key ?? "",
  };
  if (t.idempotencyKey !== undefined) {
    if (t.idempotencyKey === "") throw new TypeError("idempotencyKey must not be empty");
    fields.idempotencyKey = t.idempotencyKey;
  }
  if (t.scope !== undefined) fields.scope = t.scope;
  if (t.limitKey !== undefined) {
    if (t.scope === undefined) throw new TypeError("limitKey needs a scope (use ctx.scope(...))");
    fields.limitKey = t.limitKey;
  }
  return fields;
}

export function call(m: InvocationMachine, target: CallTarget, parameter: Uint8Array, name: string) {
  const fields = targetFields(m, target);
  const idIdx = m.allocateCompletionId();
  const resultId = m.allocateCompletionId();
  m.command(R.call, { ...fields, parameter: m.encodeValue(parameter), invocationIdNotificationIdx: idIdx, resultCompletionId: resultId, name });
  return { invocationIdKey: completionKey(idIdx), resultKey: completionKey(resultId) };
}

export function send(m: InvocationMachine, target: CallTarget, parameter: Uint8Array, invokeTimeMs: number | undefined, name: string) {
  const fields = targetFields(m, target);
  const idIdx = m.allocateCompletionId();
  const message: OneWayCallCommandMessage = { ...fields, parameter: m.encodeValue(parameter), invocationIdNotificationIdx: idIdx, name };
  if (invokeTimeMs !== undefined) message.invokeTime = BigInt(Math.round(invokeTimeMs));
  // invoke_time is wall-clock based: not compared on replay.
  m.command(R.oneWayCall, message);
  return { invocationIdKey: completionKey(idIdx) };
}

// ---- awakeables, signals, promises ----------------------------------------------------------------------------

export function awakeable(m: InvocationMachine): { id: string; key: NotificationKey } {
  const signalId = m.allocateSignalId();
  const raw = m.invocationIdBytes;
  const bytes = new Uint8Array(raw.length + 4);
  bytes.set(raw);
  new DataView(bytes.buffer).setUint32(raw.length, signalId);
  return { id: "sign_1" + base64UrlNoPad(bytes), key: signalKey(signalId) };
}

function resultFields(m: InvocationMachine, result: CompletionResult, names: { value: string; failure: string; void?: string }) {
  if ("value" in result) return { [names.value]: { content: m.encodeValue(result.value) } };
  if ("failure" in result) return { [names.failure]: failureMessage(m, result.failure) };
  return names.void ? { [names.void]: {} } : {};
}

export function completeAwakeable(m: InvocationMachine, awakeableId: string, result: CompletionResult): void {
  const fields = resultFields(m, result, { value: "value", failure: "failure" });
  m.command(R.completeAwakeable, { awakeableId, ...fields });
}

export function sendSignal(
  m: InvocationMachine,
  targetInvocationId: string,
  signal: { idx: number } | { name: string },
  result: CompletionResult,
): void {
  const id = "idx" in signal ? { idx: signal.idx } : { name: signal.name };
  const fields = resultFields(m, result, { value: "value", failure: "failure", void: "void" });
  m.command(R.sendSignal, { targetInvocationId, ...id, ...fields });
}

export function getPromise(m: InvocationMachine, key: string): NotificationKey {
  const id = m.allocateCompletionId();
  m.command(R.getPromise, { key, resultCompletionId: id });
  return completionKey(id);
}

export function peekPromise(m: InvocationMachine, key: string): NotificationKey {
  const id = m.allocateCompletionId();
  m.command(R.peekPromise, { key, resultCompletionId: id });
  return completionKey(id);
}

export function completePromise(m: InvocationMachine, key: string, result: { value: Uint8Array } | { failure: FailureResult }): NotificationKey {
  const id = m.allocateCompletionId();
  const fields = resultFields(m, result, { value: "completionValue", failure: "completionFailure" });
  m.command(R.completePromise, { key, ...fields, resultCompletionId: id });
  return completionKey(id);
}

type TargetFields = Pick<AttachInvocationCommandMessage, "invocationId" | "workflowTarget" | "idempotentRequestTarget">;

function invocationTargetFields(m: InvocationMachine, t: InvocationTarget): TargetFields {
  if ("invocationId" in t) return { invocationId: t.invocationId };
  if (t.scope !== undefined) requireV7(m, "attaching with a scope");
  if ("workflow" in t) return { workflowTarget: { workflowName: t.workflow, workflowKey: t.key, ...(t.scope !== undefined ? { scope: t.scope } : {}) } };
  return {
    idempotentRequestTarget: {
      serviceName: t.service,
      handlerName: t.handler,
      idempotencyKey: t.idempotencyKey,
      ...(t.key !== undefined ? { serviceKey: t.key } : {}),
      ...(t.scope !== undefined ? { scope: t.scope } : {}),
    },
  };
}

export function attachInvocation(m: InvocationMachine, target: InvocationTarget): NotificationKey {
  const id = m.allocateCompletionId();
  m.command(R.attachInvocation, { ...invocationTargetFields(m, target), resultCompletionId: id });
  return completionKey(id);
}

export function getInvocationOutput(m: InvocationMachine, target: InvocationTarget): NotificationKey {
  const id = m.allocateCompletionId();
  m.command(R.getInvocationOutput, { ...invocationTargetFields(m, target), resultCompletionId: id });
  return completionKey(id);
}

// ---- the end -------------------------------------------------------------------------------------------------

export function output(m: InvocationMachine, result: { value: Uint8Array } | { failure: FailureResult }): void {
  const fields = resultFields(m, result, { value: "value", failure: "failure" });
  m.command(R.output, fields);
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function base64UrlNoPad(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
  }
  return out;
}
