// perdure/no-ctx-in-run: the context used inside a ctx.run closure. A run closure executes once and its result is
// journaled; a ctx operation inside it (ctx.sleep, ctx.run, a call, state) cannot be journaled there and the
// invocation hangs or fails. Do the ctx operation outside and pass its result in.
import { contextNamesOption, isFunction, runCallContext, optionsSchema, type Node } from "./durable-code.js";
import type { RuleModule } from "./rule-types.js";

function paramNames(fn: Node): string[] {
  return (fn.params as Node[]).flatMap((p) => (p.type === "Identifier" ? [p.name as string] : p.type === "AssignmentPattern" && p.left.type === "Identifier" ? [p.left.name as string] : []));
}

export const noCtxInRun: RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "disallow using the context inside a ctx.run closure", recommended: true },
    messages: {
      ctxInRun: "{{what}} inside a ctx.run closure: ctx operations cannot run inside a run (the invocation hangs or fails). Do it outside the closure and pass the result in.",
    },
    schema: optionsSchema,
  },
  create(context) {
    const contextNames = contextNamesOption(context.options);
    return {
      Identifier(node) {
        const parent = node.parent;
        // Only references: not `x.ctx`, not `{ ctx: … }` keys, not declarations.
        if (parent?.type === "MemberExpression" && parent.property === node && !parent.computed) return;
        if (parent?.type === "Property" && parent.key === node && !parent.computed && parent.value !== node) return;
        for (let n: Node | undefined = node.parent; n; n = n.parent) {
          if (!isFunction(n)) continue;
          if (paramNames(n).includes(node.name as string)) return; // shadowed by (or declared as) a parameter here
          const call = n.parent;
          if (call?.type !== "CallExpression" || !(call.arguments as Node[]).includes(n)) continue;
          if (runCallContext(call, contextNames) === node.name) {
            const what = parent?.type === "MemberExpression" && parent.object === node && !parent.computed ? `${node.name as string}.${parent.property.name as string}` : (node.name as string);
            context.report({ node: parent?.type === "MemberExpression" && parent.object === node ? parent : node, messageId: "ctxInRun", data: { what } });
            return;
          }
        }
      },
    };
  },
};
