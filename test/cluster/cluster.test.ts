// perdure against a real 3-node Restate cluster (RestateTestEnvironment.start({ nodes: 3 }): three restate-server
// processes from npm, replicated log and partitions with replication 2). The core scenarios run with the ingress on
// every node; then nodes are SIGKILLed — the leader of the partition a suspended invocation lives on, and the node a
// client is talking to — and the invocations still complete exactly once. The client given every node's URL moves to
// the next node only where that is safe (idempotency key, attach/output); a plain call is not sent twice. Every node
// signs its requests with the cluster's request-identity key and the endpoint accepts only signed requests, so
// whichever node leads a partition (before and after a kill) is verified.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as restate from "../../src/index.js";
import { connect, rpc } from "../../src/clients/index.js";
import { IngressUnreachableError } from "../../src/clients/failover.js";
import { RestateTestEnvironment } from "../../src/testing/index.js";
import { query } from "../../src/local/admin.js";
import { TEST_KEY_ID, testKey } from "../unit/identity/support.js";

/** Side effects observed in this process (the endpoint runs in-process), keyed by what ran. */
const effects = new Map<string, number>();
const bump = (key: string) => effects.set(key, (effects.get(key) ?? 0) + 1);
/** Awakeable ids handed out by Waiter.wait, by tag. */
const awakeables = new Map<string, string>();

const counter = restate.object({
  name: "ClCounter",
  handlers: {
    add: async (ctx: restate.ObjectContext, delta: number) => {
      const next = ((await ctx.get<number>("count")) ?? 0) + delta;
      ctx.set("count", next);
      return next;
    },
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext) => (await ctx.get<number>("count")) ?? 0),
  },
});

const greeter = restate.service({
  name: "ClGreeter",
  handlers: {
    greet: async (ctx: restate.Context, name: string) => `Hi ${name} (${await ctx.objectClient(counter, name).add(1)})`,
    napThenCount: async (ctx: restate.Context, key: string) => {
      await ctx.sleep(1_500);
      return ctx.objectClient(counter, key).add(10);
    },
  },
});

const waiter = restate.service({
  name: "ClWaiter",
  handlers: {
    wait: async (ctx: restate.Context, tag: string) => {
      const { id, promise } = ctx.awakeable<string>();
      await ctx.run("publish", () => {
        bump(`wait:${tag}`);
        awakeables.set(tag, id);
      });
      return `${tag}:${await promise}`;
    },
  },
});

const flow = restate.workflow({
  name: "ClFlow",
  handlers: {
    run: async (ctx: restate.WorkflowContext, steps: number) => {
      let total = 0;
      for (let i = 1; i <= steps; i++) total += await ctx.run(`step-${i}`, () => (bump(`flow:${ctx.key}:${i}`), i));
      await ctx.sleep(500);
      const approval = await ctx.promise<string>("approval");
      return `${ctx.key}:${total}:${approval}`;
    },
    approve: async (ctx: restate.WorkflowSharedContext, who: string) => {
      await ctx.promise<string>("approval").resolve(who);
    },
  },
});

async function waitUntil<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The awakeable id of Waiter.wait(tag), once the invocation is suspended on it (its ctx.run is journaled). */
async function suspendedOn(env: RestateTestEnvironment, tag: string): Promise<string> {
  const id = await waitUntil(() => awakeables.get(tag), 10_000, `the awakeable id of ${tag}`);
  await waitUntil(
    async () => ((await invocationsOf(env, "ClWaiter/wait")).some((r) => r.status === "suspended") ? true : undefined),
    10_000,
    `${tag} to suspend`,
  );
  return id;
}

