// A Node readable (an HTTP/1.1 IncomingMessage or an HTTP/2 stream) as a web ReadableStream, chunk by chunk,
// pausing the source when the consumer falls behind.
import type { Readable } from "node:stream";

export function webBodyStream(source: Readable, closedEarlyMessage: string): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk: Buffer) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.on("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      const fail = (err: Error) => {
        if (finished) return;
        finished = true;
        controller.error(err);
      };
      source.on("error", fail);
      // 'close' without 'end' means the peer went away mid-body.
      source.on("close", () => fail(new Error(closedEarlyMessage)));
    },
    pull() {
      source.resume();
    },
    cancel() {
      finished = true;
      source.resume(); // drain and discard whatever is still coming
    },
  });
}
