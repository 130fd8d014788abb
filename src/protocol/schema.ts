/**
 * The messages of proto/protocol.proto as small tables, and one table-driven encoder/decoder for all of them.
 * The interfaces come from ts-proto (`npm run proto`, types only); test/unit/protocol/schema.test.ts checks these
 * tables against the .proto file, so the two cannot drift apart.
 *
 * Semantics (those of the generated ts-proto codecs it replaces): decoding fills proto3 scalars with their default
 * and leaves fields with presence (optional, oneof members, messages) undefined; encoding writes fields in
 * declaration order, skips proto3 scalars at their default and presence fields that are undefined, and packs
 * repeated uint32.
 */
import { Reader, Writer } from "./wire.js";

// Field kinds.
export const U32 = 0;
export const I32 = 1; // enums
export const BOOL = 2;
export const STR = 3;
export const BYTES = 4;
export const U64 = 5;
export const MSG = 6;

export interface Field {
  no: number;
  name: string;
  kind: number;
  repeated: boolean;
  /** optional, oneof member or message: undefined when absent, written whenever set. */
  presence: boolean;
  /** For MSG fields. */
  message: MessageSchema | undefined;
  /** The tag of one element (packed repeated uint32 are read both ways). */
  tag: number;
}

export interface MessageSchema {
  name: string;
  fields: Field[];
  /** Fields indexed by field number. */
  byNo: Array<Field | undefined>;
  /** Every field at its default, built on first decode; copied for each decoded message (repeated fields aside). */
  template?: Record<string, unknown>;
  repeated?: Field[];
}

/** Field spec: [number, name, kind, flags] — flags "r" repeated, "p" presence (optional / oneof). */
type Spec = [number, string, number, string?, MessageSchema?];

const WIRE_TYPE = [0, 0, 0, 2, 2, 0, 2];

function message(name: string, specs: Spec[]): MessageSchema {
  const schema: MessageSchema = { name, fields: [], byNo: [] };
  define(schema, specs);
  return schema;
}

function define(schema: MessageSchema, specs: Spec[]): void {
  for (const [no, name, kind, flags = "", sub] of specs) {
    const field: Field = {
      no, name, kind, repeated: flags.includes("r"), presence: flags.includes("p") || kind === MSG,
      message: sub, tag: (no << 3) | WIRE_TYPE[kind]!,
    };
    schema.fields.push(field);
    schema.byNo[no] = field;
  }
}

export const Value = message("Value", [[1, "content", BYTES]]);
export const Void = message("Void", []);
const FailureMetadata = message("FailureMetadata", [[1, "key", STR], [2, "value", STR]]);
export const Failure = message("Failure", [[1, "code", U32], [2, "message", STR], [3, "metadata", MSG, "r", FailureMetadata]]);
const Header = message("Header", [[1, "key", STR], [2, "value", STR]]);
const StateKeys = message("StateKeys", [[1, "keys", BYTES, "r"]]);
const WorkflowTarget = message("WorkflowTarget", [[1, "workflowName", STR], [2, "workflowKey", STR], [3, "scope", STR, "p"]]);
const IdempotentRequestTarget = message("IdempotentRequestTarget", [
  [1, "serviceName", STR], [2, "serviceKey", STR, "p"], [3, "handlerName", STR], [4, "idempotencyKey", STR], [5, "scope", STR, "p"],
]);
const Future = message("Future", []);
define(Future, [
  [1, "waitingCompletions", U32, "r"], [2, "waitingSignals", U32, "r"], [3, "waitingNamedSignals", STR, "r"],
  [4, "nestedFutures", MSG, "r", Future], [5, "combinatorType", I32],
]);
const StateEntry = message("StartMessage.StateEntry", [[1, "key", BYTES], [2, "value", BYTES]]);

