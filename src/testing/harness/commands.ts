// Readable views of the commands a handler produced: the decoded protocol message plus a one-line summary such as
// `call Payments/charge {"amount":10}` or `set "count" = 2`, convenient in assertions.

import { MessageType, messageTypeName } from "../../protocol/message-types.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface CommandView {
  /** Index among the invocation's commands (the input is 0). */
  index: number;
  /** Protocol message name, e.g. `RunCommand`. */
  type: string;
  /** The entry name (`ctx.run` name, sleep name), when there is one. */
  name?: string;
  /** One line: `run "charge"`, `call Payments/charge {"amount":10}`, `set "count" = 2`, `output "ok"`. */
  summary: string;
  /** The decoded protocol message. */
  message: Record<string, any>;
}

/** JSON text of `bytes` when they hold JSON, else `<N bytes>`. */
export function showBytes(bytes: Uint8Array | undefined): string {
  if (bytes === undefined || bytes.length === 0) return "";
  try {
    return JSON.stringify(JSON.parse(utf8.decode(bytes)));
  } catch {
    return `<${bytes.length} bytes>`;
  }
}

/** The JSON value of `bytes`, or the bytes themselves when they are not JSON (undefined when empty). */
export function valueOf(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined || bytes.length === 0) return undefined;
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return bytes;
  }
}

function text(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? "" : new TextDecoder().decode(bytes);
}

function withArg(head: string, arg: string): string {
  return arg ? `${head} ${arg}` : head;
}

function target(m: Record<string, any>): string {
  return m.key ? `${m.serviceName}/${m.key}/${m.handlerName}` : `${m.serviceName}/${m.handlerName}`;
}

function failureText(f: Record<string, any>): string {
  return `failure ${f.code ?? 0} ${JSON.stringify(f.message ?? "")}`;
}

function resultText(m: Record<string, any>, valueField = "value", failureField = "failure"): string {
  if (m[failureField]) return failureText(m[failureField]);
  const v = m[valueField];
  return showBytes(v?.content ?? (v instanceof Uint8Array ? v : undefined));
}

function invocationTarget(m: Record<string, any>): string {
  if (m.invocationId) return m.invocationId;
  if (m.workflowTarget) return `workflow ${m.workflowTarget.workflowName}/${m.workflowTarget.workflowKey}`;
  if (m.idempotentRequestTarget) {
    const t = m.idempotentRequestTarget;
    return `${t.serviceName}/${t.serviceKey ? `${t.serviceKey}/` : ""}${t.handlerName} (idempotency key ${t.idempotencyKey})`;
  }
  return "?";
}

export function summarize(type: number, m: Record<string, any>): string {
  switch (type) {
    case MessageType.InputCommand:
      return withArg("input", showBytes(m.value?.content));
    case MessageType.OutputCommand:
      return withArg("output", resultText(m));
    case MessageType.RunCommand:
      return `run ${JSON.stringify(m.name ?? "")}`;
    case MessageType.SleepCommand:
      return m.name ? `sleep ${JSON.stringify(m.name)}` : "sleep";
    case MessageType.CallCommand:
      return withArg(`call ${target(m)}`, showBytes(m.parameter));
    case MessageType.OneWayCallCommand:
      return withArg(`send ${target(m)}`, showBytes(m.parameter)) + (m.invokeTime ? " (delayed)" : "");
    case MessageType.GetEagerStateCommand:
    case MessageType.GetLazyStateCommand:
      return `get ${JSON.stringify(text(m.key))}`;
    case MessageType.GetEagerStateKeysCommand:
    case MessageType.GetLazyStateKeysCommand:
      return "state keys";
    case MessageType.SetStateCommand:
      return `set ${JSON.stringify(text(m.key))} = ${showBytes(m.value?.content) || "(empty)"}`;
    case MessageType.ClearStateCommand:
      return `clear ${JSON.stringify(text(m.key))}`;
    case MessageType.ClearAllStateCommand:
      return "clear all";
    case MessageType.GetPromiseCommand:
      return `promise ${JSON.stringify(m.key)} get`;
    case MessageType.PeekPromiseCommand:
      return `promise ${JSON.stringify(m.key)} peek`;
    case MessageType.CompletePromiseCommand:
      return m.completionFailure
        ? `promise ${JSON.stringify(m.key)} reject ${JSON.stringify(m.completionFailure.message ?? "")}`
        : withArg(`promise ${JSON.stringify(m.key)} resolve`, showBytes(m.completionValue?.content));
    case MessageType.CompleteAwakeableCommand:
      return m.failure ? `reject awakeable ${JSON.stringify(m.failure.message ?? "")}` : withArg("resolve awakeable", showBytes(m.value?.content));
    case MessageType.SendSignalCommand:
      if (m.idx === 1) return `cancel ${m.targetInvocationId}`;
      return withArg(`signal ${m.targetInvocationId} ${m.name ? JSON.stringify(m.name) : `#${m.idx}`}`, resultText(m));
    case MessageType.AttachInvocationCommand:
      return `attach ${invocationTarget(m)}`;
    case MessageType.GetInvocationOutputCommand:
      return `get output of ${invocationTarget(m)}`;
    default:
      return messageTypeName(type);
  }
}

export function commandView(index: number, type: number, message: Record<string, any>): CommandView {
  // SendSignal's `name` is the signal's name; its entry name is `entryName`.
  const name = (type === MessageType.SendSignalCommand ? message.entryName : message.name) as string | undefined;
  const view: CommandView = { index, type: messageTypeName(type), summary: summarize(type, message), message };
  if (name) view.name = name;
  return view;
}
