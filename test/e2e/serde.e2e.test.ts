// Serdes through the real server (protocol V6): JSON by default, binary unchanged, MessagePack per handler (input and
// output, with its content type at the ingress), per ctx.run, per state key and per call, keeping Dates, Maps, BigInts
// and typed arrays; Standard Schema (zod 4, valibot, arktype) input rejected with HTTP 400 and the library's message.
import type * as R from "@restatedev/restate-sdk/fetch";
import { type } from "arktype";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import * as msgpack from "../../src/serde/msgpack.js";
import { startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { call, callOk } from "./support/ingress.js";

type Sdk = typeof R;
const mp = msgpack.serde<any>();

/** What each field of a rich value is, as seen by the code that received it. */
function kinds(value: any): Record<string, string> {
  const kind = (x: unknown) =>
    x === null ? "null" : typeof x !== "object" ? typeof x : ((x as object).constructor?.name ?? "Object");
  return Object.fromEntries(Object.entries(value as object).map(([k, x]) => [k, kind(x)]));
}

function richValue() {
  return {
    at: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 123)),
    map: new Map<unknown, unknown>([["a", 1], [2, new Map([["nested", true]])]]),
    big: 2n ** 70n + 1n,
    small: -5n,
    f32: new Float32Array([1.5, -2.25]),
    u8: new Uint8Array([0, 255, 7]),
    i64: new BigInt64Array([-(2n ** 62n)]),
    obj: { plain: "object", list: [1, "two", null] },
    n: 2 ** 40,
  };
}
const RICH_KINDS = {
  at: "Date",
  map: "Map",
  big: "bigint",
  small: "bigint",
  f32: "Float32Array",
  u8: "Uint8Array",
  i64: "BigInt64Array",
  obj: "Object",
  n: "number",
};

const Person = z.object({ name: z.string().min(2), age: z.number().int().optional() });
const ValibotPerson = v.object({ name: v.pipe(v.string(), v.minLength(2)) });
const ArkPerson = type({ name: "string>=2" });

function makeServices(restate: Sdk) {
  const echo = restate.service({
    name: "MpEcho",
    handlers: {
      echo: restate.handlers.handler({ input: mp, output: mp }, async (_ctx: R.Context, value: any) => ({ kinds: kinds(value), value })),
    },
  });

  const store = restate.object({
    name: "MpStore",
    handlers: {
      // The value arrives as MessagePack, is stored with the msgpack serde, run through ctx.run with it, and sent
      // to MpEcho with it; every hop goes through the server's journal or state.
      put: restate.handlers.object.exclusive({ input: mp, output: mp }, async (ctx: R.ObjectContext, value: any) => {
        ctx.set("value", value, mp);
        const fromRun = await ctx.run("keep", () => value, { serde: mp });
        // (the echo handler's `any` input defeats the client's type inference: name the shape)
        const client = ctx.serviceClient(echo) as unknown as { echo(v: unknown, o: unknown): Promise<{ kinds: Record<string, string>; value: unknown }> };
        const fromCall = await client.echo(value, restate.rpc.opts({ input: mp, output: mp }));
        return { received: kinds(value), run: kinds(fromRun), call: fromCall.kinds, callValue: fromCall.value };
      }),
      get: restate.handlers.object.shared({ output: mp }, async (ctx: R.ObjectSharedContext) => {
        const value = await ctx.get<any>("value", mp);
        return { kinds: kinds(value), value };
      }),
    },
  });

  const plain = restate.service({
    name: "Plain",
    handlers: {
      json: async (ctx: R.Context, value: unknown) => ({ echoed: value, viaRun: await ctx.run("same", () => value) }),
      bytes: restate.handlers.handler({ input: restate.serde.binary, output: restate.serde.binary }, async (_ctx: R.Context, b: Uint8Array) => b),
    },
  });

  const typed = restate.service({
    name: "Typed",
    handlers: {
      zod: restate.handlers.handler({ input: restate.serde.schema(Person) }, async (_ctx: R.Context, p: z.infer<typeof Person>) => `hello ${p.name}`),
      valibot: restate.handlers.handler({ input: restate.serde.schema(ValibotPerson) }, async (_ctx: R.Context, p: { name: string }) => `hello ${p.name}`),
      arktype: restate.handlers.handler({ input: restate.serde.schema(ArkPerson) }, async (_ctx: R.Context, p: { name: string }) => `hello ${p.name}`),
    },
  });
  return [echo, store, plain, typed];
}

