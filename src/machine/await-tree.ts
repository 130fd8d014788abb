// What an attempt waits on when it suspends, and how that is written for each protocol version.
// V5/V6 carry flat lists (resume when any listed id completes); V7 carries the exact future tree.

import type { Future, SuspensionMessage } from "../protocol/generated/protocol.js";
import { CANCEL_KEY, type NotificationKey } from "./notifications.js";

/** Protocol CombinatorType values. */
export const Combinator = {
  FIRST_COMPLETED: 1, // race
  ALL_COMPLETED: 2, // allSettled
  FIRST_SUCCEEDED_OR_ALL_FAILED: 3, // any
  ALL_SUCCEEDED_OR_FIRST_FAILED: 4, // all
} as const;
export type CombinatorType = (typeof Combinator)[keyof typeof Combinator];

/** The still-pending part of one await: leaves that can still receive a notification, and nested combinators. */
export interface AwaitTree {
  combinator: CombinatorType;
  leaves: NotificationKey[];
  children: AwaitTree[];
}

function collectLeaves(tree: AwaitTree, out: Set<NotificationKey>): void {
  for (const leaf of tree.leaves) out.add(leaf);
  for (const child of tree.children) collectLeaves(child, out);
}

/** Every key the awaits still wait for, each once, in the order the trees list them. */
export function awaitedKeys(awaits: AwaitTree[]): NotificationKey[] {
  const keys = new Set<NotificationKey>();
  for (const tree of awaits) collectLeaves(tree, keys);
  return [...keys];
}

function toFuture(tree: AwaitTree): Future {
  const future: Future = {
    waitingCompletions: [],
    waitingSignals: [],
    waitingNamedSignals: [],
    nestedFutures: tree.children.map(toFuture),
    combinatorType: tree.combinator,
  };
  for (const leaf of tree.leaves) addLeaf(future, leaf);
  return future;
}

function addLeaf(future: Future, leaf: NotificationKey): void {
  if (typeof leaf === "string") future.waitingNamedSignals!.push(leaf.slice(2));
  else if (leaf < 0) future.waitingSignals!.push(-leaf);
  else future.waitingCompletions!.push(leaf);
}

/**
 * Builds the SuspensionMessage for the awaits pending when the attempt suspends.
 * `waitForCancel` adds the cancel signal, so that a cancellation wakes the invocation up.
 */
export function suspensionMessage(version: number, awaits: AwaitTree[], waitForCancel: boolean): SuspensionMessage {
  if (version < 7) {
    const leaves = new Set<NotificationKey>();
    for (const tree of awaits) collectLeaves(tree, leaves);
    if (waitForCancel) leaves.add(CANCEL_KEY);
    const flat: Future = { waitingCompletions: [], waitingSignals: [], waitingNamedSignals: [] };
    for (const leaf of leaves) addLeaf(flat, leaf);
    return {
      waitingCompletions: flat.waitingCompletions,
      waitingSignals: flat.waitingSignals,
      waitingNamedSignals: flat.waitingNamedSignals,
    };
  }
  // V7: FIRST_COMPLETED(cancel, await1, await2, …), flattening a lone race into the root.
  const root: AwaitTree = { combinator: Combinator.FIRST_COMPLETED, leaves: [], children: [] };
  for (const tree of awaits) {
    if (tree.combinator === Combinator.FIRST_COMPLETED || tree.leaves.length + tree.children.length === 1) {
      root.leaves.push(...tree.leaves);
      root.children.push(...tree.children);
    } else {
      root.children.push(tree);
    }
  }
  if (waitForCancel) root.leaves.push(CANCEL_KEY);
  return { awaitingOn: toFuture(root) };
}
