// The tree behind every RestatePromise. A node resolves at a position in the server's notification order (seq), so
// combinators pick the same winner on every replay, however fast things happened the first time.

import { Combinator, type AwaitTree, type CombinatorType } from "../machine/await-tree.js";
import type { NotificationKey, NotificationResult, StoredNotification } from "../machine/notifications.js";

/** Where nodes look up notifications: the machine's store, or a view that adds this attempt's eager run results. */
export interface NotificationLookup {
  get(key: NotificationKey): StoredNotification | undefined;
  has(key: NotificationKey): boolean;
  /**
   * Stream leaves (named signals, ctx.cancellation()) that are not bound yet: the stream item this leaf would read if
   * the await resolved now. Only a StreamSession offers candidates; plain lookups leave stream leaves pending.
   */
  streamCandidate?(leaf: StreamLeafNode): StoredNotification | undefined;
  /** Counts candidates handed out, so that nodes resolved through a candidate are not memoized before it is bound. */
  readonly candidatesHanded?: number;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
export interface Resolution {
  seq: number;
  outcome: Outcome;
}

export abstract class PromiseNode {
  #resolved: Resolution | undefined;

  /** The resolution, once the notifications it depends on are in; memoized because it can never change. */
  resolve(store: NotificationLookup): Resolution | undefined {
    if (this.#resolved) return this.#resolved;
    const handedBefore = store.candidatesHanded;
    const r = this.compute(store);
    // A resolution that depends on a stream item not bound yet is tentative: the await may not take that item.
    if (r && store.candidatesHanded === handedBefore) this.#resolved = r;
    return r;
  }

  protected abstract compute(store: NotificationLookup): Resolution | undefined;
  /** Every notification this node depends on. */
  abstract leafKeys(): NotificationKey[];
  /** The part still waiting: a leaf key, a subtree, or undefined when resolved. */
  abstract pending(store: NotificationLookup): NotificationKey | AwaitTree | undefined;
}

/** Waits for one notification; `convert` turns the raw result into the value or error user code sees. */
export class LeafNode extends PromiseNode {
  readonly #convert: (result: NotificationResult) => Outcome;

  constructor(
    readonly key: NotificationKey,
    convert: (result: NotificationResult) => Outcome,
  ) {
    super();
    this.#convert = convert;
  }

  protected compute(store: NotificationLookup): Resolution | undefined {
    const n = store.get(this.key);
    if (!n) return undefined;
    let outcome: Outcome;
    try {
      outcome = this.#convert(n.result);
    } catch (error) {
      outcome = { ok: false, error };
    }
    return { seq: n.seq, outcome };
  }

  pending(store: NotificationLookup): NotificationKey | undefined {
    return store.has(this.key) ? undefined : this.key;
  }

  leafKeys(): NotificationKey[] {
    return [this.key];
  }
}

/**
 * Reads the next item of a stream: a named signal (each ctx.signal(name) reads the next signal of that name, in the
 * order the server delivered them) or the cancel signal (ctx.cancellation()). The leaf binds to an item only when an
 * await that contains it resolves at or after that item's position (see StreamSession), so which leaf reads which
 * item depends only on the server's order and the code's order: the same on every replay.
 */
export class StreamLeafNode extends PromiseNode {
  bound: StoredNotification | undefined;

  readonly #convert: (result: NotificationResult) => Outcome;

  constructor(
    readonly stream: NotificationKey,
    convert: (result: NotificationResult) => Outcome,
  ) {
    super();
    this.#convert = convert;
  }

  protected compute(store: NotificationLookup): Resolution | undefined {
    const n = this.bound ?? store.streamCandidate?.(this);
    if (!n) return undefined;
    let outcome: Outcome;
    try {
      outcome = this.#convert(n.result);
    } catch (error) {
      outcome = { ok: false, error };
    }
    return { seq: n.seq, outcome };
  }

  pending(store: NotificationLookup): NotificationKey | undefined {
    if (this.bound || store.streamCandidate?.(this)) return undefined;
    return this.stream;
  }

  leafKeys(): NotificationKey[] {
    return [this.stream];
  }
}

/**
 * One evaluation of an await against the store: stream leaves get the stream items they would read (the k-th unbound
 * leaf of a stream in this await gets the k-th unread item). When the await resolves at position R, `commit(R)` binds
 * the leaves whose candidate came at or before R and consumes those items; the others stay unbound for later reads.
 */
export class StreamSession implements NotificationLookup {
  // Created on the first stream leaf: an await of plain leaves (every replayed ctx.run) allocates no map.
  #candidates: Map<StreamLeafNode, StoredNotification> | undefined;
  #perStream: Map<NotificationKey, number> | undefined;
  candidatesHanded = 0;

  readonly #base: NotificationLookup;
  readonly #streams: { peekStream(key: NotificationKey, offset: number): StoredNotification | undefined; takeStream(key: NotificationKey): StoredNotification | undefined };

  constructor(
    base: NotificationLookup,
    streams: { peekStream(key: NotificationKey, offset: number): StoredNotification | undefined; takeStream(key: NotificationKey): StoredNotification | undefined },
  ) {
    this.#base = base;
    this.#streams = streams;
  }

  get(key: NotificationKey): StoredNotification | undefined {
    return this.#base.get(key);
  }

  has(key: NotificationKey): boolean {
    return this.#base.has(key);
  }

