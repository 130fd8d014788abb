// The cases of compat-core.e2e.test.ts (Node, in-process endpoint, either SDK) and of the Bun runtime file
// (perdure under `bun run`): named-signal streams, explicit cancellation, runaway handlers.
import { expect, it } from "vitest";
import { cancelInvocation, invocationStatus, killInvocation, waitFor } from "./admin.js";
import { attach, call, callOk, send } from "./ingress.js";

export interface CompatCoreEnv {
  ingressUrl: string;
  adminUrl: string;
  /** Throws if the endpoint process is gone (a child process on another runtime), else resolves. */
  endpointAlive?: () => void;
}

export interface CompatCoreOptions {
  prefix?: string;
  /** Run the runaway cases (perdure only: the official SDK has no attempt limits). */
  limits: boolean;
}

const uniq = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

export function defineCompatCoreCases(env: () => CompatCoreEnv, opts: CompatCoreOptions): void {
  const p = opts.prefix ?? "";
  const publishedId = (box: string) =>
    waitFor(() => callOk<string | null>(env().ingressUrl, `${p}CompatMailbox/${box}/get`), 15_000, "the invocation id", 50);
  const stillServing = async () => {
    expect(await callOk(env().ingressUrl, `${p}CompatStreams/ping`, 41)).toBe(42);
    env().endpointAlive?.();
  };

  it("a reader loop over ctx.signal(name) reads every signal once, in order, and ends", async () => {
    const box = uniq("stream");
    const id = await send(env().ingressUrl, `${p}CompatStreams/read`, box);
    expect(await publishedId(box)).toBe(id);
    const values = Array.from({ length: 40 }, (_, i) => i);
    await callOk(env().ingressUrl, `${p}CompatStreams/send`, { target: id, values: values.slice(0, 25) });
    await stillServing();
    await callOk(env().ingressUrl, `${p}CompatStreams/send`, { target: id, values: [...values.slice(25), -1] });
    const res = await attach(env().ingressUrl, id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual(values);
    await stillServing();
  });

  it("a body that is not JSON fails the invocation with 400 and the official SDK's message", async () => {
    const res = await call(env().ingressUrl, `${p}CompatStreams/echo`, undefined, { rawBody: "{not json", contentType: "application/json" });
    expect(res.status).toBe(400);
    // The JSON parser's own message follows (it differs between JavaScript engines).
    expect((res.json as { message: string }).message).toMatch(/^Failed to deserialize input: (?!input is not valid JSON).*JSON/);
  });

  it("explicitCancellation: the handler races its work against ctx.cancellation() and ends normally", async () => {
    const box = uniq("cancel");
    const id = await send(env().ingressUrl, `${p}CompatCancellable/waitOrCancel`, box);
    await publishedId(box);
    await cancelInvocation(env().adminUrl, id);
    const res = await attach(env().ingressUrl, id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ winner: "cancelled", cleanup: "cleaned" });
  });

  it("explicitCancellation: calls are not cancelled with the caller, cancelPreviousCalls() cancels them", async () => {
    const box = uniq("children");
    const id = await send(env().ingressUrl, `${p}CompatCancellable/cancelChildren`, box);
    await publishedId(box);
    await cancelInvocation(env().adminUrl, id);
    const res = await attach(env().ingressUrl, id);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ cancelled: 2, childCancelled: true, childOutcome: "failed 409" });
  });

  const failsWithLimit = async (path: string, limit: RegExp) => {
    const id = await send(env().ingressUrl, path);
    const status = await waitFor(
      async () => {
        const s = await invocationStatus(env().adminUrl, id);
        return s?.last_failure ? s : undefined;
      },
      // An attempt of 100 000 un-awaited runs takes a few seconds alone, much longer on a loaded 2-core machine.
      120_000,
      `the failure of ${path}`,
      200,
    );
    expect(status.last_failure).toMatch(limit);
    await stillServing();
    await killInvocation(env().adminUrl, id);
  };

  it.runIf(opts.limits)("a loop of 10 million ctx.run calls ends its attempt at attemptLimits.maxCommands; the endpoint keeps serving", { timeout: 180_000 }, async () => {
    await failsWithLimit(`${p}CompatRunaway/tenMillionRuns`, /Attempt limit exceeded: .*attemptLimits\.maxCommands/);
  });

  it.runIf(opts.limits)("a 100 MB state value ends its attempt at attemptLimits.maxMessageBytes; the endpoint keeps serving", { timeout: 180_000 }, async () => {
    await failsWithLimit(`${p}CompatBigState/${uniq("k")}/put`, /Attempt limit exceeded: a SetStateCommand message of 100\.0 MiB is larger than 32\.0 MiB \(attemptLimits\.maxMessageBytes\)/);
  });
}