async function invocationsOf(env: RestateTestEnvironment, target: string) {
  // Right after a node restart a scan of a remote partition can fail once ("No such scanner"): ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await query(env.adminUrl, `SELECT id, status FROM sys_invocation WHERE target = '${target}'`);
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

describe("a 3-node cluster", () => {
  let env: RestateTestEnvironment;
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "perdure-cluster-key-")), "identity.pem");

  beforeAll(async () => {
    fs.writeFileSync(keyFile, testKey.private_key_pem, { mode: 0o600 });
    env = await RestateTestEnvironment.start({
      nodes: 3,
      handler: restate.endpoint().bind(counter).bind(greeter).bind(waiter).bind(flow).withIdentityV1(TEST_KEY_ID).handler(),
      serverEnv: { RESTATE_WORKER__INVOKER__REQUEST_IDENTITY_PRIVATE_KEY_PEM_FILE: keyFile },
    });
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
    fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
  });

  it("runs services, objects, calls, sleeps, awakeables and workflows with the ingress on any node", async () => {
    expect(env.nodes.map((n) => n.name)).toEqual(["n1", "n2", "n3"]);
    expect(new Set(env.nodes.map((n) => n.ingressUrl)).size).toBe(3);
    // The endpoint refuses unsigned requests; every node signs with the cluster's key.
    expect((await fetch(`${env.endpointUrl}/discover`)).status).toBe(401);
    for (const node of env.nodes) expect(node.logs()).toContain(TEST_KEY_ID);
    for (const [i, node] of env.nodes.entries()) {
      const c = connect({ url: node.ingressUrl });
      expect(await c.serviceClient(greeter).greet("ada")).toBe(`Hi ada (${i + 1})`);
      expect(await c.objectClient(counter, "ada").get()).toBe(i + 1);
      expect(await c.serviceClient(greeter).napThenCount(`nap-${i}`)).toBe(10);
      // Awakeable created through one node, resolved through the next.
      const pending = c.serviceClient(waiter).wait(`aw-${i}`);
      const id = await waitUntil(() => awakeables.get(`aw-${i}`), 10_000, "the awakeable id");
      await connect({ url: env.nodes[(i + 1) % 3]!.ingressUrl }).resolveAwakeable(id, `via-${i}`);
      expect(await pending).toBe(`aw-${i}:via-${i}`);
      // Workflow submitted on one node, signalled on another, its output read on the third.
      const wf = c.workflowClient(flow, `wf-${i}`);
      await wf.workflowSubmit(3);
      await connect({ url: env.nodes[(i + 1) % 3]!.ingressUrl }).workflowClient(flow, `wf-${i}`).approve("bob");
      expect(await connect({ url: env.nodes[(i + 2) % 3]!.ingressUrl }).workflowClient(flow, `wf-${i}`).workflowAttach()).toBe(`wf-${i}:6:bob`);
    }
  });

  it("completes a suspended invocation after the leader of its partition is SIGKILLed", async () => {
    const c = connect({ url: env.nodes.map((n) => n.ingressUrl) });
    const submission = await c.workflowClient(flow, "leader-kill").workflowSubmit(2);
    const partition = await waitUntil(() => env.cluster!.partitionOfInvocation(submission.invocationId), 10_000, "the invocation's partition");
    const victim = partition.leaderIndex!;
    expect(victim).toBeGreaterThanOrEqual(0);
    await waitUntil(() => effects.get("flow:leader-kill:2"), 10_000, "step 2");
    await env.killNode(victim);
    expect(env.nodes[victim]!.running).toBe(false);
    const started = Date.now();
    // Signal and read through the surviving nodes (the client skips the dead one: connection refused).
    await c.workflowClient(flow, "leader-kill").approve("carol");
    expect(await c.workflowClient(flow, "leader-kill").workflowAttach()).toBe("leader-kill:3:carol");
    console.log(`[cluster] P${partition.id} leader ${env.nodes[victim]!.name} killed; the workflow finished ${Date.now() - started} ms later`);
    expect(effects.get("flow:leader-kill:1")).toBe(1);
    expect(effects.get("flow:leader-kill:2")).toBe(1);
    const moved = await env.cluster!.partitions();
    expect(moved.find((p) => p.id === partition.id)!.leaderIndex).not.toBe(victim);
    await env.restartNode(victim);
    expect(env.nodes[victim]!.running).toBe(true);
    expect(await connect({ url: env.nodes[victim]!.ingressUrl }).objectClient(counter, "ada").get()).toBe(3);
  });

  it("client: a call with an idempotency key moves to the next node when its node dies mid-call", async () => {
    const talkingTo = 1;
    const urls = [1, 2, 0].map((i) => env.nodes[i]!.ingressUrl);
    const c = connect({ url: urls });
    const call = c.serviceClient(waiter).wait("idem", rpc.opts({ idempotencyKey: "idem-1" }));
    const id = await suspendedOn(env, "idem");
    await env.killNode(talkingTo);
    // The call's connection to n2 is gone; the client re-sends it (same key) to n3, which attaches to the invocation.
    await connect({ url: env.nodes[0]!.ingressUrl }).resolveAwakeable(id, "done");
    expect(await call).toBe("idem:done");
    expect(effects.get("wait:idem")).toBe(1);
    const rows = await invocationsOf(env, "ClWaiter/wait");
    expect(rows.filter((r) => r.status === "completed").length).toBeGreaterThanOrEqual(1);
    await env.restartNode(talkingTo);
  });

  it("client: a plain call is not sent again once it may have reached a node; connection refused moves on", async () => {
    const talkingTo = 2;
    const c = connect({ url: [2, 0, 1].map((i) => env.nodes[i]!.ingressUrl) });
    const before = (await invocationsOf(env, "ClWaiter/wait")).length;
    const call = c.serviceClient(waiter).wait("plain");
    const outcome = call.then(
      () => "resolved",
      (err: unknown) => err,
    );
    const id = await suspendedOn(env, "plain");
    await env.killNode(talkingTo);
    const err = await outcome;
    expect(err).toBeInstanceOf(IngressUnreachableError);
    expect(String((err as Error).message)).toMatch(/no idempotency key/);
    expect((err as IngressUnreachableError).attempts.map((a) => a.url)).toEqual([env.nodes[talkingTo]!.ingressUrl]);
    // The invocation itself goes on in the cluster, exactly once.
    await connect({ url: env.nodes[0]!.ingressUrl }).resolveAwakeable(id, "later");
    await waitUntil(
      async () => ((await invocationsOf(env, "ClWaiter/wait")).filter((r) => r.status === "completed").length === before + 1 ? true : undefined),
      20_000,
      "the plain invocation to complete",
    );
    expect((await invocationsOf(env, "ClWaiter/wait")).length).toBe(before + 1);
    expect(effects.get("wait:plain")).toBe(1);
    // Now n3 refuses connections: a plain call is safe to move on, nothing was sent.
    const fresh = connect({ url: [2, 0, 1].map((i) => env.nodes[i]!.ingressUrl) });
    expect(await fresh.serviceClient(greeter).greet("refused")).toBe("Hi refused (1)");
    await env.restartNode(talkingTo);
  });
});
