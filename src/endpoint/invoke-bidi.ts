// POST …/invoke/{service}/{handler} in bidirectional mode: the response head goes out at once, every frame the
// machine produces is streamed as it is written, and the request body keeps being read while the handler runs,
// so run acks and completions reach the waiting code on the same request. When the server closes its side the
// machine learns that nothing more will come, and a waiting handler suspends as in request-response mode.

import { ProtocolError } from "../protocol/errors.js";
import { FrameDecoder } from "../protocol/frame.js";
import { ensureError } from "../context/errors.js";
import type { AttemptResult } from "../context/attempt.js";
import type { HandlerEntry, ServiceEntry } from "../definition/service-model.js";
import type { InvocationMachine } from "../machine/invocation-machine.js";
import { attachCodec, invocationResponse, invocationResponseHeaders, newMachine, startAttempt, type InvokeLimits } from "./invoke.js";
import { decodeFrameValues } from "./journal-codec.js";
import { frameOutput } from "./output-stream.js";

export function invokeBidirectional(
  request: Request,
  service: ServiceEntry,
  handler: HandlerEntry,
  version: number,
  extraArgs: unknown[],
  limits: InvokeLimits,
): Response {
  const output = frameOutput();
  const machine = newMachine(version, handler, output.write, limits);
  output.attach(machine);

  pump(request, machine, limits, () => startAttempt(machine, request, service, handler, extraArgs, limits))
    .catch((e) => machine.failInternal("bidirectional stream failed", ensureError(e)))
    .finally(output.close);

  return invocationResponse(output.body, invocationResponseHeaders(version));
}

/**
 * Reads the request body into the machine, starting the handler once the journal is complete, until the attempt
 * ends. Resolves when the machine is closed.
 */
async function pump(
  request: Request,
  machine: InvocationMachine,
  limits: InvokeLimits,
  start: () => Promise<AttemptResult>,
): Promise<void> {
  const decoder = new FrameDecoder({ maxMessageSize: limits.maxMessageSize });
  const reader = request.body?.getReader();
  let attempt: Promise<AttemptResult> | undefined;
  const attemptEnded = new Promise<void>((resolve) => machine.whenClosed(() => resolve()));
  // Stop reading as soon as the attempt is over (the server closes its side after our terminal frame anyway).
  attemptEnded.then(() => reader?.cancel().catch(() => {}));

  try {
    const codec = await attachCodec(machine, limits);
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || machine.isClosed) break;
        for (const frame of decoder.push(value)) {
          machine.pushFrame(codec ? await decodeFrameValues(frame, codec) : frame);
        }
        if (!attempt && machine.isReady) attempt = start();
      }
    }
    if (!machine.isClosed) {
      decoder.finish();
      machine.closeInput();
      if (!attempt) attempt = start();
    }
  } catch (e) {
    if (!machine.isClosed) {
      if (e instanceof ProtocolError) machine.failInput(e);
      else machine.abandon(`reading the request body failed: ${ensureError(e).message}`);
    }
  }
  await attemptEnded;
  await attempt;
}