const named = (no: number, sub: MessageSchema): Spec => [no, sub.name[0]!.toLowerCase() + sub.name.slice(1), MSG, "", sub];
const NAME: Spec = [12, "name", STR];
const RESULT_ID: Spec = [11, "resultCompletionId", U32];
const TARGETS: Spec[] = [[1, "invocationId", STR, "p"], named(3, IdempotentRequestTarget), named(4, WorkflowTarget), RESULT_ID, NAME];

/** Every message of the protocol by its name in the .proto file. */
export const MESSAGES = {
  Value, Void, FailureMetadata, Failure, Header, StateKeys, WorkflowTarget, IdempotentRequestTarget, Future,
  StartMessage_StateEntry: StateEntry,
  StartMessage: message("StartMessage", [
    [1, "id", BYTES], [2, "debugId", STR], [3, "knownEntries", U32], [4, "stateMap", MSG, "r", StateEntry],
    [5, "partialState", BOOL], [6, "key", STR], [7, "retryCountSinceLastStoredEntry", U32],
    [8, "durationSinceLastStoredEntry", U64], [9, "randomSeed", U64], [10, "scope", STR, "p"],
    [11, "limitKey", STR, "p"], [12, "idempotencyKey", STR, "p"],
  ]),
  SuspensionMessage: message("SuspensionMessage", [
    [1, "waitingCompletions", U32, "r"], [2, "waitingSignals", U32, "r"], [3, "waitingNamedSignals", STR, "r"],
    [4, "awaitingOn", MSG, "", Future],
  ]),
  ErrorMessage: message("ErrorMessage", [
    [1, "code", U32], [2, "message", STR], [3, "stacktrace", STR], [4, "relatedCommandIndex", U32, "p"],
    [5, "relatedCommandName", STR, "p"], [6, "relatedCommandType", U32, "p"], [8, "nextRetryDelay", U64, "p"],
    [9, "behavior", I32],
  ]),
  EndMessage: message("EndMessage", []),
  CommandAckMessage: message("CommandAckMessage", [[1, "commandIndex", U32]]),
  ProposeRunCompletionMessage: message("ProposeRunCompletionMessage", [
    [1, "resultCompletionId", U32], [14, "value", BYTES, "p"], [15, "failure", MSG, "", Failure],
  ]),
  AwaitingOnMessage: message("AwaitingOnMessage", [[1, "awaitingOn", MSG, "", Future], [2, "executingSideEffects", BOOL]]),
  ProposeRunCompletionAckMessage: message("ProposeRunCompletionAckMessage", [[1, "completionId", U32]]),
  InputCommandMessage: message("InputCommandMessage", [[1, "headers", MSG, "r", Header], NAME, [14, "value", MSG, "", Value]]),
  OutputCommandMessage: message("OutputCommandMessage", [NAME, [14, "value", MSG, "", Value], [15, "failure", MSG, "", Failure]]),
  GetLazyStateCommandMessage: message("GetLazyStateCommandMessage", [[1, "key", BYTES], RESULT_ID, NAME]),
  SetStateCommandMessage: message("SetStateCommandMessage", [[1, "key", BYTES], [3, "value", MSG, "", Value], NAME]),
  ClearStateCommandMessage: message("ClearStateCommandMessage", [[1, "key", BYTES], NAME]),
  ClearAllStateCommandMessage: message("ClearAllStateCommandMessage", [NAME]),
  GetLazyStateKeysCommandMessage: message("GetLazyStateKeysCommandMessage", [RESULT_ID, NAME]),
  GetEagerStateCommandMessage: message("GetEagerStateCommandMessage", [
    [1, "key", BYTES], NAME, [13, "void", MSG, "", Void], [14, "value", MSG, "", Value],
  ]),
  GetEagerStateKeysCommandMessage: message("GetEagerStateKeysCommandMessage", [NAME, [14, "value", MSG, "", StateKeys]]),
  GetPromiseCommandMessage: message("GetPromiseCommandMessage", [[1, "key", STR], RESULT_ID, NAME]),
  PeekPromiseCommandMessage: message("PeekPromiseCommandMessage", [[1, "key", STR], RESULT_ID, NAME]),
  CompletePromiseCommandMessage: message("CompletePromiseCommandMessage", [
    [1, "key", STR], [2, "completionValue", MSG, "", Value], [3, "completionFailure", MSG, "", Failure], RESULT_ID, NAME,
  ]),
  SleepCommandMessage: message("SleepCommandMessage", [[1, "wakeUpTime", U64], RESULT_ID, NAME]),
  CallCommandMessage: message("CallCommandMessage", [
    [1, "serviceName", STR], [2, "handlerName", STR], [3, "parameter", BYTES], [4, "headers", MSG, "r", Header],
    [5, "key", STR], [6, "idempotencyKey", STR, "p"], [7, "scope", STR, "p"], [8, "limitKey", STR, "p"],
    [10, "invocationIdNotificationIdx", U32], RESULT_ID, NAME,
  ]),
  OneWayCallCommandMessage: message("OneWayCallCommandMessage", [
    [1, "serviceName", STR], [2, "handlerName", STR], [3, "parameter", BYTES], [4, "invokeTime", U64],
    [5, "headers", MSG, "r", Header], [6, "key", STR], [7, "idempotencyKey", STR, "p"], [8, "scope", STR, "p"],
    [9, "limitKey", STR, "p"], [10, "invocationIdNotificationIdx", U32], NAME,
  ]),
  SendSignalCommandMessage: message("SendSignalCommandMessage", [
    [1, "targetInvocationId", STR], [2, "idx", U32, "p"], [3, "name", STR, "p"], [4, "void", MSG, "", Void],
    [5, "value", MSG, "", Value], [6, "failure", MSG, "", Failure], [12, "entryName", STR],
  ]),
  RunCommandMessage: message("RunCommandMessage", [RESULT_ID, NAME]),
  AttachInvocationCommandMessage: message("AttachInvocationCommandMessage", TARGETS),
  GetInvocationOutputCommandMessage: message("GetInvocationOutputCommandMessage", TARGETS),
  CompleteAwakeableCommandMessage: message("CompleteAwakeableCommandMessage", [
    [1, "awakeableId", STR], [2, "value", MSG, "", Value], [3, "failure", MSG, "", Failure], NAME,
  ]),
  NotificationTemplate: message("NotificationTemplate", [
    [1, "completionId", U32, "p"], [2, "signalId", U32, "p"], [3, "signalName", STR, "p"], [4, "void", MSG, "", Void],
    [5, "value", MSG, "", Value], [6, "failure", MSG, "", Failure], [16, "invocationId", STR, "p"],
    [17, "stateKeys", MSG, "", StateKeys],
  ]),
};

