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

/**
 * The protocol's messages as one string, parsed on first use (nothing is built at import time). Messages are
 * separated by `;`; a message is `Name field field …`. A field is `<number><name>:<type>` (the number left out when it is the previous one + 1) with an optional `*`
 * (repeated) or `?` (optional / oneof member: undefined when absent). The type is a kind letter (`u` uint32,
 * `i` int32 enum, `o` bool, `s` string, `b` bytes, `l` uint64) or the name of a message defined before it (or of
 * the message itself); message fields always have presence. Nested messages are named `Outer_Inner`.
 */
const SPEC =
  "Value content:b;Void;FailureMetadata key:s value:s;Failure code:u message:s metadata:FailureMetadata*;" +
  "Header key:s value:s;StateKeys keys:b*;WorkflowTarget workflowName:s workflowKey:s scope:s?;" +
  "IdempotentRequestTarget serviceName:s serviceKey:s? handlerName:s idempotencyKey:s scope:s?;Future " +
  "waitingCompletions:u* waitingSignals:u* waitingNamedSignals:s* nestedFutures:Future* combinatorType:i;" +
  "StartMessage_StateEntry key:b value:b;StartMessage id:b debugId:s knownEntries:u " +
  "stateMap:StartMessage_StateEntry* partialState:o key:s retryCountSinceLastStoredEntry:u " +
  "durationSinceLastStoredEntry:l randomSeed:l scope:s? limitKey:s? idempotencyKey:s?;SuspensionMessage " +
  "waitingCompletions:u* waitingSignals:u* waitingNamedSignals:s* awaitingOn:Future;ErrorMessage code:u " +
  "message:s stacktrace:s relatedCommandIndex:u? relatedCommandName:s? relatedCommandType:u? " +
  "8nextRetryDelay:l? behavior:i;EndMessage;CommandAckMessage commandIndex:u;ProposeRunCompletionMessage " +
  "resultCompletionId:u 14value:b? failure:Failure;AwaitingOnMessage awaitingOn:Future " +
  "executingSideEffects:o;ProposeRunCompletionAckMessage completionId:u;InputCommandMessage headers:Header* " +
  "12name:s 14value:Value;OutputCommandMessage 12name:s 14value:Value failure:Failure;" +
  "GetLazyStateCommandMessage key:b 11resultCompletionId:u name:s;SetStateCommandMessage key:b 3value:Value " +
  "12name:s;ClearStateCommandMessage key:b 12name:s;ClearAllStateCommandMessage 12name:s;" +
  "GetLazyStateKeysCommandMessage 11resultCompletionId:u name:s;GetEagerStateCommandMessage key:b 12name:s " +
  "void:Void value:Value;GetEagerStateKeysCommandMessage 12name:s 14value:StateKeys;" +
  "GetPromiseCommandMessage key:s 11resultCompletionId:u name:s;PeekPromiseCommandMessage key:s " +
  "11resultCompletionId:u name:s;CompletePromiseCommandMessage key:s completionValue:Value " +
  "completionFailure:Failure 11resultCompletionId:u name:s;SleepCommandMessage wakeUpTime:l " +
  "11resultCompletionId:u name:s;CallCommandMessage serviceName:s handlerName:s parameter:b headers:Header* " +
  "key:s idempotencyKey:s? scope:s? limitKey:s? 10invocationIdNotificationIdx:u resultCompletionId:u name:s;" +
  "OneWayCallCommandMessage serviceName:s handlerName:s parameter:b invokeTime:l headers:Header* key:s " +
  "idempotencyKey:s? scope:s? limitKey:s? invocationIdNotificationIdx:u 12name:s;SendSignalCommandMessage " +
  "targetInvocationId:s idx:u? name:s? void:Void value:Value failure:Failure 12entryName:s;" +
  "RunCommandMessage 11resultCompletionId:u name:s;AttachInvocationCommandMessage invocationId:s? " +
  "3idempotentRequestTarget:IdempotentRequestTarget workflowTarget:WorkflowTarget 11resultCompletionId:u " +
  "name:s;GetInvocationOutputCommandMessage invocationId:s? " +
  "3idempotentRequestTarget:IdempotentRequestTarget workflowTarget:WorkflowTarget 11resultCompletionId:u " +
  "name:s;CompleteAwakeableCommandMessage awakeableId:s value:Value failure:Failure 12name:s;" +
  "NotificationTemplate completionId:u? signalId:u? signalName:s? void:Void value:Value failure:Failure " +
  "16invocationId:s? stateKeys:StateKeys";

const KIND_LETTERS = "uiosbl";
const WIRE_TYPE = [0, 0, 0, 2, 2, 0, 2];

/** Every message of the protocol by its name in the .proto file (nested ones joined with `_`). */
export type Messages = Record<string, MessageSchema>;

let tables: Messages | undefined;

/** The message tables, built from SPEC on the first call. */
export function messages(): Messages {
  if (tables !== undefined) return tables;
  const all: Messages = {};
  for (const text of SPEC.split(";")) {
    const [name, ...specs] = text.split(" ");
    const schema: MessageSchema = (all[name!] = { name: name!, fields: [], byNo: [] });
    let no = 0;
    for (const spec of specs) {
      const [, digits, fieldName, type, flag] = /^(\d*)(\w+):(\w+)([*?]?)$/.exec(spec)!;
      no = digits ? Number(digits) : no + 1;
      const kind = type!.length === 1 ? KIND_LETTERS.indexOf(type!) : MSG;
      const field: Field = {
        no, name: fieldName!, kind, repeated: flag === "*", presence: flag === "?" || kind === MSG,
        message: kind === MSG ? all[type!] : undefined, tag: (no << 3) | WIRE_TYPE[kind]!,
      };
      schema.fields.push(field);
      schema.byNo[no] = field;
    }
  }
  return (tables = all);
}

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

const KIND_NAMES = ["uint32", "int32", "bool", "string", "bytes", "uint64"];

/** A value that does not fit its field: a bug in the caller, reported with the field and the value's type. */
function invalid(f: Field, v: unknown): never {
  throw new Error(`invalid ${KIND_NAMES[f.kind]} for field ${f.name}: ${typeof v === "number" ? v : typeof v}`);
}

function writeValue(w: Writer, f: Field, v: unknown): void {
  switch (f.kind) {
    case U32:
      if (typeof v !== "number" || v >>> 0 !== v) invalid(f, v);
      return w.uint32(v);
    case I32:
      if (typeof v !== "number" || (v | 0) !== v) invalid(f, v);
      return v < 0 ? w.varint64(v, -1) : w.uint32(v);
    case BOOL:
      return w.uint32(v ? 1 : 0);
    case STR:
      if (typeof v !== "string") invalid(f, v);
      return w.string(v);
    case BYTES:
      if (!(v instanceof Uint8Array)) invalid(f, v);
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
