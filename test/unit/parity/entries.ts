// Which perdure entry answers for which official one, for the parity test: the module a user would import after
// changing the import, and where its source is (the test imports sources; dist/ is checked elsewhere).

export interface EntryPair {
  /** The official module specifier. */
  official: string;
  /** What a user imports instead. */
  perdure: string;
  /** perdure's source module for that import on Node (path from the repository root, `.js` as in imports). */
  source: string;
  /** Only runtime names are compared (e.g. the per-runtime roots whose types are Node's anyway). */
  runtimeOnly?: boolean;
}

export const ENTRY_PAIRS: EntryPair[] = [
  { official: "@restatedev/restate-sdk", perdure: "perdure", source: "adapters/node/index.js" },
  { official: "@restatedev/restate-sdk/fetch", perdure: "perdure/fetch", source: "src/fetch.js" },
  { official: "@restatedev/restate-sdk/lambda", perdure: "perdure/lambda", source: "adapters/lambda/index.js" },
  { official: "@restatedev/restate-sdk-clients", perdure: "perdure/clients", source: "src/clients/index.js" },
  { official: "@restatedev/restate-sdk-testcontainers", perdure: "perdure/testing", source: "src/testing/index.js" },
  { official: "@restatedev/restate-sdk-zod", perdure: "perdure/zod", source: "src/entries/zod.js" },
  { official: "@restatedev/restate-sdk-cloudflare-workers/fetch", perdure: "perdure/cloudflare", source: "adapters/cloudflare/index.js" },
  // `perdure` resolves per runtime (export conditions): each root must offer the official root's values.
  { official: "@restatedev/restate-sdk", perdure: "perdure (bun)", source: "adapters/bun/root.js", runtimeOnly: true },
  { official: "@restatedev/restate-sdk", perdure: "perdure (deno)", source: "adapters/deno/root.js", runtimeOnly: true },
  { official: "@restatedev/restate-sdk", perdure: "perdure (workerd, worker, browser)", source: "src/entries/web.js", runtimeOnly: true },
];
