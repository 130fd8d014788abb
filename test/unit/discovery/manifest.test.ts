import { VECTORS_DIR } from "../../support/vectors-dir.js";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { handlers, object, service, serviceEntryOf, workflow } from "../../../src/definition/builders.js";
import { buildManifest, type ManifestOptions } from "../../../src/endpoint/discovery.js";
import { applyServiceDefaults } from "../../../src/endpoint/service-options.js";
import { createEndpointHandler } from "../../../src/endpoint/endpoint.js";
import { serde } from "../../../src/serde/index.js";

const noop = async () => undefined;
const base = (manifestVersion: 1 | 2 | 3 | 4, extra: Partial<ManifestOptions> = {}): ManifestOptions => ({
  protocolMode: "REQUEST_RESPONSE",
  manifestVersion,
  minProtocolVersion: 5,
  maxProtocolVersion: 7,
  ...extra,
});
const JSON_IN = { required: false, contentType: "application/json" };
const JSON_OUT = { setContentTypeIfEmpty: false, contentType: "application/json" };

describe("buildManifest: the captured official manifest", () => {
  it("equals the TS SDK 1.17.2 manifest of v6-h1-discover for the same definitions", () => {
    const captured = JSON.parse(readFileSync(`${VECTORS_DIR}/v6-h1-discover.json`, "utf8")).decoded
      .response_json;
    const greeter = service({
      name: "Greeter",
      handlers: { hello: noop, greet: noop, awake: noop, failTerminal: noop, flaky: noop, longSleep: noop, rand: noop },
    });
    const counter = object({ name: "Counter", handlers: { add: noop, get: handlers.object.shared(noop) } });
    const manifest = buildManifest([serviceEntryOf(greeter), serviceEntryOf(counter)], base(4));
    expect(manifest).toEqual(captured);
    // same key order as well, down to the handlers (the server does not care, but diffs stay readable)
    expect(JSON.stringify(manifest)).toBe(JSON.stringify(sortTopLevel(captured, Object.keys(manifest))));
  });
});

function sortTopLevel(obj: Record<string, unknown>, order: string[]): Record<string, unknown> {
  return Object.fromEntries(order.map((k) => [k, obj[k]]));
}