describe("serdes through the real server (protocol V6)", () => {
  let env: EndpointUnderTest;
  const key = () => `k-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion: 6, services: makeServices });
  });
  afterAll(async () => {
    await env?.stop();
  });

  it("registers msgpack handlers with the msgpack content type", () => {
    const handlers = env.deployment.services.find((s) => s.name === "MpEcho")!.handlers as unknown as Record<string, any>[];
    expect(handlers[0]).toMatchObject({ name: "echo", input_description: expect.stringContaining("application/msgpack") });
  });

  it("msgpack: a handler receives and returns Dates, Maps, BigInts and typed arrays through the ingress", async () => {
    const value = richValue();
    const res = await call(env.ingressUrl, "MpEcho/echo", undefined, { rawBody: mp.serialize(value), contentType: "application/msgpack" });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/msgpack");
    const back = mp.deserialize(res.bytes);
    expect(back.kinds).toEqual(RICH_KINDS);
    expect(back.value).toEqual(value);
  });

  it("msgpack: the same value survives state, ctx.run and a call, each with the msgpack serde", async () => {
    const value = richValue();
    const k = key();
    const res = await call(env.ingressUrl, `MpStore/${k}/put`, undefined, { rawBody: mp.serialize(value), contentType: "application/msgpack" });
    expect(res.status, res.text).toBe(200);
    const put = mp.deserialize(res.bytes);
    expect(put).toMatchObject({ received: RICH_KINDS, run: RICH_KINDS, call: RICH_KINDS });
    expect(put.callValue).toEqual(value);
    // Read back in another invocation: the state comes from the server, not from this attempt's cache.
    const got = await call(env.ingressUrl, `MpStore/${k}/get`);
    expect(got.status, got.text).toBe(200);
    const stored = mp.deserialize(got.bytes);
    expect(stored.kinds).toEqual(RICH_KINDS);
    expect(stored.value).toEqual(value);
  });

  it("msgpack: the ingress refuses a body with another content type", async () => {
    const res = await call(env.ingressUrl, "MpEcho/echo", { not: "msgpack" });
    // Checked by the server itself, from the content type in the manifest, before the handler is involved.
    expect(res.status).toBe(400);
    expect((res.json as { message: string }).message).toMatch(/Content-type 'application\/json' does not match 'application\/msgpack'/);
  });

  it("json (the default) and binary (bytes unchanged)", async () => {
    expect(await callOk(env.ingressUrl, "Plain/json", { a: [1, "x", null] })).toEqual({ echoed: { a: [1, "x", null] }, viaRun: { a: [1, "x", null] } });
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const res = await call(env.ingressUrl, "Plain/bytes", undefined, { rawBody: bytes, contentType: "application/octet-stream" });
    expect([...res.bytes]).toEqual([...bytes]);
  });

  for (const lib of ["zod", "valibot", "arktype"]) {
    it(`${lib} schema: valid input is accepted, invalid input answers HTTP 400 with the validation message`, async () => {
      expect(await callOk(env.ingressUrl, `Typed/${lib}`, { name: "Ada" })).toBe("hello Ada");
      const res = await call(env.ingressUrl, `Typed/${lib}`, { name: "A" });
      expect(res.status).toBe(400);
      const body = res.json as { code: number; message: string };
      expect(body.code).toBe(400);
      expect(body.message).toMatch(/\(at \/name\)/);
      // Not retried: the invocation is over (a second identical call is a new invocation and fails the same way).
      const wrongType = await call(env.ingressUrl, `Typed/${lib}`, { name: 42 });
      expect(wrongType.status).toBe(400);
    });
  }
});
