// `env.stateOf<State>(object, key)`: read and write the state of one virtual object or workflow key through the
// admin API, typed by the state shape when one is given (as the official testcontainers kit's StateProxy).
import type { TypedState, UntypedState } from "../context/context-types.js";
import { json } from "../serde/json.js";
import type { Serde } from "../serde/types.js";
import { readState, writeState } from "../local/admin.js";

type Name<TState, TKey> = TState extends UntypedState ? string : TKey;
type Value<TState, TKey extends keyof TState, TValue> = TState extends UntypedState ? TValue : TState[TKey];
type AnyValue<TState, TValues> = TState extends UntypedState ? TValues[keyof TValues] : TState[keyof TState];
type All<TState, TValues> = TState extends UntypedState ? TValues : TState;

const STATE_WRITE_TIMEOUT_MS = 10_000;

export class StateProxy<TState extends TypedState = UntypedState> {
  constructor(
    private readonly adminAPIBaseUrl: string,
    private readonly service: string,
    private readonly serviceKey: string,
  ) {}

  /** The value of `name` (JSON unless `serde` says otherwise), or null when it is not set. */
  async get<TValue, TKey extends keyof TState = string>(name: Name<TState, TKey>, serde?: Serde<Value<TState, TKey, TValue>>): Promise<Value<TState, TKey, TValue> | null> {
    const bytes = (await this.read()).get(String(name));
    return bytes === undefined ? null : (serde ?? (json as Serde<Value<TState, TKey, TValue>>)).deserialize(bytes);
  }

  /** Every entry, decoded with `serde` (JSON by default). */
  async getAll<TValues extends TypedState>(serde?: Serde<AnyValue<TState, TValues>>): Promise<All<TState, TValues>> {
    const decode = serde ?? (json as Serde<AnyValue<TState, TValues>>);
    const out: Record<string, unknown> = {};
    for (const [name, bytes] of await this.read()) out[name] = decode.deserialize(bytes);
    return out as All<TState, TValues>;
  }

  /** The names of the entries, sorted (perdure addition). */
  async keys(): Promise<string[]> {
    return [...(await this.read()).keys()].sort();
  }

  /** Sets one entry; the other entries stay. Resolves once a read sees the new state. */
  async set<TValue, TKey extends keyof TState = string>(name: Name<TState, TKey>, value: Value<TState, TKey, TValue>, serde?: Serde<Value<TState, TKey, TValue>>): Promise<void> {
    const next = await this.read();
    next.set(String(name), (serde ?? (json as Serde<Value<TState, TKey, TValue>>)).serialize(value));
    await this.replace(next);
  }

  /** Replaces the whole state of the key with these entries (encoded with `serde`, JSON by default). */
  async setAll<TValues extends TypedState>(values: All<TState, TValues>, serde?: Serde<AnyValue<TState, TValues>>): Promise<void> {
    const encode = serde ?? (json as Serde<AnyValue<TState, TValues>>);
    if (typeof values !== "object" || values === null) throw new TypeError("setAll(values) needs an object of state entries");
    await this.replace(new Map(Object.entries(values as Record<string, AnyValue<TState, TValues>>).map(([name, value]) => [name, encode.serialize(value)])));
  }

  private read(): Promise<Map<string, Uint8Array>> {
    return readState(this.adminAPIBaseUrl, this.service, this.serviceKey);
  }

  private async replace(next: Map<string, Uint8Array>): Promise<void> {
    await writeState(this.adminAPIBaseUrl, this.service, this.serviceKey, next);
    // The admin API applies the write asynchronously (202): wait until a read sees it.
    const deadline = Date.now() + STATE_WRITE_TIMEOUT_MS;
    while (!sameState(await this.read(), next)) {
      if (Date.now() > deadline) throw new Error(`the new state of ${this.service}/${this.serviceKey} did not become visible within ${STATE_WRITE_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function sameState(a: Map<string, Uint8Array>, b: Map<string, Uint8Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || w.length !== v.length || w.some((x, i) => x !== v[i])) return false;
  }
  return true;
}
