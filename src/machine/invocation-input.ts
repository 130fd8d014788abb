// The invocation's input as one typed value: who it is, what it was called with, the seed for ctx.rand and how
// often it has been retried since the journal last grew. Built by the machine from the StartMessage and the
// InputCommand, so the determinism rules for them (e.g. the V5 seed) live here and nowhere else.

import type { Header, InputCommandMessage, StartMessage } from "../protocol/generated/protocol.js";

export interface InvocationInput {
  /** The invocation id's bytes (awakeable ids and the V5 seed derive from them). */
  readonly id: Uint8Array;
  /** The invocation id as users see it, e.g. "inv_1…". */
  readonly debugId: string;
  /** The virtual object or workflow key ("" for services). */
  readonly key: string;
  readonly headers: readonly Header[];
  readonly body: Uint8Array;
  /** Seed for ctx.rand: the same on every attempt of the invocation. */
  readonly randomSeed: bigint;
  readonly idempotencyKey: string | undefined;
  readonly scope: string | undefined;
  readonly limitKey: string | undefined;
  /** Retries since the journal last grew (they apply to the ctx.run where the previous attempt stopped). */
  readonly retry: { readonly count: number; readonly durationMs: number };
}

const EMPTY = new Uint8Array(0);

export async function invocationInput(version: number, start: StartMessage, input: InputCommandMessage): Promise<InvocationInput> {
  const id = start.id ?? EMPTY;
  return {
    id,
    debugId: start.debugId ?? "",
    key: start.key ?? "",
    headers: input.headers ?? [],
    body: input.value?.content ?? EMPTY,
    // V5 has no seed from the server: derive it from the invocation id (same on every attempt).
    randomSeed: version >= 6 ? (start.randomSeed ?? 0n) : await seedFromInvocationId(id),
    idempotencyKey: start.idempotencyKey,
    scope: start.scope,
    limitKey: start.limitKey,
    retry: { count: start.retryCountSinceLastStoredEntry ?? 0, durationMs: Number(start.durationSinceLastStoredEntry ?? 0n) },
  };
}

/**
 * Seed for protocol V5, whose StartMessage carries no random_seed: the first 8 bytes, big-endian,
 * of SHA-256 over the invocation id bytes (what the reference VM does).
 */
export async function seedFromInvocationId(id: Uint8Array): Promise<bigint> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", id as Uint8Array<ArrayBuffer>));
  return new DataView(digest.buffer).getBigUint64(0, false);
}