// ---- decoding ---------------------------------------------------------------------------------------------------

const EMPTY_BYTES = new Uint8Array(0);
const DEFAULTS: unknown[] = [0, 0, false, "", EMPTY_BYTES, 0n, undefined];
const MAX_DEPTH = 100;

/** A fresh object with every field at its default, always in declaration order (one hidden class per message). */
function create(schema: MessageSchema): Record<string, unknown> {
  let template = schema.template;
  if (template === undefined) {
    template = {};
    for (const f of schema.fields) template[f.name] = f.repeated ? undefined : f.presence ? undefined : DEFAULTS[f.kind];
    schema.template = template;
    schema.repeated = schema.fields.filter((f) => f.repeated);
  }
  // A spread of one template is a fast shallow clone, and every copy shares the template's hidden class.
  const m = { ...template };
  for (const f of schema.repeated!) m[f.name] = [];
  return m;
}

function readValue(r: Reader, f: Field, depth: number): unknown {
  switch (f.kind) {
    case U32: return r.uint32();
    case I32: return r.uint32() | 0;
    case BOOL: return r.bool();
    case STR: return r.string();
    case BYTES: return r.bytes();
    case U64: return r.uint64();
    default: {
      const len = r.uint32();
      if (len > r.len - r.pos) throw new RangeError("premature EOF");
      return decodeFields(r, f.message!, r.pos + len, depth + 1);
    }
  }
}

