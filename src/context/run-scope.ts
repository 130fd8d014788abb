// Which ctx.run closure is executing, across its awaits: an AsyncLocalStorage where the runtime has one (Node, Bun,
// Deno, workerd with nodejs_compat), found at run time so that no bundle imports `node:*`. Without it, only the
// closure's synchronous part is known (ContextImpl's own stack).
// Cost: created on the first closure that executes (a replay runs none), and disabled whenever no closure is
// executing, because on Node before 24 an enabled AsyncLocalStorage installs promise hooks that tax every promise of
// the process (+20–40% on the replay benchmark). workerd cannot disable one; its storage costs nothing idle.

interface Scope {
  run<R>(store: unknown, fn: () => R): R;
  getStore(): unknown;
  disable(): void;
}

let scope: Scope | 0 | undefined;
let executing = 0;
let canDisable = true;

/** Runs the closure `fn` of run `name` of `owner`, marked for runOf() until the promise it returns settles. */
export function inRun<R>(owner: object, name: string, fn: () => R): R {
  if (scope === undefined) {
    const Storage = (globalThis as { process?: { getBuiltinModule?(id: string): any } }).process?.getBuiltinModule?.("async_hooks")?.AsyncLocalStorage;
    scope = Storage ? new Storage() : 0;
  }
  if (!scope) return fn();
  executing++;
  let r: R | undefined;
  try {
    return (r = scope.run([owner, name], fn));
  } finally {
    Promise.resolve(r).then(closureDone, closureDone);
  }
}

function closureDone(): void {
  if (!--executing && canDisable) {
    try {
      (scope as Scope).disable();
    } catch {
      canDisable = false;
    }
  }
}

/** The name of `owner`'s run whose closure is executing (at any depth), if known. */
export function runOf(owner: object): string | undefined {
  if (!executing) return undefined; // no closure executes anywhere: the common case, and every replay
  const s = (scope || undefined)?.getStore() as [object, string] | undefined;
  return s?.[0] === owner ? s[1] : undefined;
}
