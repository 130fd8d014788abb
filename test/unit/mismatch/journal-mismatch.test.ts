// Non-determinism diagnostics, through the fetch handler with hand-built journals: each kind of divergence
// between the recorded journal and what the handler code does now must end the attempt with ErrorMessage 570
// naming the command index, what the journal holds and what the code issued (STATE_MACHINE.md §3). A journal
// that simply ends before the code does is not a divergence: the code carries on in processing mode.

import { describe, expect, it } from "vitest";
import * as restate from "../../../src/index.js";
import { MessageType } from "../../../src/protocol/message-types.js";
import type { Message } from "../../../src/protocol/messages.js";
import { frame, input, invoke, json, start, text } from "../machine/support.js";

type GreeterApi = { hello: (ctx: restate.Context, name: string) => Promise<string> };
const greeterRef: restate.ServiceDefinition<"Greeter", GreeterApi> = { name: "Greeter" };

/** How often each ctx.run closure really executed (a replayed run must not execute). */
const executed = new Map<string, number>();
const count = (name: string) => executed.set(name, (executed.get(name) ?? 0) + 1);

const diverge = restate.object({
  name: "Diverge",
  handlers: {
    runStep: async (ctx: restate.ObjectContext) => {
      await ctx.run("step", () => (count("step"), 1));
      return "done";
    },
    runTwice: async (ctx: restate.ObjectContext) => {
      const a = await ctx.run("first", () => (count("first"), 1));
      const b = await ctx.run("second", () => (count("second"), 2));
      return a + b;
    },
    callHello: async (ctx: restate.ObjectContext) => ctx.serviceClient(greeterRef).hello("x"),
    setKey: async (ctx: restate.ObjectContext) => {
      ctx.set("b", 1);
      return "ok";
    },
  },
});

const quiet = () => {};
const modes = {
  "request-response": restate.endpoint().bind(diverge).setLogger(quiet).handler().fetch,
  bidirectional: restate.endpoint().bind(diverge).setLogger(quiet).bidirectional().handler().fetch,
};

const callCommand = (fields: Record<string, unknown>) =>
  frame(MessageType.CallCommand, {
    serviceName: "Greeter",
    handlerName: "hello",
    parameter: json("x"),
    invocationIdNotificationIdx: 1,
    resultCompletionId: 2,
    ...fields,
  });

interface Divergence {
  kind: string;
  handler: string;
  /** Journal entries after the InputCommand. */
  journal: Uint8Array[];
  index: number;
  recordedType: number;
  /** Patterns the 570 message must match: the recorded and the issued command. */
  says: RegExp[];
}

const divergences: Divergence[] = [
  {
    kind: "a different command type",
    handler: "runStep",
    journal: [frame(MessageType.SleepCommand, { wakeUpTime: 1n, resultCompletionId: 1 })],
    index: 1,
    recordedType: MessageType.SleepCommand,
    says: [/the journal has SleepCommand, but the code issued RunCommand named 'step'/],
  },
  {
    kind: "a different target service",
    handler: "callHello",
    journal: [callCommand({ serviceName: "Billing" })],
    index: 1,
    recordedType: MessageType.CallCommand,
    says: [/journal has CallCommand/, /serviceName: journal has "Billing", code now has "Greeter"/],
  },
  {
    kind: "a different target handler",
    handler: "callHello",
    journal: [callCommand({ handlerName: "goodbye" })],
    index: 1,
    recordedType: MessageType.CallCommand,
    says: [/handlerName: journal has "goodbye", code now has "hello"/],
  },
  {
    kind: "a different call payload",
    handler: "callHello",
    journal: [callCommand({ parameter: json("y") })],
    index: 1,
    recordedType: MessageType.CallCommand,
    says: [/parameter: journal has "\\"y\\"", code now has "\\"x\\""/],
  },
  {
    kind: "a different state key",
    handler: "setKey",
    journal: [frame(MessageType.SetStateCommand, { key: new TextEncoder().encode("a"), value: { content: json(1) } })],
    index: 1,
    recordedType: MessageType.SetStateCommand,
    says: [/journal has SetStateCommand/, /key: journal has "a", code now has "b"/],
  },
  {
    kind: "a different run name",
    handler: "runStep",
    journal: [frame(MessageType.RunCommand, { resultCompletionId: 1, name: "charge-card" })],
    index: 1,
    recordedType: MessageType.RunCommand,
    says: [/journal has RunCommand named 'charge-card'/, /name: journal has "charge-card", code now has "step"/],
  },
  {
    kind: "fewer commands (the code returns while the journal has more)",
    handler: "runStep",
    journal: [
      frame(MessageType.RunCommand, { resultCompletionId: 1, name: "step" }),
      frame(MessageType.RunCompletion, { completionId: 1, value: { content: json(1) } }),
      frame(MessageType.SleepCommand, { wakeUpTime: 1n, resultCompletionId: 2 }),
    ],
    index: 2,
    recordedType: MessageType.SleepCommand,
    says: [/the journal has SleepCommand, but the code issued OutputCommand/],
  },
  {
    kind: "a later divergence after a matching prefix",
    handler: "runTwice",
    journal: [
      frame(MessageType.RunCommand, { resultCompletionId: 1, name: "first" }),
      frame(MessageType.RunCompletion, { completionId: 1, value: { content: json(1) } }),
      frame(MessageType.RunCommand, { resultCompletionId: 2, name: "third" }),
    ],
    index: 2,
    recordedType: MessageType.RunCommand,
    says: [/name: journal has "third", code now has "second"/],
  },
];