  streamCandidate(leaf: StreamLeafNode): StoredNotification | undefined {
    const candidates = (this.#candidates ??= new Map());
    const perStream = (this.#perStream ??= new Map());
    let c = candidates.get(leaf);
    if (c === undefined) {
      const offset = perStream.get(leaf.stream) ?? 0;
      c = this.#streams.peekStream(leaf.stream, offset);
      if (c === undefined) return undefined;
      perStream.set(leaf.stream, offset + 1);
      candidates.set(leaf, c);
    }
    this.candidatesHanded++;
    return c;
  }

  /** Binds the leaves whose candidate is at or before `seq`, consuming their items in stream order. */
  commit(seq: number): void {
    if (this.#candidates === undefined) return;
    for (const [leaf, item] of this.#candidates) {
      if (item.seq > seq) continue;
      const taken = this.#streams.takeStream(leaf.stream);
      leaf.bound = taken ?? item;
    }
  }
}

/** Already resolved (RestatePromise.resolve/reject, or a value known without the server). Orders before everything. */
export class ConstNode extends PromiseNode {
  readonly #outcome: Outcome;

  constructor(outcome: Outcome) {
    super();
    this.#outcome = outcome;
  }
  protected compute(): Resolution {
    return { seq: -1, outcome: this.#outcome };
  }
  pending(): undefined {
    return undefined;
  }

  leafKeys(): NotificationKey[] {
    return [];
  }
}

/** Never resolves and waits for nothing (RestatePromise.race([])): combined with real promises it never wins. */
export class NeverNode extends PromiseNode {
  protected compute(): undefined {
    return undefined;
  }
  pending(): undefined {
    return undefined;
  }
  leafKeys(): NotificationKey[] {
    return [];
  }
}

/** Transforms a child's outcome (RestatePromise.map, deserialization of combinator results). */
export class MapNode extends PromiseNode {
  readonly #child: PromiseNode;
  readonly #transform: (outcome: Outcome) => Outcome;

  constructor(child: PromiseNode, transform: (outcome: Outcome) => Outcome) {
    super();
    this.#child = child;
    this.#transform = transform;
  }
  protected compute(store: NotificationLookup): Resolution | undefined {
    const r = this.#child.resolve(store);
    if (!r) return undefined;
    let outcome: Outcome;
    try {
      outcome = this.#transform(r.outcome);
    } catch (error) {
      outcome = { ok: false, error };
    }
    return { seq: r.seq, outcome };
  }
  pending(store: NotificationLookup) {
    return this.#child.pending(store);
  }

  leafKeys(): NotificationKey[] {
    return this.#child.leafKeys();
  }
}

export type CombinatorKind = "race" | "all" | "any" | "allSettled";

const PROTOCOL_COMBINATOR: Record<CombinatorKind, CombinatorType> = {
  race: Combinator.FIRST_COMPLETED,
  all: Combinator.ALL_SUCCEEDED_OR_FIRST_FAILED,
  any: Combinator.FIRST_SUCCEEDED_OR_ALL_FAILED,
  allSettled: Combinator.ALL_COMPLETED,
};

export class CombinatorNode extends PromiseNode {
  readonly #children: PromiseNode[];

  constructor(
    readonly kind: CombinatorKind,
    children: PromiseNode[],
  ) {
    super();
    this.#children = children;
  }

  protected compute(store: NotificationLookup): Resolution | undefined {
    const rs = this.#children.map((c) => c.resolve(store));
    const done = rs.filter((r): r is Resolution => r !== undefined);
    const earliest = (pred: (r: Resolution) => boolean) =>
      done.filter(pred).reduce<Resolution | undefined>((a, r) => (a === undefined || r.seq < a.seq ? r : a), undefined);
    const allDone = done.length === rs.length;
    const lastSeq = done.reduce((m, r) => Math.max(m, r.seq), -1);
    switch (this.kind) {
      case "race":
        return earliest(() => true);
      case "all": {
        const failed = earliest((r) => !r.outcome.ok);
        if (failed) return failed;
        if (!allDone) return undefined;
        return { seq: lastSeq, outcome: { ok: true, value: rs.map((r) => (r!.outcome as { value: unknown }).value) } };
      }
      case "any": {
        const succeeded = earliest((r) => r.outcome.ok);
        if (succeeded) return succeeded;
        if (!allDone) return undefined;
        const errors = rs.map((r) => (r!.outcome as { error: unknown }).error);
        return { seq: lastSeq, outcome: { ok: false, error: new AggregateError(errors, "All promises were rejected") } };
      }
      case "allSettled": {
        if (!allDone) return undefined;
        const settled = rs.map((r) =>
          r!.outcome.ok ? { status: "fulfilled", value: r!.outcome.value } : { status: "rejected", reason: r!.outcome.error },
        );
        return { seq: lastSeq, outcome: { ok: true, value: settled } };
      }
    }
  }

  leafKeys(): NotificationKey[] {
    return this.#children.flatMap((c) => c.leafKeys());
  }

  pending(store: NotificationLookup): AwaitTree | undefined {
    if (this.resolve(store)) return undefined;
    const tree: AwaitTree = { combinator: PROTOCOL_COMBINATOR[this.kind], leaves: [], children: [] };
    for (const child of this.#children) {
      const p = child.pending(store);
      if (p === undefined) continue;
      if (typeof p === "object") tree.children.push(p);
      else tree.leaves.push(p);
    }
    return tree;
  }
}

export function asAwaitTree(p: NotificationKey | AwaitTree): AwaitTree {
  return typeof p === "object" ? p : { combinator: Combinator.FIRST_COMPLETED, leaves: [p], children: [] };
}
