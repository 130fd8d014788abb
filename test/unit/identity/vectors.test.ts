// The verifier against the tokens restate-server 1.7.12 really minted and the forged cases the official verifier
// judged (protocol vectors), evaluated with the clock pinned to when they were made.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { audienceOf, createIdentityVerifier } from "../../../src/endpoint/identity.js";
import { VECTORS_DIR } from "../../support/vectors-dir.js";
import { TEST_KEY_ID, loadCapture, mint, testKey } from "./support.js";

const at = (seconds: number) => () => new Date(seconds * 1000);
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, number>;
const signed = (token: string) => new Headers({ "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": token });

describe("forged token cases from identity-test-key.json", () => {
  // The note in the file: they were evaluated at unix time ~1795319266.
  const EVALUATED_AT = 1795319266;
  for (const c of testKey.token_cases_forged_with_this_key) {
    it(`${c.name}: ${c.observed_status} like the official verifier (${c.observed_reason})`, async () => {
      const verifier = createIdentityVerifier([TEST_KEY_ID], { now: at(EVALUATED_AT) });
      const verdict = await verifier.verify(signed(c.token), c.path);
      expect(verdict.ok).toBe(c.observed_status === 200);
      if (!verdict.ok) {
        const expected = { ExpiredSignature: "token expired", ImmatureSignature: "token not yet valid", "Missing required claim: nbf": "missing claim nbf" };
        const key = Object.keys(expected).find((k) => c.observed_reason.includes(k)) as keyof typeof expected;
        expect(verdict.reason).toBe(expected[key]);
      }
    });
  }
});

describe("signed captures (id-*.json)", () => {
  const names = readdirSync(VECTORS_DIR)
    .filter((f) => /^id-.*\.json$/.test(f))
    .map((f) => f.slice(0, -".json".length))
    .filter((n) => loadCapture(n).request?.headers_in_wire_order !== undefined);

  it("covers discovery and invocations, with and without a prefix, h1 and h2c", () => {
    expect(names).toEqual(expect.arrayContaining(["id-h1-discover", "id-h1-hello", "id-h1-prefix-discover", "id-h1-prefix-hello", "id-h2c-hello"]));
  });

  for (const name of names) {
    it(`${name}: accepted at its iat and at exp − 1, expired at exp, refused on any other path`, async () => {
      const { request } = loadCapture(name);
      const headers = new Headers(request.headers_in_wire_order.filter(([k]) => !k.startsWith(":")));
      const claims = claimsOf(headers.get("x-restate-jwt-v1")!);
      expect(claims.aud).toBe(audienceOf(request.path));
      const check = (seconds: number, path = request.path) => createIdentityVerifier([TEST_KEY_ID], { now: at(seconds) }).verify(headers, path);
      expect(await check(claims.iat!)).toEqual({ ok: true, keyId: TEST_KEY_ID });
      expect(await check(claims.exp! - 1)).toMatchObject({ ok: true });
      expect(await check(claims.exp!)).toEqual({ ok: false, reason: "token expired" });
      expect(await check(claims.nbf!)).toMatchObject({ ok: true });
      expect(await check(claims.nbf! - 1)).toEqual({ ok: false, reason: "token not yet valid" });
      const elsewhere = request.path.endsWith("/discover") ? "/invoke/Greeter/hello" : "/discover";
      expect(await check(claims.iat!, elsewhere)).toEqual({ ok: false, reason: "audience mismatch" });
      // And with the real clock: long expired.
      expect(await createIdentityVerifier([TEST_KEY_ID]).verify(headers, request.path)).toEqual({ ok: false, reason: "token expired" });
    });
  }
});

describe("audience normalisation (IDENTITY.md §5 step 4)", () => {
  const cases: [string, string][] = [
    ["/invoke/Greeter/hello", "/invoke/Greeter/hello"],
    ["/foo/bar/invoke/a/b", "/invoke/a/b"],
    ["/pfx/a/invoke/Greeter/hello", "/invoke/Greeter/hello"],
    ["/invoke/invoke/a", "/invoke/invoke/a"],
    ["/discover", "/discover"],
    ["/some/prefix/discover", "/discover"],
    ["foo/discover", "/discover"],
    ["/invoke/a/b/", "/invoke/a/b/"], // not the server's form: kept as is, so no server token matches it
    ["/invoke//b", "/invoke//b"],
    ["/other", "/other"],
  ];
  for (const [path, aud] of cases) it(`${path} → ${aud}`, () => expect(audienceOf(path)).toBe(aud));
});

describe("verifier construction", () => {
  it("needs at least one key", () => {
    expect(() => createIdentityVerifier([])).toThrow(/at least one/);
  });

  it("reports that it tries the token's kid first but falls back to every key", async () => {
    const verifier = createIdentityVerifier([TEST_KEY_ID]);
    expect(verifier.keyIds).toEqual([TEST_KEY_ID]);
    const now = Math.floor(Date.now() / 1000);
    const token = await mint({ aud: "/discover", exp: now + 60, nbf: now - 60 }, { header: { alg: "EdDSA", kid: "publickeyv1_someoneElse" } });
    expect(await verifier.verify(signed(token), "/discover")).toEqual({ ok: true, keyId: TEST_KEY_ID });
  });
});
