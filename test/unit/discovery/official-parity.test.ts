// Builds the same definitions with the official SDK (1.17.2) and with perdure, and compares the v4
// manifests. Options are chosen where both SDKs agree by design (see the report for deliberate differences).
import * as official from "@restatedev/restate-sdk/fetch";
import { describe, expect, it } from "vitest";
import * as ours from "../../../src/definition/builders.js";
import { buildManifest } from "../../../src/endpoint/discovery.js";
import { serde } from "../../../src/serde/index.js";

// Node 20 lacks Promise.withResolvers, which the official SDK's fetch handler uses (test-only polyfill).
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const ACCEPT =
  "application/vnd.restate.endpointmanifest.v1+json, application/vnd.restate.endpointmanifest.v2+json, application/vnd.restate.endpointmanifest.v3+json, application/vnd.restate.endpointmanifest.v4+json";
const noop = async () => undefined;
const schema = { type: "object", properties: { a: { type: "number" } } };

/** The same definitions, written against either API (same shapes; typed loosely to serve both). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function definitions(api: any, s: any): unknown[] {
  const h = api.handlers;
  const svc = api.service({
    name: "Opts",
    description: "service doc",
    metadata: { team: "perdure" },
    options: {
      inactivityTimeout: { seconds: 30 },
      abortTimeout: 60_000,
      journalRetention: { hours: 1 },
      idempotencyRetention: { hours: 2 },
      ingressPrivate: false,
      retryPolicy: { initialInterval: 100, maxInterval: { seconds: 2 }, maxAttempts: 5, exponentiationFactor: 1.5, onMaxAttempts: "kill" },
    },
    handlers: {
      plain: noop,
      configured: h.handler(
        {
          description: "handler doc",
          metadata: { k: "v" },
          accept: "application/*",
          input: s.binary,
          output: s.binary,
          setOutputContentTypeIfEmpty: true,
          inactivityTimeout: 1,
          abortTimeout: { seconds: 2 },
          journalRetention: 3,
          idempotencyRetention: 4,
          ingressPrivate: true,
          retryPolicy: { onMaxAttempts: "pause", maxAttempts: 2, initialInterval: { milliseconds: 10 } },
        },
        noop,
      ),
      withSchema: h.handler({ input: new s.JsonSerde(schema), output: new s.JsonSerde(schema) }, noop),
      nothing: h.handler({ input: s.empty, output: s.empty }, noop),
    },
  });
  const obj = api.object({
    name: "Obj",
    options: { enableLazyState: true, journalRetention: 10 },
    handlers: {
      add: noop,
      ex: h.object.exclusive({ enableLazyState: false }, noop),
      get: h.object.shared(noop),
    },
  });
  const wf = api.workflow({
    name: "Wf",
    options: { workflowRetention: { days: 1 }, idempotencyRetention: 500, enableLazyState: true },
    handlers: { run: noop, click: h.workflow.shared({ ingressPrivate: true }, noop) },
  });
  return [svc, obj, wf];
}

async function officialManifest(defaultServiceOptions?: official.DefaultServiceOptions): Promise<unknown> {
  const handler = official.createEndpointHandler({
    services: definitions(official, official.serde) as never,
    defaultServiceOptions,
  });
  const res = await handler(new Request("http://localhost/discover", { headers: { accept: ACCEPT } }));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/vnd.restate.endpointmanifest.v4+json");
  return res.json();
}

describe("parity with the official SDK's manifest", () => {
  it("matches for services, objects and workflows with every option", async () => {
    const expected = await officialManifest();
    const entries = definitions(ours, serde).map((d) => ours.serviceEntryOf(d));
    const manifest = buildManifest(entries, {
      protocolMode: "REQUEST_RESPONSE",
      manifestVersion: 4,
      minProtocolVersion: 5,
      maxProtocolVersion: 7,
    });
    expect(manifest).toEqual(expected);
  });

  it("matches with endpoint defaults that do not overlap the services' own retry policies", async () => {
    const defaults = { journalRetention: { minutes: 5 }, abortTimeout: 7 };
    const expected = await officialManifest(defaults);
    const entries = definitions(ours, serde).map((d) => ours.serviceEntryOf(d));
    const manifest = buildManifest(entries, {
      protocolMode: "REQUEST_RESPONSE",
      manifestVersion: 4,
      minProtocolVersion: 5,
      maxProtocolVersion: 7,
      defaultServiceOptions: defaults,
    });
    expect(manifest).toEqual(expected);
  });
});
