// `perdure/eslint`: lint rules for the durable-code mistakes a type checker cannot see. ESLint flat config:
//
//   import perdure from "perdure/eslint";
//   export default [perdure.configs.recommended];            // or pick rules: plugins: { perdure }, rules: {…}
//
// Rules (options: `{ contextNames: ["ctx", "context"] }`, the parameter names taken as a context):
//   perdure/no-nondeterminism           Math.random, Date.now, new Date(), crypto.randomUUID, fetch, … outside ctx.run
//   perdure/no-ctx-in-run               ctx used inside a ctx.run closure
//   perdure/no-floating-durable-promise ctx.run / ctx.sleep / calls neither awaited, returned, combined nor used
import { noCtxInRun } from "./no-ctx-in-run.js";
import { noFloatingDurablePromise } from "./no-floating-durable-promise.js";
import { noNondeterminism } from "./no-nondeterminism.js";
import type { RuleModule } from "./rule-types.js";

export type { RuleModule } from "./rule-types.js";

const rules: Record<string, RuleModule> = {
  "no-nondeterminism": noNondeterminism,
  "no-ctx-in-run": noCtxInRun,
  "no-floating-durable-promise": noFloatingDurablePromise,
};

interface Plugin {
  meta: { name: string; version: string };
  rules: Record<string, RuleModule>;
  configs: { recommended: { name: string; plugins: Record<string, Plugin>; rules: Record<string, "error" | "warn"> } };
}

const plugin: Plugin = {
  meta: { name: "perdure", version: "0.1.0" },
  rules,
  configs: { recommended: { name: "perdure/recommended", plugins: {}, rules: {} } },
};
plugin.configs.recommended.plugins.perdure = plugin;
for (const name of Object.keys(rules)) plugin.configs.recommended.rules[`perdure/${name}`] = "error";

export { rules };
export default plugin;
