// Where a node sits in durable code, for the perdure lint rules. ESTree only (no type information), so the rules
// work with ESLint's own parser and with typescript-eslint's. A function is durable code when it is a handler
// (a value inside `handlers: { … }`) or when its first parameter is a context: named like one of `contextNames`
// (default ctx, context) or typed `…Context`. A ctx.run closure is a function passed to `<ctx>.run(…)`.

/** The ESTree node shape the rules read (ESLint adds `parent`). */
export interface Node {
  type: string;
  parent?: Node;
  [key: string]: any;
}

export const DEFAULT_CONTEXT_NAMES = ["ctx", "context"];

const FUNCTIONS = new Set(["FunctionExpression", "ArrowFunctionExpression", "FunctionDeclaration"]);

export function isFunction(node: Node | undefined): node is Node {
  return node !== undefined && FUNCTIONS.has(node.type);
}

function firstParamName(fn: Node): string | undefined {
  let p = fn.params?.[0] as Node | undefined;
  if (p?.type === "AssignmentPattern") p = p.left;
  return p?.type === "Identifier" ? (p.name as string) : undefined;
}

function typedAsContext(fn: Node): boolean {
  const annotation = fn.params?.[0]?.typeAnnotation?.typeAnnotation as Node | undefined;
  if (annotation?.type !== "TSTypeReference") return false;
  const name = annotation.typeName?.type === "TSQualifiedName" ? annotation.typeName.right?.name : annotation.typeName?.name;
  return typeof name === "string" && /Context$/.test(name);
}

/** `handlers: { greet: async (ctx, …) => … }` or `handlers: { greet(ctx) { … } }`. */
function isHandlerValue(fn: Node): boolean {
  const prop = fn.parent;
  if (prop?.type !== "Property" || prop.value !== fn) return false;
  const object = prop.parent;
  const holder = object?.parent;
  return object?.type === "ObjectExpression" && holder?.type === "Property" && !holder.computed && (holder.key?.name ?? holder.key?.value) === "handlers";
}

export function isDurableFunction(fn: Node, contextNames: readonly string[]): boolean {
  if (isHandlerValue(fn) && firstParamName(fn) !== undefined) return true;
  const name = firstParamName(fn);
  return (name !== undefined && contextNames.includes(name)) || typedAsContext(fn);
}

/** The context's name in durable function `fn`. */
export function contextNameOf(fn: Node): string | undefined {
  return firstParamName(fn);
}

/** `x.run(…)` where x is a context in scope at `call`: returns x's name. */
export function runCallContext(call: Node, contextNames: readonly string[]): string | undefined {
  if (call.type !== "CallExpression") return undefined;
  const callee = call.callee as Node;
  if (callee?.type !== "MemberExpression" || callee.computed || callee.property?.name !== "run" || callee.object?.type !== "Identifier") return undefined;
  const name = callee.object.name as string;
  return isContextName(name, call, contextNames) ? name : undefined;
}

/** `name` is one of the default context names, or the context parameter of an enclosing durable function. */
export function isContextName(name: string, at: Node, contextNames: readonly string[]): boolean {
  if (contextNames.includes(name)) return true;
  for (let n: Node | undefined = at.parent; n; n = n.parent) {
    if (isFunction(n) && isDurableFunction(n, contextNames) && contextNameOf(n) === name) return true;
  }
  return false;
}

export type Enclosing =
  | { kind: "run"; closure: Node; contextName: string }
  | { kind: "durable"; fn: Node; contextName: string | undefined }
  | undefined;

/** The nearest enclosing ctx.run closure or durable function of `node` (plain nested functions are looked through). */
export function enclosing(node: Node, contextNames: readonly string[]): Enclosing {
  for (let n: Node | undefined = node.parent; n; n = n.parent) {
    if (!isFunction(n)) continue;
    const call = n.parent;
    if (call?.type === "CallExpression" && (call.arguments as Node[]).includes(n)) {
      const contextName = runCallContext(call, contextNames);
      if (contextName !== undefined) return { kind: "run", closure: n, contextName };
    }
    if (isDurableFunction(n, contextNames)) return { kind: "durable", fn: n, contextName: contextNameOf(n) };
  }
  return undefined;
}

/** The rules' shared option: `{ contextNames: ["ctx", "c"] }`. */
export function contextNamesOption(options: unknown[]): string[] {
  const first = options[0] as { contextNames?: unknown } | undefined;
  return Array.isArray(first?.contextNames) ? (first.contextNames as string[]) : DEFAULT_CONTEXT_NAMES;
}

export const optionsSchema = [
  {
    type: "object",
    properties: { contextNames: { type: "array", items: { type: "string" } } },
    additionalProperties: false,
  },
];

/** `a.b.c` of a member chain (`globalThis.crypto.randomUUID` → `globalThis.crypto.randomUUID`), else undefined. */
export function dottedName(node: Node): string | undefined {
  if (node.type === "Identifier") return node.name as string;
  if (node.type === "MemberExpression" && !node.computed && node.property?.type === "Identifier") {
    const head = dottedName(node.object as Node);
    return head === undefined ? undefined : `${head}.${node.property.name as string}`;
  }
  return undefined;
}
