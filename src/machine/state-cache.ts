// The local view of a virtual object's or workflow's state during one attempt.
// Initialised from the StartMessage; `partial` says whether a missing key means "not set" (false) or "unknown" (true).

import type { StartMessage_StateEntry } from "../protocol/generated/protocol.js";

const utf8 = new TextDecoder();

export type CachedState = { known: true; value: Uint8Array | null } | { known: false };

export class StateCache {
  /** key → value, or null when the key is known to be absent (cleared in this attempt). */
  // Created on the first entry: services and attempts without state allocate no map.
  #entries: Map<string, Uint8Array | null> | undefined;
  #partial = true;

  init(entries: StartMessage_StateEntry[], partial: boolean): void {
    for (const e of entries) (this.#entries ??= new Map()).set(utf8.decode(e.key ?? new Uint8Array(0)), e.value ?? new Uint8Array(0));
    this.#partial = partial;
  }

  lookup(key: string): CachedState {
    const v = this.#entries?.get(key);
    if (v !== undefined) return { known: true, value: v };
    return this.#partial ? { known: false } : { known: true, value: null };
  }

  /** The key set, when it is fully known locally. */
  keys(): string[] | undefined {
    if (this.#partial) return undefined;
    const keys: string[] = [];
    for (const [k, v] of this.#entries ?? []) if (v !== null) keys.push(k);
    return keys;
  }

  set(key: string, value: Uint8Array): void {
    (this.#entries ??= new Map()).set(key, value);
  }

  clear(key: string): void {
    (this.#entries ??= new Map()).set(key, null);
  }

  clearAll(): void {
    this.#entries?.clear();
    this.#partial = false;
  }
}
