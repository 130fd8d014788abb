// The fetch endpoint builder: `endpoint().bind(svc).defaultServiceOptions(…).handler()` → `{ fetch }`, and
// `createEndpointHandler({ services, … })` → a fetch function. Both validate everything when the handler is built,
// so configuration mistakes fail at startup rather than at the first request.

import { serviceEntryOf, type ServiceEntry } from "../definition/builders.js";
import { createFetchCore, type FetchHandler } from "./fetch-handler.js";
import { createIdentityVerifier } from "./identity.js";
import { applyServiceDefaults } from "./service-options.js";
import { resolveCodecProvider } from "./journal-codec.js";
import { normalizeAttemptLimits } from "../machine/limits.js";
import { checkLoggerTransport, withLoggerTransport } from "../context/logging.js";
import { EndpointBuilderBase, type EndpointBuilderMethods, type FetchEndpointOptions } from "./builder-base.js";

export type { EndpointOptions, FetchEndpointOptions, RestateEndpointBase, EndpointBuilderMethods, EndpointConfig, ServiceDefinitionLike } from "./builder-base.js";

/** The fetch builder (`perdure`, `perdure/fetch`): the shared configuration methods plus `handler()` → `{ fetch }`. */
export interface FetchEndpoint extends EndpointBuilderMethods<FetchEndpoint> {
  handler(): { fetch: FetchHandler };
}

class FetchEndpointBuilder extends EndpointBuilderBase implements FetchEndpoint {
  handler(): { fetch: FetchHandler } {
    return { fetch: createEndpointHandler(this.config) };
  }
}

export function endpoint(): FetchEndpoint {
  return new FetchEndpointBuilder();
}

export function createEndpointHandler(options: FetchEndpointOptions): FetchHandler {
  if (!options || !Array.isArray(options.services) || options.services.length === 0) {
    throw new TypeError("createEndpointHandler needs at least one service: { services: [myService] }");
  }
  const logger = options.logger === undefined ? undefined : checkLoggerTransport(options.logger, "the logger option");
  const seen = new Set<string>();
  const services: ServiceEntry[] = options.services.map((def) => {
    const entry = applyServiceDefaults(serviceEntryOf(def), options.defaultServiceOptions);
    if (seen.has(entry.name)) throw new Error(`service '${entry.name}' is bound twice to this endpoint`);
    seen.add(entry.name);
    return logger ? withLoggerTransport(entry, logger) : entry;
  });
  // Keys are checked here (a malformed one throws, naming its position); with none, requests are not checked.
  const identity = options.identityKeys !== undefined && options.identityKeys.length > 0 ? createIdentityVerifier(options.identityKeys) : undefined;
  return createFetchCore({
    services,
    identity,
    protocolMode: options.bidirectional ? "BIDI_STREAM" : "REQUEST_RESPONSE",
    maxMessageSize: options.maxMessageSize,
    onAttemptEnd: options.onAttemptEnd,
    attemptLimits: normalizeAttemptLimits(options.attemptLimits, "the endpoint"),
    journalValueCodec: resolveCodecProvider(options.journalValueCodecProvider),
  });
}

