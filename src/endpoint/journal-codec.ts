// The journal value codec (`journalValueCodecProvider`, as in the official SDK): values read from the server are
// decoded here, in the transport, before the frames reach the state machine (the codec's decode is asynchronous; the
// machine is not). Values written are encoded by the machine (InvocationMachine.useValueCodec).

import { ErrorCode, ProtocolError } from "../protocol/errors.js";
import type { RawFrame } from "../protocol/frame.js";
import { MessageType, isNotification } from "../protocol/message-types.js";
import { decodeMessage, encodeMessage } from "../protocol/messages.js";
import type { JournalValueCodec } from "../definition/contract-types.js";

export type { JournalValueCodec };

/** Frames that carry journal values: eager state, the input, eagerly read state on replay, and notifications. */
function carriesValues(type: number): boolean {
  return type === MessageType.Start || type === MessageType.InputCommand || type === MessageType.GetEagerStateCommand || isNotification(type);
}

/** The frame with its journal values decoded (the same frame when it carries none). */
export async function decodeFrameValues(frame: RawFrame, codec: JournalValueCodec): Promise<RawFrame> {
  if (!carriesValues(frame.type)) return frame;
  const message = decodeMessage(frame).message as Record<string, any>;
  let changed = false;
  const decode = async (bytes: Uint8Array, what: string) => {
    try {
      changed = true;
      return await codec.decode(bytes);
    } catch (e) {
      // Ends the attempt with an ErrorMessage (code 500: retried), like any other failure to read the journal.
      throw new ProtocolError(`the journal value codec could not decode ${what}: ${e instanceof Error ? e.message : String(e)}`, ErrorCode.INTERNAL, { cause: e });
    }
  };
  if (frame.type === MessageType.Start) {
    for (const entry of (message.stateMap ?? []) as { value?: Uint8Array }[]) {
      if (entry.value !== undefined) entry.value = await decode(entry.value, "a state value");
    }
  } else if (message.value?.content !== undefined) {
    message.value.content = await decode(message.value.content, frame.type === MessageType.InputCommand ? "the input" : "a journal value");
  }
  if (!changed) return frame;
  const bytes = encodeMessage(frame.type as never, message as never, frame.flags);
  return { type: frame.type, flags: frame.flags, payload: bytes.subarray(8) };
}

/** Checks the provider at startup and calls it once, as the official SDK does. */
export function resolveCodecProvider(provider: unknown): Promise<JournalValueCodec> | undefined {
  if (provider === undefined) return undefined;
  const misuse = "journalValueCodecProvider must be a function resolving to { encode(buf), decode(buf) }";
  if (typeof provider !== "function") throw new TypeError(misuse);
  const codec = Promise.resolve()
    .then(() => (provider as () => Promise<JournalValueCodec>)())
    .then((c) => {
      if (!c || typeof c.encode !== "function" || typeof c.decode !== "function") {
        throw new TypeError(misuse);
      }
      return c;
    });
  codec.catch(() => {}); // reported by every invocation that needs it
  return codec;
}