describe("buildManifest: fields by version", () => {
  const everything = () =>
    service({
      name: "Full",
      description: "svc doc",
      metadata: { team: "perdure" },
      options: {
        inactivityTimeout: { seconds: 30 },
        abortTimeout: { minutes: 1 },
        journalRetention: { hours: 1 },
        idempotencyRetention: { hours: 2 },
        ingressPrivate: false,
        retryPolicy: { initialInterval: 100, maxInterval: { seconds: 2 }, maxAttempts: 5, exponentiationFactor: 1.5, onMaxAttempts: "kill" },
      },
      handlers: {
        h: handlers.handler(
          {
            description: "h doc",
            metadata: { k: "v" },
            inactivityTimeout: 1,
            abortTimeout: 2,
            journalRetention: 3,
            idempotencyRetention: 4,
            ingressPrivate: true,
            retryPolicy: { onMaxAttempts: "pause", maxAttempts: 2 },
          },
          noop,
        ),
      },
    });

  it("v4 carries every option, durations in ms", () => {
    expect(buildManifest([serviceEntryOf(everything())], base(4))).toEqual({
      protocolMode: "REQUEST_RESPONSE",
      minProtocolVersion: 5,
      maxProtocolVersion: 7,
      services: [
        {
          name: "Full",
          ty: "SERVICE",
          documentation: "svc doc",
          metadata: { team: "perdure" },
          inactivityTimeout: 30000,
          abortTimeout: 60000,
          journalRetention: 3600000,
          idempotencyRetention: 7200000,
          ingressPrivate: false,
          retryPolicyInitialInterval: 100,
          retryPolicyMaxInterval: 2000,
          retryPolicyMaxAttempts: 5,
          retryPolicyExponentiationFactor: 1.5,
          retryPolicyOnMaxAttempts: "KILL",
          handlers: [
            {
              name: "h",
              input: JSON_IN,
              output: JSON_OUT,
              documentation: "h doc",
              metadata: { k: "v" },
              inactivityTimeout: 1,
              abortTimeout: 2,
              journalRetention: 3,
              idempotencyRetention: 4,
              ingressPrivate: true,
              retryPolicyMaxAttempts: 2,
              retryPolicyOnMaxAttempts: "PAUSE",
            },
          ],
        },
      ],
    });
  });

  it("v3 refuses retry policies, naming the option and the version needed", () => {
    expect(() => buildManifest([serviceEntryOf(everything())], base(3))).toThrow(
      "The option 'retryPolicy.initialInterval' of service 'Full' needs discovery manifest v4 or newer, but the Restate server only accepts up to v3",
    );
    const handlerOnly = service({ name: "S", handlers: { h: handlers.handler({ retryPolicy: { maxAttempts: 3 } }, noop) } });
    expect(() => buildManifest([serviceEntryOf(handlerOnly)], base(3))).toThrow(
      /'retryPolicy.maxAttempts' of handler 'S\/h' needs discovery manifest v4/,
    );
  });

  it("v3 carries the timers, lazy state and ingressPrivate", () => {
    const def = object({
      name: "O",
      options: { journalRetention: 10, enableLazyState: true, ingressPrivate: true },
      handlers: { h: handlers.object.exclusive({ inactivityTimeout: 5, enableLazyState: false }, noop) },
    });
    expect(buildManifest([serviceEntryOf(def)], base(3))).toMatchObject({
      services: [
        {
          ty: "VIRTUAL_OBJECT",
          journalRetention: 10,
          enableLazyState: true,
          ingressPrivate: true,
          handlers: [{ name: "h", ty: "EXCLUSIVE", inactivityTimeout: 5, enableLazyState: false }],
        },
      ],
    });
  });

  it("v2 carries documentation and metadata but refuses v3 options", () => {
    const doc = service({ name: "D", description: "d", metadata: { a: "b" }, handlers: { h: handlers.handler({ description: "hd" }, noop) } });
    expect(buildManifest([serviceEntryOf(doc)], base(2))).toEqual({
      protocolMode: "REQUEST_RESPONSE",
      minProtocolVersion: 5,
      maxProtocolVersion: 7,
      services: [
        { name: "D", ty: "SERVICE", documentation: "d", metadata: { a: "b" }, handlers: [{ name: "h", input: JSON_IN, output: JSON_OUT, documentation: "hd" }] },
      ],
    });
    const timed = service({ name: "T", options: { abortTimeout: 1 }, handlers: { h: noop } });
    expect(() => buildManifest([serviceEntryOf(timed)], base(2))).toThrow(
      "The option 'abortTimeout' of service 'T' needs discovery manifest v3 or newer, but the Restate server only accepts up to v2",
    );
    const lazy = object({ name: "L", handlers: { h: handlers.object.shared({ enableLazyState: true }, noop) } });
    expect(() => buildManifest([serviceEntryOf(lazy)], base(2))).toThrow(/'enableLazyState' of handler 'L\/h' needs discovery manifest v3/);
  });

  it("v1 leaves out documentation and metadata, refuses behaviour options", () => {
    const doc = service({ name: "D", description: "d", metadata: { a: "b" }, handlers: { h: handlers.handler({ metadata: { x: "y" } }, noop) } });
    expect(buildManifest([serviceEntryOf(doc)], base(1))).toEqual({
      protocolMode: "REQUEST_RESPONSE",
      minProtocolVersion: 5,
      maxProtocolVersion: 7,
      services: [{ name: "D", ty: "SERVICE", handlers: [{ name: "h", input: JSON_IN, output: JSON_OUT }] }],
    });
    const wf = workflow({ name: "W", options: { workflowRetention: 1000 }, handlers: { run: noop } });
    expect(() => buildManifest([serviceEntryOf(wf)], base(1))).toThrow(
      "The option 'workflowRetention' of workflow 'W' needs discovery manifest v3 or newer, but the Restate server only accepts up to v1",
    );
  });

  it("puts lambdaCompression only into v4", () => {
    const s = serviceEntryOf(service({ name: "S", handlers: {} }));
    expect(buildManifest([s], base(4, { lambdaCompression: "zstd" }))).toHaveProperty("lambdaCompression", "zstd");
    expect(buildManifest([s], base(3, { lambdaCompression: "zstd" }))).not.toHaveProperty("lambdaCompression");
  });

  it("emits the BIDI_STREAM mode and the given protocol range", () => {
    const s = serviceEntryOf(service({ name: "S", handlers: {} }));
    expect(buildManifest([s], { ...base(4), protocolMode: "BIDI_STREAM", minProtocolVersion: 5, maxProtocolVersion: 6 })).toEqual({
      protocolMode: "BIDI_STREAM",
      minProtocolVersion: 5,
      maxProtocolVersion: 6,
      services: [{ name: "S", ty: "SERVICE", handlers: [] }],
    });
  });

  // buildManifest trusts its caller (the fetch core): services are deduplicated when the endpoint is built and the
  // version comes from the accept header's negotiation; the endpoint is where a duplicate is refused.
  it("a service bound twice is refused when the endpoint is built, before any manifest", () => {
    const s = service({ name: "S", handlers: {} });
    expect(() => createEndpointHandler({ services: [s, s] })).toThrow("service 'S' is bound twice to this endpoint");
  });
});

