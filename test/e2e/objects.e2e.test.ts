// Virtual objects: state get/set/clear/clearAll/stateKeys (eager and lazy state), keys,
// exclusive handlers serialize per key, shared handlers do not wait for the lock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeObjectServices } from "./fixtures/objects.js";
import { invocationStatus, query, waitFor } from "./support/admin.js";
import { PROTOCOLS, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { attach, callOk, resolveAwakeable, send } from "./support/ingress.js";

describe.each(PROTOCOLS)("virtual objects (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  const key = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion, services: makeObjectServices });
  });
  afterAll(async () => {
    await env?.stop();
  });

  describe.each(["Counter", "LazyCounter"])("%s", (obj) => {
    it("get/set/clear/clearAll/stateKeys within one invocation", async () => {
      // Known quirk of the official SDK 1.17.2 (its shared-core VM): with eager state, a key cleared
      // in the same invocation is still listed by stateKeys(). perdure must list only live keys.
      const keysAfterClear = env.sdkName === "official" && obj === "Counter" ? ["a", "b"] : ["b"];
      expect(await callOk(env.ingressUrl, `${obj}/${key("scn")}/scenario`)).toEqual([
        1,
        { nested: ["x", true] },
        ["a", "b"],
        null,
        keysAfterClear,
        null,
        [],
        ["after"],
      ]);
    });

    it("keeps state across invocations and stores it in the server", async () => {
      const k = key("state");
      await callOk(env.ingressUrl, `${obj}/${k}/setMany`, { s: "text", n: 7, o: { deep: [1, 2] }, t: true });
      expect(await callOk(env.ingressUrl, `${obj}/${k}/read`, "o")).toEqual({ value: { deep: [1, 2] } });
      expect(await callOk(env.ingressUrl, `${obj}/${k}/keys`)).toEqual(["n", "o", "s", "t"]);

      const rows = await query(
        env.adminUrl,
        `SELECT key, value_utf8 FROM state WHERE service_name = '${obj}' AND service_key = '${k}' ORDER BY key`,
      );
      expect(rows).toEqual([
        { key: "n", value_utf8: "7" },
        { key: "o", value_utf8: '{"deep":[1,2]}' },
        { key: "s", value_utf8: '"text"' },
        { key: "t", value_utf8: "true" },
      ]);

      await callOk(env.ingressUrl, `${obj}/${k}/clear`, "s");
      expect(await callOk(env.ingressUrl, `${obj}/${k}/read`, "s")).toEqual({ value: null });
      expect(await callOk(env.ingressUrl, `${obj}/${k}/keys`)).toEqual(["n", "o", "t"]);

      await callOk(env.ingressUrl, `${obj}/${k}/clearAll`);
      expect(await callOk(env.ingressUrl, `${obj}/${k}/keys`)).toEqual([]);
      expect(await callOk(env.ingressUrl, `${obj}/${k}/read`, "n")).toEqual({ value: null });
    });

    it("isolates state per key and exposes the key", async () => {
      const [k1, k2] = [key("iso1"), key("iso2")];
      await callOk(env.ingressUrl, `${obj}/${k1}/add`, 5);
      await callOk(env.ingressUrl, `${obj}/${k2}/add`, 7);
      expect(await callOk(env.ingressUrl, `${obj}/${k1}/count`)).toBe(5);
      expect(await callOk(env.ingressUrl, `${obj}/${k2}/count`)).toBe(7);
      expect(await callOk(env.ingressUrl, `${obj}/${k1}/whoami`)).toEqual({ key: k1, targetKey: k1 });
    });

    it("serializes exclusive handlers: 20 parallel increments of one key give exactly 20", async () => {
      const k = key("conc");
      const n = 20;
      const results = await Promise.all(
        Array.from({ length: n }, () => callOk<number>(env.ingressUrl, `${obj}/${k}/slowAdd`, 1)),
      );
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(await callOk(env.ingressUrl, `${obj}/${k}/count`)).toBe(n);
    });

    it("runs shared handlers while an exclusive handler holds the key; exclusive ones wait", async () => {
      const k = key("lock");
      const holdId = await send(env.ingressUrl, `${obj}/${k}/hold`, k);
      // The hold invocation owns the key's lock until its awakeable is resolved.
      const awakeableId = await waitFor(
        () => callOk<string | null>(env.ingressUrl, `LockMailbox/${k}/get`),
        10_000,
        "the hold invocation to publish its awakeable",
        20,
      );
      const exclusiveId = await send(env.ingressUrl, `${obj}/${k}/heldExclusive`);
      expect(await callOk(env.ingressUrl, `${obj}/${k}/heldShared`)).toEqual({ held: false });
      expect((await invocationStatus(env.adminUrl, exclusiveId))?.status).not.toBe("completed");

      await resolveAwakeable(env.ingressUrl, awakeableId, "go");
      expect((await attach(env.ingressUrl, holdId)).json).toBe("released");
      expect((await attach(env.ingressUrl, exclusiveId)).json).toEqual({ held: true });
    });
  });
});