/**
 * Reads fields up to `end`. Like the generated decoders it stops early, without error, at a zero tag or an
 * end-group tag (callers of the top level treat stopping before the end as malformed).
 */
export function decodeFields(r: Reader, schema: MessageSchema, end: number, depth: number): Record<string, unknown> {
  if (depth >= MAX_DEPTH) throw new Error("protobuf decode recursion limit exceeded");
  const m = create(schema);
  while (r.pos < end) {
    const tag = r.uint32();
    const f = schema.byNo[tag >>> 3];
    if (f !== undefined) {
      if (tag === f.tag) {
        if (f.repeated) (m[f.name] as unknown[]).push(readValue(r, f, depth));
        else m[f.name] = readValue(r, f, depth);
        continue;
      }
      if (f.repeated && f.kind === U32 && tag === f.tag + 2) {
        // packed
        const list = m[f.name] as number[];
        const len = r.uint32();
        if (len > r.len - r.pos) throw new RangeError("premature EOF");
        const stop = r.pos + len;
        while (r.pos < stop) list.push(r.uint32());
        continue;
      }
    }
    const wireType = tag & 7;
    if (wireType === 4 || tag === 0) break;
    r.skip(wireType);
  }
  return m;
}

// ---- encoding ---------------------------------------------------------------------------------------------------

function isDefault(kind: number, v: unknown): boolean {
  switch (kind) {
    case STR: return v === "";
    case BOOL: return v === false;
    case BYTES: return (v as Uint8Array).length === 0;
    case U64: return v === 0n;
    default: return v === 0;
  }
}

function writeValue(w: Writer, f: Field, v: unknown): void {
  switch (f.kind) {
    case U32:
      if (typeof v !== "number" || v >>> 0 !== v) throw new Error(`invalid uint32 for field ${f.name}: ${String(v)}`);
      return w.uint32(v);
    case I32:
      if (typeof v !== "number" || (v | 0) !== v) throw new Error(`invalid int32 for field ${f.name}: ${String(v)}`);
      return v < 0 ? w.varint64(v, -1) : w.uint32(v);
    case BOOL:
      return w.uint32(v ? 1 : 0);
    case STR:
      if (typeof v !== "string") throw new Error(`invalid string for field ${f.name}: ${typeof v}`);
      return w.string(v);
    case BYTES:
      if (!(v instanceof Uint8Array)) throw new Error(`invalid bytes for field ${f.name}: ${typeof v}`);
      return w.bytes(v);
    case U64: {
      const big = BigInt(v as bigint);
      if (BigInt.asUintN(64, big) !== big) throw new Error(`value provided for field ${f.name} of type uint64 too large`);
      return w.varint64(Number(big & 0xffffffffn), Number(big >> 32n));
    }
    default:
      w.fork();
      encodeFields(w, f.message!, v as Record<string, unknown>);
      return w.join();
  }
}

export function encodeFields(w: Writer, schema: MessageSchema, m: Record<string, unknown>): void {
  for (const f of schema.fields) {
    const v = m[f.name];
    if (v === undefined) continue;
    if (f.repeated) {
      const list = v as unknown[];
      if (list.length === 0) continue;
      if (f.kind === U32) {
        w.uint32(f.tag + 2);
        w.fork();
        for (const x of list) writeValue(w, f, x);
        w.join();
      } else {
        for (const x of list) {
          w.uint32(f.tag);
          writeValue(w, f, x);
        }
      }
    } else if (f.presence || !isDefault(f.kind, v)) {
      w.uint32(f.tag);
      writeValue(w, f, v);
    }
  }
}
