// Helpers for message-in / message-out tests of the state machine. Frames are built with the journal builders the
// harness publishes (src/testing/harness/journal.ts); only this file's fixed ids and seed are its own.

import { FrameDecoder } from "../../../src/protocol/frame.js";
import type { Message } from "../../../src/protocol/messages.js";
import { InvocationMachine } from "../../../src/machine/invocation-machine.js";
import { concatBytes, decodeFrames, frame as encodeFrameOf, inputFrame, json as jsonBytes, startFrame } from "../../../src/testing/harness/journal.js";

export const json = (v: unknown) => jsonBytes(v);
export const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b ?? new Uint8Array(0));

export const INVOCATION_ID = new Uint8Array(24).map((_, i) => i + 1);

export function start(knownEntries: number, extra: Record<string, unknown> = {}): Uint8Array {
  return startFrame(knownEntries, { id: INVOCATION_ID, debugId: "inv_test", randomSeed: 42n, ...extra });
}

export function input(value: unknown = "x"): Uint8Array {
  return inputFrame(value);
}

export const frame = (type: number, message: Record<string, unknown>, flags = 0) => encodeFrameOf(type, message, flags);

/** A machine that has received the given request frames, plus everything it wrote. */
export function machineWith(version: number, ...frames: Uint8Array[]) {
  const written: Uint8Array[] = [];
  const machine = new InvocationMachine(version, (f) => written.push(f));
  const decoder = new FrameDecoder();
  for (const f of frames) for (const raw of decoder.push(f)) machine.pushFrame(raw);
  return { machine, written, messages: () => decodeAll(written) };
}

export function decodeAll(chunks: Uint8Array[]): Message[] {
  return decodeFrames(chunks);
}

export function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return concatBytes(chunks);
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
