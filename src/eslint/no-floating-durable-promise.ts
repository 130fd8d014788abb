// perdure/no-floating-durable-promise: a ctx.run / ctx.sleep / call whose promise is dropped (an expression
// statement), rendered as a value (`${ctx.run(…)}` is "[object Promise]"), or kept in a variable nobody reads.
// Await it, return it, or combine it (RestatePromise.all/any/race, Promise.all); `void` marks an intended drop.
import { contextNamesOption, isContextName, optionsSchema, type Node } from "./durable-code.js";
import type { RuleModule } from "./rule-types.js";

const CTX_OPERATIONS = new Set(["run", "sleep", "genericCall", "attach"]);
const CLIENTS = new Set(["serviceClient", "objectClient", "workflowClient"]);

/** `ctx.run` / `ctx.sleep` / `ctx.serviceClient(x).greet(…)` / `ctx.promise(n).get()` → a label, else undefined. */
function durableCall(node: Node, contextNames: readonly string[]): string | undefined {
  const callee = node.callee as Node;
  if (callee.type !== "MemberExpression" || callee.computed || callee.property?.type !== "Identifier") return undefined;
  const object = callee.object as Node;
  const method = callee.property.name as string;
  if (object.type === "Identifier" && CTX_OPERATIONS.has(method) && isContextName(object.name as string, node, contextNames)) return `${object.name as string}.${method}(…)`;
  if (object.type === "CallExpression" && object.callee?.type === "MemberExpression" && object.callee.object?.type === "Identifier") {
    const ctx = object.callee.object.name as string;
    const factory = object.callee.property?.name as string;
    if (!isContextName(ctx, node, contextNames)) return undefined;
    if (CLIENTS.has(factory)) return `the call ${ctx}.${factory}(…).${method}(…)`;
    if (factory === "promise" && method === "get") return `${ctx}.promise(…).get()`;
  }
  return undefined;
}

/** The node's parent, looking through parentheses-like wrappers (TS casts, non-null, optional chains). */
function outer(node: Node): { parent: Node | undefined; child: Node } {
  let child = node;
  let parent = node.parent;
  while (parent && ["ChainExpression", "TSAsExpression", "TSNonNullExpression", "TSSatisfiesExpression", "TSTypeAssertion"].includes(parent.type)) {
    child = parent;
    parent = parent.parent;
  }
  return { parent, child };
}

export const noFloatingDurablePromise: RuleModule = {
  meta: {
    type: "problem",
    docs: { description: "require durable promises (ctx.run, ctx.sleep, calls) to be awaited, returned or combined", recommended: true },
    messages: {
      dropped: "{{what}} is neither awaited nor returned: its result is lost and the handler does not wait for it. Await it, return it, or combine it (RestatePromise.all/any/race); `void` marks an intended drop.",
      asValue: "{{what}} is used as a value without await: it renders as \"[object Promise]\". Await it first.",
      unused: "{{what}} is assigned to '{{name}}', which is never used: await it, return it, or combine it.",
    },
    schema: optionsSchema,
  },
  create(context) {
    const contextNames = contextNamesOption(context.options);
    return {
      CallExpression(node) {
        const what = durableCall(node, contextNames);
        if (what === undefined) return;
        const { parent, child } = outer(node);
        if (!parent) return;
        if (parent.type === "ExpressionStatement") return context.report({ node, messageId: "dropped", data: { what } });
        if (parent.type === "TemplateLiteral" || (parent.type === "BinaryExpression" && parent.operator === "+")) {
          return context.report({ node, messageId: "asValue", data: { what } });
        }
        if (parent.type === "VariableDeclarator" && parent.init === child && parent.id.type === "Identifier") {
          const variable = context.sourceCode.getDeclaredVariables(parent).find((v) => v.name === parent.id.name);
          if (variable && !variable.references.some((r) => r.isRead())) {
            context.report({ node, messageId: "unused", data: { what, name: variable.name } });
          }
        }
      },
    };
  },
};