describe("buildManifest: handler types and payloads", () => {
  it("sets ty per service type", () => {
    const wf = workflow({ name: "W", options: { workflowRetention: { days: 1 } }, handlers: { run: noop, peek: noop } });
    const [svc] = (buildManifest([serviceEntryOf(wf)], base(4)) as { services: { handlers: unknown[] }[] }).services;
    expect(svc!.handlers).toEqual([
      { name: "run", ty: "WORKFLOW", input: JSON_IN, output: JSON_OUT, workflowCompletionRetention: 86400000 },
      { name: "peek", ty: "SHARED", input: JSON_IN, output: JSON_OUT },
    ]);
  });

  it("describes binary, empty, accept, JSON Schema and setOutputContentTypeIfEmpty", () => {
    const schema = { type: "object" };
    const def = service({
      name: "P",
      handlers: {
        bin: handlers.handler({ input: serde.binary, output: serde.binary }, noop),
        none: handlers.handler({ input: serde.empty, output: serde.empty, setOutputContentTypeIfEmpty: true }, noop),
        acc: handlers.handler({ accept: "text/*", input: serde.empty }, noop),
        sch: handlers.handler({ input: new serde.JsonSerde(schema), output: new serde.JsonSerde(schema) }, noop),
        schAcc: handlers.handler({ accept: "application/*", input: new serde.JsonSerde(schema) }, noop),
      },
    });
    const [svc] = (buildManifest([serviceEntryOf(def)], base(4)) as { services: { handlers: unknown[] }[] }).services;
    expect(svc!.handlers).toEqual([
      {
        name: "bin",
        input: { required: false, contentType: "application/octet-stream" },
        output: { setContentTypeIfEmpty: false, contentType: "application/octet-stream" },
      },
      { name: "none", input: {}, output: { setContentTypeIfEmpty: true } },
      { name: "acc", input: { required: false, contentType: "text/*" }, output: JSON_OUT },
      {
        name: "sch",
        input: { required: false, contentType: "application/json", jsonSchema: schema },
        output: { setContentTypeIfEmpty: false, contentType: "application/json", jsonSchema: schema },
      },
      { name: "schAcc", input: { required: false, contentType: "application/*", jsonSchema: schema }, output: JSON_OUT },
    ]);
  });
});

describe("defaultServiceOptions", () => {
  it("apply under service options, field by field (retry policy too)", () => {
    const own = service({
      name: "Own",
      options: { journalRetention: 5, retryPolicy: { maxAttempts: 9 } },
      handlers: { h: handlers.handler({ journalRetention: 7 }, noop) },
    });
    const bare = object({ name: "Bare", handlers: { h: noop } });
    const manifest = buildManifest(
      [serviceEntryOf(own), serviceEntryOf(bare)],
      base(4, {
        defaultServiceOptions: {
          journalRetention: { seconds: 1 },
          ingressPrivate: true,
          enableLazyState: true,
          retryPolicy: { initialInterval: 50, maxAttempts: 3 },
        },
      }),
    ) as { services: Record<string, unknown>[] };
    expect(manifest.services[0]).toMatchObject({
      name: "Own",
      journalRetention: 5,
      ingressPrivate: true,
      retryPolicyInitialInterval: 50,
      retryPolicyMaxAttempts: 9,
      handlers: [{ name: "h", journalRetention: 7 }],
    });
    expect(manifest.services[0]).not.toHaveProperty("enableLazyState"); // plain service: no state
    expect(manifest.services[1]).toMatchObject({
      name: "Bare",
      journalRetention: 1000,
      ingressPrivate: true,
      enableLazyState: true,
      retryPolicyInitialInterval: 50,
      retryPolicyMaxAttempts: 3,
    });
  });

  it("a default serde changes the handlers' serdes unless they set their own", () => {
    const def = service({
      name: "S",
      handlers: { a: noop, b: handlers.handler({ input: serde.json }, noop) },
    });
    const entry = applyServiceDefaults(serviceEntryOf(def), { serde: serde.binary });
    expect(entry.handlers.get("a")!.input).toBe(serde.binary);
    expect(entry.handlers.get("a")!.execution.defaultSerde).toBe(serde.binary);
    expect(entry.handlers.get("b")!.input).toBe(serde.json);
    expect(entry.handlers.get("b")!.output).toBe(serde.binary);
    // the original entry is not modified
    expect(serviceEntryOf(def).handlers.get("a")!.input).toBe(serde.json);
  });

  it("workflowRetention default reaches only workflows' run handlers", () => {
    const wf = workflow({ name: "W", handlers: { run: noop } });
    const svc = service({ name: "S", handlers: { h: noop } });
    const m = buildManifest([serviceEntryOf(wf), serviceEntryOf(svc)], base(4, { defaultServiceOptions: { workflowRetention: 10 } })) as {
      services: { handlers: Record<string, unknown>[] }[];
    };
    expect(m.services[0]!.handlers[0]).toHaveProperty("workflowCompletionRetention", 10);
    expect(m.services[1]!.handlers[0]).not.toHaveProperty("workflowCompletionRetention");
  });

  it("invalid defaults are reported", () => {
    const s = serviceEntryOf(service({ name: "S", handlers: {} }));
    expect(() => buildManifest([s], base(4, { defaultServiceOptions: { abortTimeout: -1 } }))).toThrow(
      "abortTimeout of defaultServiceOptions must not be negative, got -1 ms",
    );
  });
});
