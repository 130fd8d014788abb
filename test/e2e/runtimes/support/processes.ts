// Starts a file's processes (restate-server, endpoints) side by side and stops every one that started, whether the
// start as a whole succeeded or not: nothing is left behind when one of them fails to come up.

export interface Stoppable {
  stop(): Promise<void>;
}

export class Processes {
  private readonly stops: Array<() => Promise<void>> = [];

  /** Waits for every start (also after one failed), keeps what started for stopAll(), then throws the first failure. */
  async startAll<T extends readonly Stoppable[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
    const settled = await Promise.allSettled(starts as readonly Promise<Stoppable>[]);
    for (const s of settled) if (s.status === "fulfilled") this.stops.push(() => s.value.stop());
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await this.stopAll();
      throw failed.reason;
    }
    return settled.map((s) => (s as PromiseFulfilledResult<Stoppable>).value) as unknown as T;
  }

  /** Stops everything started so far (in parallel); safe to call twice. */
  async stopAll(): Promise<void> {
    const stops = this.stops.splice(0);
    await Promise.allSettled(stops.map((stop) => stop()));
  }
}
