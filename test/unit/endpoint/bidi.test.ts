// The bidirectional transport in process: a request body fed over time, the response read as it is produced.
import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { FrameDecoder } from "../../../src/protocol/frame.js";
import { decodeMessage, type Message } from "../../../src/protocol/messages.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, input, json, start, text } from "../machine/support.js";

let closureRuns = 0;
const svc = restate.service({
  name: "B",
  handlers: {
    twoSteps: async (ctx: restate.Context) => {
      const a = await ctx.run("a", () => {
        closureRuns++;
        return 1;
      });
      const b = await ctx.run("b", () => a + 1);
      return a + b;
    },
    nap: async (ctx: restate.Context) => {
      await ctx.sleep(1000);
      return "woke";
    },
  },
});
const { fetch } = restate.endpoint().bind(svc).bidirectional().handler();

/** A live invocation: push request frames, read response messages as they come. */
function open(path: string, version = 6) {
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
  const response = fetch(
    new Request(`http://x${path}`, {
      method: "POST",
      headers: { "content-type": `application/vnd.restate.invocation.v${version}` },
      body,
      duplex: "half",
    } as RequestInit),
  );
  const decoder = new FrameDecoder();
  const received: Message[] = [];
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return {
    // Once the attempt is over the endpoint cancels the request body; later writes are dropped, as a real
    // peer's would be refused.
    send: (...frames: Uint8Array[]) => frames.forEach((f) => ignoreClosed(() => push.enqueue(f))),
    closeInput: () => ignoreClosed(() => push.close()),
    response,
    /** Reads until `count` messages have arrived in total (or the stream ends). */
    async read(count: number): Promise<Message[]> {
      reader ??= (await response).body!.getReader();
      while (received.length < count) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const f of decoder.push(value)) received.push(decodeMessage(f));
      }
      return received;
    },
    async cancel() {
      reader ??= (await response).body!.getReader();
      await reader.cancel();
    },
  };
}

function ignoreClosed(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!String(e).includes("closed")) throw e;
  }
}

const types = (ms: Message[]) => ms.map((m) => m.type);

describe("bidirectional transport", () => {
  it("sends the head before the handler ends and streams frames as they are written (V6: full notifications)", async () => {
    closureRuns = 0;
    const live = open("/invoke/B/twoSteps");
    live.send(start(1), input());
    const res = await live.response;
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.restate.invocation.v6");
    expect(types(await live.read(2))).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion]);
    live.send(frame(MessageType.RunCompletion, { completionId: 1, value: { content: json(1) } }));
    expect(types(await live.read(4)).slice(2)).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion]);
    live.send(frame(MessageType.RunCompletion, { completionId: 2, value: { content: json(2) } }));
    const all = await live.read(6);
    expect(types(all).slice(4)).toEqual([MessageType.OutputCommand, MessageType.End]);
    expect(text((all[4]!.message as { value: { content: Uint8Array } }).value.content)).toBe("3");
    expect(closureRuns).toBe(1);
    live.closeInput();
  });

  it("resolves V7 runs from the ack, and accepts frames split anywhere", async () => {
    const live = open("/invoke/B/twoSteps", 7);
    const bytes = [...start(1), ...input()];
    for (const b of bytes) live.send(new Uint8Array([b])); // one byte per chunk
    await live.read(2);
    live.send(frame(MessageType.ProposeRunCompletionAck, { completionId: 1 }));
    await live.read(4);
    live.send(frame(MessageType.ProposeRunCompletionAck, { completionId: 2 }));
    expect(types(await live.read(6)).slice(4)).toEqual([MessageType.OutputCommand, MessageType.End]);
  });

  it("suspends, listing what it waits for, when the server closes its side", async () => {
    const live = open("/invoke/B/nap");
    live.send(start(1), input());
    expect(types(await live.read(1))).toEqual([MessageType.SleepCommand]);
    live.closeInput();
    const all = await live.read(3);
    expect(types(all)).toEqual([MessageType.SleepCommand, MessageType.Suspension]);
    expect(all[1]!.message).toMatchObject({ waitingCompletions: [1], waitingSignals: [1] });
  });

  it("answers a protocol violation on the live stream with ErrorMessage 571", async () => {
    const live = open("/invoke/B/nap");
    live.send(start(1), input());
    await live.read(1);
    live.send(frame(MessageType.SleepCommand, { resultCompletionId: 9 })); // commands never come from the server live
    const all = await live.read(3);
    expect(types(all)).toEqual([MessageType.SleepCommand, MessageType.Error]);
    expect(all[1]!.message).toMatchObject({ code: 571 });
  });

  it("survives the server going away mid-stream, without unhandled rejections", async () => {
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on("unhandledRejection", onRejection);
    try {
      const live = open("/invoke/B/nap");
      live.send(start(1), input());
      await live.read(1);
      await live.cancel();
      live.send(frame(MessageType.SleepCompletion, { completionId: 1, void: {} }));
      await new Promise((r) => setTimeout(r, 50));
      expect(rejections).toEqual([]);
      // The endpoint still serves the next invocation.
      const next = open("/invoke/B/twoSteps");
      next.send(start(1), input());
      expect(types(await next.read(2))).toEqual([MessageType.RunCommand, MessageType.ProposeRunCompletion]);
      next.closeInput();
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });
});
