// perdure/no-nondeterminism: calls whose result differs between an attempt and its replay (random numbers, the
// clock, network I/O) in durable code outside a ctx.run closure. On replay the handler takes another path and the
// invocation fails with a journal mismatch, or silently computes something else.
import { contextNamesOption, dottedName, enclosing, optionsSchema, type Node } from "./durable-code.js";
import type { RuleModule } from "./rule-types.js";

/** Non-deterministic calls and what to use instead. */
const CALLS: Record<string, string> = {
  "Math.random": "ctx.rand.random()",
  "Date.now": "ctx.date.now()",
  "performance.now": "ctx.date.now() (or measure inside ctx.run)",
  "crypto.randomUUID": "ctx.rand.uuidv4()",
  "crypto.getRandomValues": "ctx.rand (or do it inside ctx.run)",
  "globalThis.crypto.randomUUID": "ctx.rand.uuidv4()",
  "globalThis.crypto.getRandomValues": "ctx.rand (or do it inside ctx.run)",
  "process.hrtime": "ctx.date.now() (or measure inside ctx.run)",
  "process.hrtime.bigint": "ctx.date.now() (or measure inside ctx.run)",
  fetch: "ctx.run(\"name\", () => fetch(…)) so the response is journaled",
  Date: "ctx.date.toJSON() (or ctx.date.now())",
};

export const noNondeterminism: RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "disallow random numbers, the clock and I/O in durable handler code outside ctx.run", recommended: true },
    messages: {
      nondeterministic: "{{call}} in durable code outside ctx.run gives another result on replay: use {{instead}}.",
    },
    schema: optionsSchema,
  },
  create(context) {
    const contextNames = contextNamesOption(context.options);
    const check = (node: Node, call: string) => {
      const instead = CALLS[call];
      if (instead === undefined) return;
      if (enclosing(node, contextNames)?.kind !== "durable") return;
      context.report({ node, messageId: "nondeterministic", data: { call: call === "Date" ? "Date()" : `${call}()`, instead } });
    };
    return {
      CallExpression(node) {
        const name = dottedName(node.callee as Node);
        if (name !== undefined) check(node, name);
      },
      NewExpression(node) {
        // `new Date()` (now); `new Date(x)` converts a value and is deterministic.
        if ((node.callee as Node).type === "Identifier" && node.callee.name === "Date" && (node.arguments as Node[]).length === 0) {
          if (enclosing(node, contextNames)?.kind !== "durable") return;
          context.report({ node, messageId: "nondeterministic", data: { call: "new Date()", instead: "new Date(ctx.date.now()) (or ctx.date.toJSON())" } });
        }
      },
    };
  },
};
