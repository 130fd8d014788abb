// Workflow durable promises: awaiting one reads it (blocking until someone resolves it); peek reads without waiting.

import * as sys from "../machine/syscalls.js";
import type { Serde } from "../serde/index.js";
import type { ContextImpl } from "./context-impl.js";
import { TerminalError, failureOf } from "./errors.js";
import { valueOutcome } from "./outcomes.js";
import { serializeFor } from "./guardrails.js";
import { LeafNode } from "./promise-node.js";
import type { RestatePromise } from "./restate-promise.js";

export class DurablePromiseImpl<T> implements Promise<T> {
  readonly [Symbol.toStringTag] = "Promise";
  #read: RestatePromise<T> | undefined;

  readonly #ctx: ContextImpl;
  readonly #name: string;
  readonly #serde: Serde<T>;

  constructor(
    ctx: ContextImpl,
    name: string,
    serde: Serde<T>,
  ) {this.#ctx = ctx; this.#name = name; this.#serde = serde; }

  /** Waits for the promise's value; the GetPromise command is issued once, on first use. */
  get(): RestatePromise<T> {
    if (!this.#read) this.#ctx.refuseNested("ctx.promise.get", this.#name);
    if (!this.#read) {
      this.#read = this.#ctx.wrap<T>(new LeafNode(sys.getPromise(this.#ctx.machine, this.#name), valueOutcome(this.#serde)));
      this.#ctx.track(this.#read, `ctx.promise('${this.#name}')`, 3);
    }
    return this.#read;
  }

  peek(): Promise<T | undefined> {
    this.#ctx.refuseNested("ctx.promise.peek", this.#name);
    return this.#ctx.wrap<T | undefined>(new LeafNode(sys.peekPromise(this.#ctx.machine, this.#name), valueOutcome(this.#serde)));
  }

  resolve(value?: T): Promise<void> {
    this.#ctx.refuseNested("ctx.promise.resolve", this.#name);
    const serde = this.#serde as Serde<T | undefined>;
    const bytes = serializeFor(`ctx.promise('${this.#name}') value`, value, (v) => serde.serialize(v));
    const key = sys.completePromise(this.#ctx.machine, this.#name, { value: bytes });
    return this.#ctx.wrap<void>(new LeafNode(key, valueOutcome(this.#serde)));
  }

  reject(errorMsg: string): Promise<void> {
    this.#ctx.refuseNested("ctx.promise.reject", this.#name);
    const failure = failureOf(new TerminalError(errorMsg));
    const key = sys.completePromise(this.#ctx.machine, this.#name, { failure });
    return this.#ctx.wrap<void>(new LeafNode(key, valueOutcome(this.#serde)));
  }

  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.get().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.get().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.get().finally(onfinally);
  }
}
