// Canonical form of a V7 suspension Future, for comparing trees that differ only in ways the protocol gives no meaning
// to: FIRST_COMPLETED is associative (a race nested in a race is the same race), a combinator over a single leaf is
// that leaf, and the order of leaves within one node does not matter. Used where the exact nesting is a choice of the
// SDK (the TS SDK nests, perdure may flatten); exact bytes are compared wherever the tests pin a shape.

import { CombinatorType, type Future } from "../../../../src/protocol/generated/protocol.js";

export interface CanonicalFuture {
  combinator: CombinatorType;
  leaves: string[];
  children: CanonicalFuture[];
}

function isRace(c: CombinatorType | undefined): boolean {
  return c === undefined || c === CombinatorType.FIRST_COMPLETED || c === CombinatorType.COMBINATOR_TYPE_UNKNOWN;
}

export function canonicalFuture(f: Future): CanonicalFuture | string {
  const combinator = isRace(f.combinatorType) ? CombinatorType.FIRST_COMPLETED : f.combinatorType!;
  const leaves = [
    ...(f.waitingCompletions ?? []).map((c) => `completion ${c}`),
    ...(f.waitingSignals ?? []).map((s) => `signal ${s}`),
    ...(f.waitingNamedSignals ?? []).map((n) => `named ${n}`),
  ];
  const children: CanonicalFuture[] = [];
  for (const nested of f.nestedFutures ?? []) {
    const c = canonicalFuture(nested);
    if (typeof c === "string") leaves.push(c);
    else if (c.combinator === CombinatorType.FIRST_COMPLETED && combinator === CombinatorType.FIRST_COMPLETED) {
      leaves.push(...c.leaves);
      children.push(...c.children);
    } else children.push(c);
  }
  if (leaves.length === 1 && children.length === 0) return leaves[0]!;
  if (leaves.length === 0 && children.length === 1) return children[0]!;
  leaves.sort();
  children.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { combinator, leaves, children };
}
