// Helpers for message-in / message-out tests of the state machine.

import { FrameDecoder } from "../../../src/protocol/frame.js";
import { decodeMessage, encodeMessage, type Message } from "../../../src/protocol/messages.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { InvocationMachine } from "../../../src/machine/invocation-machine.js";

const utf8 = new TextEncoder();

export const json = (v: unknown) => utf8.encode(JSON.stringify(v));
export const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b ?? new Uint8Array(0));

export const INVOCATION_ID = new Uint8Array(24).map((_, i) => i + 1);

export function start(knownEntries: number, extra: Record<string, unknown> = {}): Uint8Array {
  return encodeMessage(MessageType.Start, {
    id: INVOCATION_ID,
    debugId: "inv_test",
    knownEntries,
    partialState: true,
    randomSeed: 42n,
    ...extra,
  } as never);
}

export function input(value: unknown = "x"): Uint8Array {
  return encodeMessage(MessageType.InputCommand, { value: { content: json(value) } } as never);
}

export const frame = (type: number, message: Record<string, unknown>, flags = 0) => encodeMessage(type, message as never, flags);

/** A machine that has received the given request frames, plus everything it wrote. */
export function machineWith(version: number, ...frames: Uint8Array[]) {
  const written: Uint8Array[] = [];
  const machine = new InvocationMachine(version, (f) => written.push(f));
  const decoder = new FrameDecoder();
  for (const f of frames) for (const raw of decoder.push(f)) machine.pushFrame(raw);
  return { machine, written, messages: () => decodeAll(written) };
}

export function decodeAll(chunks: Uint8Array[]): Message[] {
  const decoder = new FrameDecoder();
  const out: Message[] = [];
  for (const c of chunks) for (const f of decoder.push(c)) out.push(decodeMessage(f));
  decoder.finish();
  return out;
}

export function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Calls a fetch handler with an invocation request body and decodes the answer. */
export async function invoke(
  fetch: (r: Request) => Promise<Response>,
  path: string,
  body: Uint8Array[],
  version = 6,
): Promise<{ status: number; messages: Message[]; contentType: string | null }> {
  const res = await fetch(
    new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { "content-type": `application/vnd.restate.invocation.v${version}` },
      body: concat(body),
    }),
  );
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, contentType: res.headers.get("content-type"), messages: res.status === 200 ? decodeAll([bytes]) : [] };
}
