// journalValueCodecProvider: values written to the journal go through encode, values read through decode (state
// sent with the StartMessage, the input, replayed results and notifications), in both transports' shared path.

import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import { frame, invoke, start, text } from "../machine/support.js";

const utf8 = new TextEncoder();
// A visible, reversible codec: "enc:" + bytes.
const codec: restate.JournalValueCodec = {
  encode: (buf) => new Uint8Array([...utf8.encode("enc:"), ...buf]),
  decode: async (buf) => {
    if (text(buf.subarray(0, 4)) !== "enc:") throw new Error(`not encoded: ${text(buf)}`);
    return buf.subarray(4);
  },
};
const enc = (v: unknown) => codec.encode(utf8.encode(JSON.stringify(v)));

const svc = restate.object({
  name: "Vault",
  handlers: {
    go: async (ctx: restate.ObjectContext, input: { n: number }) => {
      const saved = (await ctx.get<number>("saved")) ?? 0;
      const r = await ctx.run("r", () => 5);
      ctx.set("saved", saved + input.n + r);
      ctx.genericSend({ service: "Other", method: "take", parameter: 7, inputSerde: restate.serde.json });
      return { saved, r };
    },
  },
});

describe("journalValueCodecProvider", () => {
  it("decodes what it reads and encodes what it writes", async () => {
    let provided = 0;
    const { fetch } = restate
      .endpoint()
      .bind(svc)
      .journalValueCodecProvider(async () => {
        provided++;
        return codec;
      })
      .handler();
    // First attempt: the state comes with the StartMessage; the run executes and its result is proposed.
    const first = await invoke(fetch, "/invoke/Vault/go", [
      start(1, { key: "k", partialState: false, stateMap: [{ key: utf8.encode("saved"), value: enc(10) }] }),
      frame(MessageType.InputCommand, { value: { content: enc({ n: 2 }) } }),
    ]);
    const proposal = first.messages.find((m) => m.type === MessageType.ProposeRunCompletion)!.message as { value: Uint8Array };
    expect(text(proposal.value)).toBe("enc:5");
    // Second attempt: everything read comes from the journal, encoded.
    const res = await invoke(fetch, "/invoke/Vault/go", [
      start(4, { key: "k", partialState: true }),
      frame(MessageType.InputCommand, { value: { content: enc({ n: 2 }) } }),
      frame(MessageType.GetEagerStateCommand, { key: utf8.encode("saved"), value: { content: enc(10) } }),
      frame(MessageType.RunCommand, { resultCompletionId: 2, name: "r" }),
      frame(MessageType.RunCompletion, { completionId: 2, value: { content: enc(5) } }),
    ]);
    if (!res.messages.some((m) => m.type === MessageType.OutputCommand)) throw new Error(JSON.stringify(res.messages));
    const byType = (t: number) => res.messages.find((m) => m.type === t)!.message as Record<string, any>;
    expect(text(byType(MessageType.SetStateCommand).value.content)).toBe("enc:17");
    expect(text(byType(MessageType.OneWayCallCommand).parameter)).toBe("enc:7");
    expect(text(byType(MessageType.OutputCommand).value.content)).toBe('enc:{"saved":10,"r":5}');
    expect(provided).toBe(1);
  });

  it("a value the codec cannot decode ends the attempt with an error naming the codec", async () => {
    const { fetch } = restate.endpoint().bind(svc).journalValueCodecProvider(async () => codec).handler();
    const res = await invoke(fetch, "/invoke/Vault/go", [start(1, { key: "k" }), frame(MessageType.InputCommand, { value: { content: utf8.encode("{}") } })]);
    expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
    expect((res.messages[0]!.message as { message: string }).message).toMatch(/journal value codec could not decode the input: not encoded/);
  });

  it("checks the provider when the endpoint is built", () => {
    expect(() => restate.createEndpointHandler({ services: [svc], journalValueCodecProvider: 42 as never })).toThrow(/journalValueCodecProvider must be a function/);
  });
});
