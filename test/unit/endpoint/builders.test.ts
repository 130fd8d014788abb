// Every endpoint builder has every configuration method of the builder base, with the same signature, returning
// itself. The type half is checked by `npm run typecheck` (this file is compiled with the tests): each builder type's
// base methods must be identical to `EndpointBuilderMethods<ThatBuilder>`. The runtime half calls each base method on
// each builder and checks it is the base's method (or a refusal of what the platform cannot do) and returns the
// builder, and that the method list the types name is the one the base class has.
import { describe, expect, it } from "vitest";
import { EndpointBuilderBase, type EndpointBuilderMethods } from "../../../src/endpoint/adapter-api.js";
import * as fetchCore from "../../../src/index.js";
import * as web from "../../../src/entries/web.js";
import * as node from "../../../adapters/node/index.js";
import * as bunRoot from "../../../adapters/bun/root.js";
import * as denoRoot from "../../../adapters/deno/root.js";
import * as cloudflare from "../../../adapters/cloudflare/index.js";
import * as lambda from "../../../adapters/lambda/index.js";

// ---- type half -------------------------------------------------------------------------------------------------

/** Exact type identity (not mere assignability): a parameter widened or narrowed makes it false. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type BaseMethod = keyof EndpointBuilderMethods<unknown>;
/**
 * `B` has every base method, each exactly as the base declares it with `B` as the fluent return type: `true`, else
 * `boolean` (some method differs or is missing).
 */
type HasBaseMethods<B> = { [K in BaseMethod]: K extends keyof B ? Equal<B[K], EndpointBuilderMethods<B>[K]> : false }[BaseMethod];

type Fails<T> = Equal<T, true> extends true ? false : true;
type Method<K extends BaseMethod, E> = EndpointBuilderMethods<E>[K];
interface Complete extends EndpointBuilderMethods<Complete> {}
interface MissingOne extends Omit<EndpointBuilderMethods<MissingOne>, "onAttemptEnd"> {}
interface Narrowed extends Omit<EndpointBuilderMethods<Narrowed>, "maxMessageSize"> {
  maxMessageSize(bytes: 1024): Narrowed;
}
interface WrongReturn extends Omit<EndpointBuilderMethods<WrongReturn>, "bind"> {
  bind: Method<"bind", fetchCore.FetchEndpoint>; // the builder it wraps, not itself
}

type NodeBuilder = ReturnType<typeof node.endpoint>;
type BuilderChecks = [
  Expect<HasBaseMethods<ReturnType<typeof fetchCore.endpoint>>>,
  Expect<HasBaseMethods<ReturnType<typeof web.endpoint>>>,
  Expect<HasBaseMethods<NodeBuilder>>,
  Expect<HasBaseMethods<ReturnType<typeof bunRoot.endpoint>>>,
  Expect<HasBaseMethods<ReturnType<typeof denoRoot.endpoint>>>,
  Expect<HasBaseMethods<ReturnType<typeof cloudflare.endpoint>>>,
  Expect<HasBaseMethods<ReturnType<typeof lambda.endpoint>>>,
  // perdure/node exports a FetchEndpoint type; its own endpoint() (and the other fetch-shaped builders) satisfy it.
  Expect<NodeBuilder extends node.FetchEndpoint ? true : false>,
  Expect<ReturnType<typeof bunRoot.endpoint> extends fetchCore.FetchEndpoint ? true : false>,
  Expect<ReturnType<typeof denoRoot.endpoint> extends fetchCore.FetchEndpoint ? true : false>,
  Expect<ReturnType<typeof cloudflare.endpoint> extends fetchCore.FetchEndpoint ? true : false>,
  // The check can fail: a missing method, a narrowed parameter, a return type other than the builder.
  Expect<HasBaseMethods<Complete>>,
  Expect<Fails<HasBaseMethods<MissingOne>>>,
  Expect<Fails<HasBaseMethods<Narrowed>>>,
  Expect<Fails<HasBaseMethods<WrongReturn>>>,
];
export type { BuilderChecks };

// ---- runtime half ----------------------------------------------------------------------------------------------

const greeter = fetchCore.service({ name: "Greeter", handlers: { greet: async (_ctx: unknown, name: string) => `Hello ${name}` } });

/** One valid argument list per base method; the type makes this table name every base method and nothing else. */
const SAMPLE_ARGS: { [K in BaseMethod]: Parameters<EndpointBuilderMethods<unknown>[K]> } = {
  bind: [greeter],
  withIdentityV1: [],
  defaultServiceOptions: [{ inactivityTimeout: 60_000 }],
  setLogger: [() => {}],
  bidirectional: [false], // the only mode every platform allows
  maxMessageSize: [1 << 20],
  onAttemptEnd: [() => {}],
  attemptLimits: [{ maxCommands: 10_000 }],
  journalValueCodecProvider: [async () => ({ encode: (b: Uint8Array) => b, decode: async (b: Uint8Array) => b })],
};

const BUILDERS: Record<string, () => object> = {
  "perdure/fetch": fetchCore.endpoint,
  "perdure (workerd, worker, browser)": web.endpoint,
  "perdure/node": node.endpoint,
  "perdure (bun)": bunRoot.endpoint,
  "perdure (deno)": denoRoot.endpoint,
  "perdure/cloudflare": cloudflare.endpoint,
  "perdure/lambda": lambda.endpoint,
};

/** The public methods the base class defines (its protected helper excluded). */
function baseMethodNames(): string[] {
  return Object.getOwnPropertyNames(EndpointBuilderBase.prototype)
    .filter((name) => name !== "constructor" && name !== "optionsFor")
    .sort();
}

describe("endpoint builders share one base", () => {
  it("the method table of this test is the base class's method list", () => {
    expect(Object.keys(SAMPLE_ARGS).sort()).toEqual(baseMethodNames());
  });

  for (const [entry, make] of Object.entries(BUILDERS)) {
    it(`${entry}: endpoint() extends the base, and every base method returns the builder`, () => {
      const builder = make() as Record<string, (...args: unknown[]) => unknown>;
      expect(builder).toBeInstanceOf(EndpointBuilderBase);
      const base = EndpointBuilderBase.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
      for (const name of baseMethodNames()) {
        expect(typeof builder[name], `${entry}: ${name}`).toBe("function");
        // Only the protocol mode may be narrowed by a platform (Workers and Lambda refuse bidirectional(true)).
        if (name !== "bidirectional") expect(builder[name], `${entry}: ${name} is the base's`).toBe(base[name]);
        expect(builder[name]!(...(SAMPLE_ARGS[name as BaseMethod] as unknown[])), `${entry}: ${name}() returns the builder`).toBe(builder);
      }
      expect(typeof builder.handler).toBe("function");
      builder.handler!(); // the configuration above is valid on every platform
    });
  }

  it("request-response platforms refuse bidirectional(true) at once", () => {
    expect(() => cloudflare.endpoint().bidirectional()).toThrow(/not available on Cloudflare Workers/);
    expect(() => lambda.endpoint().bidirectional(true)).toThrow(/not possible on AWS Lambda/);
  });

  it("a bad argument fails where it is written, on every builder", () => {
    for (const [entry, make] of Object.entries(BUILDERS)) {
      const builder = make() as EndpointBuilderMethods<unknown>;
      expect(() => builder.maxMessageSize(10), entry).toThrow(/maxMessageSize must be an integer of at least 1024/);
      expect(() => builder.bind({ name: "not a definition" }), entry).toThrow();
      expect(() => builder.setLogger("console" as unknown), entry).toThrow(/setLogger/);
    }
  });
});
