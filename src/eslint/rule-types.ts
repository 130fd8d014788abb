// The slice of ESLint's rule API the perdure rules use, declared here so that perdure's published types do not
// depend on eslint (an optional peer).
import type { Node } from "./durable-code.js";

export interface RuleContext {
  options: unknown[];
  sourceCode: { getDeclaredVariables(node: Node): Array<{ name: string; references: Array<{ isRead(): boolean }> }> };
  report(descriptor: { node: Node; messageId: string; data?: Record<string, string> }): void;
}

export interface RuleModule {
  meta: {
    type: "problem" | "suggestion";
    docs: { description: string; recommended?: boolean };
    messages: Record<string, string>;
    schema: unknown[];
  };
  create(context: RuleContext): Record<string, (node: Node) => void>;
}
