// Quick in-process replay figure: the last attempt of an N-step ctx.run handler (whole journal replayed).
// Run: npx vite-node bench/replay-quick.ts   (the full side-by-side benchmark suite comes with the performance issue)
import * as restate from "../src/index.js";
import { encodeMessage } from "../src/protocol/messages.js";
import { MessageType } from "../src/protocol/message-types.js";

const enc = new TextEncoder();
const steps = (n: number) =>
  restate.service({
    name: `Steps${n}`,
    handlers: {
      run: async (ctx: restate.Context) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await ctx.run(`step-${i}`, () => i);
        return sum;
      },
    },
  });

function journal(n: number): Uint8Array<ArrayBuffer> {
  const frames: Uint8Array[] = [
    encodeMessage(MessageType.Start, { id: new Uint8Array(24), debugId: "inv_x", knownEntries: 1 + 2 * n, partialState: true, randomSeed: 1n } as never),
    encodeMessage(MessageType.InputCommand, { value: { content: new Uint8Array(0) } } as never),
  ];
  for (let i = 0; i < n; i++) {
    frames.push(encodeMessage(MessageType.RunCommand, { resultCompletionId: i + 1, name: `step-${i}` } as never));
    frames.push(encodeMessage(MessageType.RunCompletion, { completionId: i + 1, value: { content: enc.encode(String(i)) } } as never));
  }
  const out = new Uint8Array(frames.reduce((a, f) => a + f.length, 0));
  let o = 0;
  for (const f of frames) (out.set(f, o), (o += f.length));
  return out;
}

for (const n of [20, 200]) {
  const { fetch } = restate.endpoint().bind(steps(n)).handler();
  const body = journal(n);
  const call = async () => {
    const res = await fetch(new Request(`http://x/invoke/Steps${n}/run`, { method: "POST", headers: { "content-type": "application/vnd.restate.invocation.v6" }, body }));
    await res.arrayBuffer();
  };
  for (let i = 0; i < 200; i++) await call();
  const iterations = n === 20 ? 5000 : 1000;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await call();
  const ms = performance.now() - t0;
  const perInv = (ms * 1000) / iterations;
  console.log(`${n} steps: ${(iterations / (ms / 1000)).toFixed(0)} invocations/s, ${perInv.toFixed(1)} µs/invocation, ${(perInv / (2 * n + 1)).toFixed(2)} µs/replayed entry`);
}
