// The discovery manifest (DISCOVERY.md §3) built from service entries, and the `/discover` response.
// restate-server rejects unknown fields, so only fields of the negotiated manifest version are emitted;
// a configured option that version cannot carry is an error rather than being silently dropped.

import type { HandlerEntry, InheritableOptions, ServiceEntry } from "../definition/service-model.js";
import type { Serde } from "../serde/types.js";
import { manifestContentType, pickManifestVersion, type ManifestVersion } from "../protocol/versions.js";
import { applyServiceDefaults, type DefaultServiceOptions } from "./service-options.js";
import { X_RESTATE_SERVER } from "./server-header.js";

export type ProtocolMode = "REQUEST_RESPONSE" | "BIDI_STREAM";

export interface ManifestOptions {
  protocolMode: ProtocolMode;
  manifestVersion: ManifestVersion;
  defaultServiceOptions?: DefaultServiceOptions;
  minProtocolVersion: number;
  maxProtocolVersion: number;
  /** Lambda only; emitted from manifest v4 on, dropped below (it is only an optimisation). */
  lambdaCompression?: "zstd";
}

type Json = Record<string, unknown>;

/**
 * Builds the endpoint manifest; throws an Error naming the option when the version cannot carry it. The caller (the
 * fetch core) passes the services the endpoint was built with (names already distinct) and a version that
 * `pickManifestVersion` chose, so neither is checked again here.
 */
export function buildManifest(services: ServiceEntry[], opts: ManifestOptions): object {
  const version = opts.manifestVersion;
  const manifest: Json = {
    protocolMode: opts.protocolMode,
    minProtocolVersion: opts.minProtocolVersion,
    maxProtocolVersion: opts.maxProtocolVersion,
    services: services.map((raw) => serviceManifest(applyServiceDefaults(raw, opts.defaultServiceOptions), version)),
  };
  if (opts.lambdaCompression !== undefined && version >= 4) manifest.lambdaCompression = opts.lambdaCompression;
  return manifest;
}

function serviceManifest(service: ServiceEntry, version: ManifestVersion): Json {
  const where = `service '${service.name}'`;
  // Service-level fields first, so an unsupported option is reported for the service before its handlers.
  const fields: Json = {};
  putBehaviour(fields, service.options, version, where);
  const handlers = [...service.handlers.values()].map((h) => handlerManifest(service, h, version));
  return { name: service.name, ty: service.type, handlers, ...fields };
}

function handlerManifest(service: ServiceEntry, handler: HandlerEntry, version: ManifestVersion): Json {
  const where = `handler '${service.name}/${handler.name}'`;
  const out: Json = { name: handler.name };
  if (handler.kind !== undefined) out.ty = handler.kind;
  out.input = inputPayload(handler.input, handler.options.accept);
  out.output = outputPayload(handler.output, handler.options.setOutputContentTypeIfEmpty ?? false);
  putBehaviour(out, handler.options, version, where);
  if (handler.kind === "WORKFLOW") {
    putGated(out, "workflowCompletionRetention", service.options.workflowCompletionRetention, version, `workflow '${service.name}'`, "workflowRetention");
  }
  return out;
}

const BEHAVIOUR_FIELDS = ["inactivityTimeout", "abortTimeout", "journalRetention", "idempotencyRetention", "enableLazyState", "ingressPrivate"] as const;
const RETRY_FIELDS = ["initialInterval", "maxInterval", "maxAttempts", "exponentiationFactor", "onMaxAttempts"] as const;

/** documentation/metadata (v2) and the v3/v4 settings shared by services and handlers (retry policy fields become `retryPolicyInitialInterval`, …). */
function putBehaviour(out: Json, o: InheritableOptions & { documentation?: string; metadata?: Record<string, string> }, version: ManifestVersion, where: string): void {
  // documentation/metadata are informational only: below v2 they are left out instead of failing.
  if (version >= 2) {
    putDefined(out, "documentation", o.documentation);
    putDefined(out, "metadata", o.metadata);
  }
  for (const field of BEHAVIOUR_FIELDS) putGated(out, field, o[field], version, where);
  const rp = o.retryPolicy;
  if (rp === undefined) return;
  for (const key of RETRY_FIELDS) {
    putGated(out, `retryPolicy${key[0]!.toUpperCase()}${key.slice(1)}`, rp[key], version, where, `retryPolicy.${key}`, 4);
  }
}

/**
 * Sets a field that manifest v1/v2 cannot carry: the behaviour fields came with v3, the retry policy fields
 * (`retryPolicyMaxAttempts` ← the option `retryPolicy.maxAttempts`) with v4.
 */
function putGated(out: Json, field: string, value: unknown, version: ManifestVersion, where: string, option = field, since = 3): void {
  if (value === undefined) return;
  if (version < since) {
    throw new Error(
      `The option '${option}' of ${where} needs discovery manifest v${since} or newer, but the Restate server ` +
        `only accepts up to v${version}. Remove the option or upgrade restate-server.`,
    );
  }
  out[field] = value;
}

function putDefined(out: Json, field: string, value: unknown): void {
  if (value !== undefined) out[field] = value;
}

/** Manifest `input`: what the ingress accepts. No content type at all means "no body". */
function inputPayload(serde: Serde<unknown>, accept: string | undefined): Json {
  const contentType = accept ?? serde.contentType;
  if (contentType === undefined && serde.jsonSchema === undefined) return {};
  const out: Json = { required: false };
  putDefined(out, "contentType", contentType);
  putDefined(out, "jsonSchema", serde.jsonSchema);
  return out;
}

/** Manifest `output`: the content type the ingress puts on responses. */
function outputPayload(serde: Serde<unknown>, setContentTypeIfEmpty: boolean): Json {
  const out: Json = { setContentTypeIfEmpty };
  if (serde.jsonSchema !== undefined) {
    out.contentType = serde.contentType ?? "application/json";
    out.jsonSchema = serde.jsonSchema;
  } else {
    putDefined(out, "contentType", serde.contentType);
  }
  return out;
}

/**
 * The answer to `GET …/discover`: the highest manifest version `accept` offers (415 if none),
 * the manifest from `build` (500 with its message if it throws), `x-restate-server` on every answer.
 */
/** The `/discover` answer as plain data (status, headers, body text); the fast entry sends it as it is. */
export function discoveryAnswer(
  acceptHeader: string | null,
  build: (version: ManifestVersion) => object,
): { status: number; headers: Record<string, string>; body: string } {
  const version = pickManifestVersion(acceptHeader) as ManifestVersion | undefined;
  if (version === undefined) {
    return textAnswer(
      415,
      `Unsupported discovery manifest version: the accept header '${acceptHeader ?? ""}' offers none of ` +
        `${manifestContentType(1)} .. ${manifestContentType(4)}`,
    );
  }
  let body: string;
  try {
    body = JSON.stringify(build(version));
  } catch (e) {
    return textAnswer(500, `Cannot build the discovery manifest: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { status: 200, headers: { "content-type": manifestContentType(version), "x-restate-server": X_RESTATE_SERVER }, body };
}

export function discoveryResponse(acceptHeader: string | null, build: (version: ManifestVersion) => object): Response {
  const answer = discoveryAnswer(acceptHeader, build);
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

function textAnswer(status: number, message: string) {
  return { status, headers: { "content-type": "text/plain; charset=utf-8", "x-restate-server": X_RESTATE_SERVER }, body: message };
}