async function attempt(fetch: (r: Request) => Promise<Response>, handler: string, journal: Uint8Array[], version: number) {
  return invoke(fetch, `/invoke/Diverge/${handler}`, [start(2 + journal.length - 1, { key: "k1" }), input(null), ...journal], version);
}

for (const [mode, fetch] of Object.entries(modes)) {
  describe(`journal mismatch diagnostics (${mode})`, () => {
    for (const version of [5, 6, 7]) {
      for (const d of divergences) {
        it(`V${version}: ${d.kind} → 570 naming index ${d.index}, the recorded and the issued command`, async () => {
          executed.clear();
          const res = await attempt(fetch, d.handler, d.journal, version);
          expect(res.status).toBe(200);
          // Nothing but the ErrorMessage: the attempt stops at the divergence.
          expect(res.messages.map((m) => m.type)).toEqual([MessageType.Error]);
          const err = res.messages[0]!.message as { code: number; message: string; relatedCommandIndex?: number; relatedCommandType?: number };
          expect(err.code).toBe(570);
          expect(err.message).toContain(`Journal mismatch at command index ${d.index}`);
          for (const pattern of d.says) expect(err.message).toMatch(pattern);
          expect(err.relatedCommandIndex).toBe(d.index);
          expect(err.relatedCommandType).toBe(d.recordedType);
          // No closure ran: diverging commands never execute, and matching recorded runs are replayed.
          expect([...executed.keys()]).toEqual([]);
        });
      }

      it(`V${version}: more commands (the journal ends, the code continues) is NOT a mismatch: it carries on in processing mode`, async () => {
        executed.clear();
        const res = await attempt(
          fetch,
          "runTwice",
          [
            frame(MessageType.RunCommand, { resultCompletionId: 1, name: "first" }),
            frame(MessageType.RunCompletion, { completionId: 1, value: { content: json(1) } }),
          ],
          version,
        );
        const types = res.messages.map((m) => m.type);
        expect(types).not.toContain(MessageType.Error);
        // The recorded run is replayed from the journal (its closure does not run again) …
        expect(executed.get("first") ?? 0).toBe(0);
        // … and the new one is journaled as the next command (index 2), its closure executed once.
        const run = res.messages.find((m): m is Message & { message: { name: string; resultCompletionId: number } } => m.type === MessageType.RunCommand);
        expect(run?.message).toMatchObject({ name: "second", resultCompletionId: 2 });
        expect(executed.get("second")).toBe(1);
        const proposal = res.messages.find((m) => m.type === MessageType.ProposeRunCompletion);
        expect(text((proposal?.message as { value?: Uint8Array }).value)).toBe("2");
      });
    }
  });
}
