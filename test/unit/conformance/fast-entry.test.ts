// The endpoint's fast entry (src/endpoint/raw.ts, used by the Node HTTP/1.1 adapter) answers every captured
// request-response invocation exactly as the fetch path does: the captured official response, frame by frame, with
// the same normalisations as captures.test.ts. Also: which requests it declines (they go through fetch).
import { afterEach, describe, expect, it } from "vitest";
import { rawPrepareOf } from "../../../src/endpoint/raw.js";
import * as restate from "../../../src/index.js";
import { TEST_KEY_ID } from "../identity/support.js";
import { loadInvocationCaptures, type InvocationCapture } from "./support/captures.js";
import { compareFrames, type CompareRules } from "./support/compare.js";
import { GREET_SLEEP_MS, LONG_SLEEP_MS, captureEndpoint, flakyAttempts } from "./support/services.js";
import { splitFrames } from "./support/wire.js";

const requestResponse = loadInvocationCaptures().filter((c) => c.mode === "REQUEST_RESPONSE");
const endpoint = captureEndpoint();
const prepare = rawPrepareOf(endpoint)!;

function rulesFor(c: InvocationCapture): CompareRules {
  const handler = c.path.split("/").at(-1);
  if (handler === "greet") return { sleepDurationsMs: [GREET_SLEEP_MS] };
  if (handler === "longSleep") return { sleepDurationsMs: [LONG_SLEEP_MS] };
  if (handler === "flaky") return { plainErrorStacktrace: true };
  return {};
}

afterEach(() => flakyAttempts.clear());

function pairsOf(c: InvocationCapture): string[] {
  return [...c.headers.filter(([name]) => name.toLowerCase() !== "content-type").flat(), "content-type", c.contentType];
}

describe("fast entry: captured request-response invocations", () => {
  it("is offered by core handlers", () => expect(prepare).toBeTypeOf("function"));

  it.each(requestResponse.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    if (c.path.endsWith("/flaky")) flakyAttempts.set(c.start.debugId!, (c.start.retryCountSinceLastStoredEntry ?? 0) + 1);
    const invoke = prepare("POST", c.path, pairsOf(c));
    expect(invoke, "the fast entry takes a plain invocation").toBeTypeOf("function");
    const startedAt = Date.now();
    const answer = await invoke!(c.requestBody.slice());
    const window = { startedAt, finishedAt: Date.now() };
    expect(answer.status).toBe(c.responseStatus);
    expect(answer.headers["content-type"]).toBe(c.contentType);
    const cmp = compareFrames(splitFrames(c.responseBody!), splitFrames(answer.body), { ...rulesFor(c), window });
    expect(cmp.violations, "normalisation checks").toEqual([]);
    expect(cmp.actual).toEqual(cmp.expected);
  });
});

describe("fast entry: what it leaves to the fetch path", () => {
  const ct = ["content-type", "application/vnd.restate.invocation.v6"];
  it.each([
    ["GET", "/invoke/Greeter/greet", ct],
    ["POST", "/discover", ct],
    ["POST", "/health", ct],
    ["POST", "/invoke/NoSuch/greet", ct],
    ["POST", "/invoke/Greeter/noSuch", ct],
    ["POST", "/invoke/Greeter/greet", ["content-type", "application/json"]],
    ["POST", "/invoke/Greeter/greet", []],
    ["POST", "/a/../invoke/Greeter/greet", ct],
    ["POST", "/invoke/Greeter/gr%20eet", ct],
  ] as const)("%s %s %j", (method, url, headers) => {
    expect(prepare(method, url, headers)).toBeUndefined();
  });

  it("nothing when identity keys are set or the endpoint is bidirectional", () => {
    const svc = restate.service({ name: "S", handlers: { h: async () => "x" } });
    const keyed = restate.endpoint().bind(svc).withIdentityV1(TEST_KEY_ID).handler();
    const bidi = restate.endpoint().bind(svc).bidirectional().handler();
    for (const h of [keyed, bidi]) expect(rawPrepareOf(h)!("POST", "/invoke/S/h", ct)).toBeUndefined();
  });

  it("answers GET …/discover exactly like the fetch path, for every manifest version and a refused accept", async () => {
    for (const accept of [...[1, 2, 3, 4].map((v) => `application/vnd.restate.endpointmanifest.v${v}+json`), "text/html"]) {
      const raw = await prepare("GET", "/prefix/discover", ["Accept", accept])!(new Uint8Array(0));
      const res = await endpoint.fetch(new Request("http://127.0.0.1/prefix/discover", { headers: { accept } }));
      expect(raw.status).toBe(res.status);
      expect(raw.headers).toEqual(Object.fromEntries(res.headers));
      expect(new TextDecoder().decode(raw.body)).toBe(await res.text());
    }
  });

  it("the attempt's headers handlers see are those of the fetch path", async () => {
    const seen: Array<Record<string, string>> = [];
    const svc = restate.service({
      name: "S",
      handlers: { h: async (ctx: restate.Context) => void seen.push(Object.fromEntries(ctx.request().attemptHeaders as Map<string, string>)) },
    });
    const handler = restate.endpoint().bind(svc).handler();
    const c = requestResponse.find((x) => x.path.endsWith("/Greeter/greet"))!;
    const body = c.requestBody;
    const pairs = ["X-Two", "a", "content-type", "application/vnd.restate.invocation.v6", "x-two", "b", "Accept", "*/*"];
    // Same body for both; the handler only reads headers (the journal of greet is not replayed: S/h has none).
    await rawPrepareOf(handler)!("POST", "/invoke/S/h", pairs)!(body.slice());
    const headers = new Headers();
    for (let i = 0; i < pairs.length; i += 2) headers.append(pairs[i]!, pairs[i + 1]!);
    await handler.fetch(new Request("http://127.0.0.1/invoke/S/h", { method: "POST", headers, body: body.slice() }));
    expect(seen).toHaveLength(2);
    expect(Object.keys(seen[0]!)).toEqual(Object.keys(seen[1]!));
    expect(seen[0]).toEqual(seen[1]);
  });
});
