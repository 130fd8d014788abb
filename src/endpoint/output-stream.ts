// A response body fed frame by frame as the state machine writes them (bidirectional mode, and request-response
// with eager runs, where each run proposal should reach the server — and become durable — as soon as it is written).

import type { InvocationMachine } from "../machine/invocation-machine.js";

export interface FrameOutput {
  body: ReadableStream<Uint8Array>;
  write(frame: Uint8Array): void;
  close(): void;
  /** Wires the consumer going away to abandoning the attempt. */
  attach(machine: InvocationMachine): void;
}

export function frameOutput(): FrameOutput {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  let machine: InvocationMachine | undefined;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
    cancel: () => {
      // The server went away: nothing we write can arrive any more.
      open = false;
      machine?.abandon("the response stream was closed by the peer");
    },
  });
  return {
    body,
    write: (frame) => {
      if (open) controller.enqueue(frame);
    },
    close: () => {
      if (!open) return;
      open = false;
      controller.close();
    },
    attach: (m) => {
      machine = m;
      if (!open) m.abandon("the response stream was closed by the peer");
    },
  };
}
