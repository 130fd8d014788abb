// ctx.request(): what the handler may know about the request that started the invocation (target, id, headers of
// the invocation and of this attempt, raw body, idempotency key), built once per attempt on first use.

import type { InvocationMeta } from "./context-impl.js";

export function requestView(meta: InvocationMeta) {
  const start = meta.input;
  const headers = new Map<string, string>();
  for (const h of start.headers) headers.set((h.key ?? "").toLowerCase(), h.value ?? "");
  const attemptHeaders = new Map<string, string>();
  meta.attemptHeaders.forEach((v, k) => attemptHeaders.set(k, v));
  const target = {
    service: meta.service,
    handler: meta.handler,
    key: start.key ? start.key : undefined,
    toString: () => `${meta.service}/${start.key ? start.key + "/" : ""}${meta.handler}`,
  };
  return {
    target,
    id: start.debugId,
    headers,
    attemptHeaders,
    body: start.body,
    extraArgs: meta.extraArgs,
    idempotencyKey: start.idempotencyKey ?? headers.get("idempotency-key"),
    scope: start.scope,
    limitKey: start.limitKey,
    get attemptCompletedSignal() {
      return meta.attemptCompletedSignal();
    },
  };
}
