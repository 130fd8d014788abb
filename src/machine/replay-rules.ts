// What a replayed command is compared on: one table per command type, its fields named by `keyof` the generated
// message type, so a misspelled field is a compile error rather than a mismatch that silently goes undetected.
// Which fields count follows the protocol's rules (STATE_MACHINE.md §3.3): wall-clock values (a sleep's wake-up
// time, a delayed send's invoke time) and values the server chose (eager state contents) are never compared.

import type { DecodableMessageType, MessageOf } from "../protocol/messages.js";

/** The compared fields of one command type. */
export interface ReplayRule<K extends DecodableMessageType> {
  readonly type: K;
  /** Fields that must equal the recorded command's, in the order they are reported. */
  readonly fields: readonly (keyof MessageOf<K> & string)[];
  /**
   * Payload fields among `fields` that a journal value codec may encode differently on every attempt (e.g.
   * encryption with a random nonce): not compared when the endpoint has a codec.
   */
  readonly values: readonly (keyof MessageOf<K> & string)[];
}

function rule<K extends DecodableMessageType>(
  type: K,
  fields: readonly (keyof MessageOf<K> & string)[],
  values: readonly (keyof MessageOf<K> & string)[] = [],
): ReplayRule<K> {
  return { type, fields, values };
}

const TARGET = ["invocationId", "workflowTarget", "idempotentRequestTarget", "resultCompletionId", "name"] as const;
const CALLEE = ["serviceName", "handlerName", "parameter", "headers", "key", "idempotencyKey", "scope", "limitKey", "invocationIdNotificationIdx"] as const;

// One exported table per command (module-level constants, so a bundler can shorten their names; an object of
// rules would carry every key into the Workers bundle). Type ids are literals, named in the comments, for the same
// reason; replay-rules.test.ts checks each against MessageType.
export const output = rule(0x0401 /* OutputCommand */, ["name", "value", "failure"], ["value"]);
export const getLazyState = rule(0x0402 /* GetLazyStateCommand */, ["key", "resultCompletionId", "name"]);
export const getEagerState = rule(0x0407 /* GetEagerStateCommand */, ["key", "name"]);
export const getLazyStateKeys = rule(0x0406 /* GetLazyStateKeysCommand */, ["resultCompletionId", "name"]);
export const getEagerStateKeys = rule(0x0408 /* GetEagerStateKeysCommand */, ["name"]);
export const setState = rule(0x0403 /* SetStateCommand */, ["key", "name"]);
export const clearState = rule(0x0404 /* ClearStateCommand */, ["key", "name"]);
export const clearAllState = rule(0x0405 /* ClearAllStateCommand */, ["name"]);
export const sleep = rule(0x040c /* SleepCommand */, ["name"]);
export const run = rule(0x0411 /* RunCommand */, ["resultCompletionId", "name"]);
export const call = rule(0x040d /* CallCommand */, [...CALLEE, "resultCompletionId", "name"], ["parameter"]);
export const oneWayCall = rule(0x040e /* OneWayCallCommand */, [...CALLEE, "name"], ["parameter"]);
export const completeAwakeable = rule(0x0414 /* CompleteAwakeableCommand */, ["awakeableId", "name"]);
export const sendSignal = rule(0x0410 /* SendSignalCommand */, ["targetInvocationId", "idx", "name", "entryName"]);
export const getPromise = rule(0x0409 /* GetPromiseCommand */, ["key", "resultCompletionId", "name"]);
export const peekPromise = rule(0x040a /* PeekPromiseCommand */, ["key", "resultCompletionId", "name"]);
export const completePromise = rule(0x040b /* CompletePromiseCommand */, ["key", "resultCompletionId", "name"]);
export const attachInvocation = rule(0x0412 /* AttachInvocationCommand */, TARGET);
export const getInvocationOutput = rule(0x0413 /* GetInvocationOutputCommand */, TARGET);

/** Every rule, for the tests that enumerate them (unused by the runtime, so bundlers drop it). */
export const REPLAY_RULES = [output, getLazyState, getEagerState, getLazyStateKeys, getEagerStateKeys, setState, clearState, clearAllState, sleep, run, call, oneWayCall, completeAwakeable, sendSignal, getPromise, peekPromise, completePromise, attachInvocation, getInvocationOutput] as const;

/** `rule` for tests that prove a misspelled field does not compile. */
export { rule as replayRule };
