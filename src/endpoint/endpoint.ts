// The endpoint builder: `endpoint().bind(svc).defaultServiceOptions(…).handler()` → `{ fetch }`, and
// `createEndpointHandler({ services, … })` → a fetch function. Both validate everything when the handler is built,
// so configuration mistakes fail at startup rather than at the first request.

import { serviceEntryOf, type ServiceEntry } from "../definition/builders.js";
import { createFetchCore, type FetchHandler } from "./fetch-handler.js";
import type { AttemptInfo } from "./invoke.js";
import { createIdentityVerifier } from "./identity.js";
import { applyServiceDefaults, type DefaultServiceOptions } from "./service-options.js";
import { resolveCodecProvider, type JournalValueCodec } from "./journal-codec.js";
import { normalizeAttemptLimits, type AttemptLimitsOption } from "../machine/limits.js";
import { checkLoggerTransport, withLoggerTransport, type LoggerTransport } from "../context/logging.js";

type AnyDefinition = { name: string };

export interface EndpointOptions {
  services: AnyDefinition[];
  identityKeys?: string[];
  defaultServiceOptions?: DefaultServiceOptions;
  /** Receives every ctx.console line and perdure's own (level, source, replay flag, invocation); default: console, "info" and up, silent while replaying. */
  logger?: LoggerTransport;
  /** Largest protocol message accepted (bytes); default 32 MiB. */
  maxMessageSize?: number;
  /** Telemetry: called after every invocation attempt with its outcome, eager runs used and what it waited on. */
  onAttemptEnd?: (info: AttemptInfo) => void;
  /**
   * perdure extension: what one invocation attempt may accumulate (commands, output bytes, single message size,
   * unread signals). Exceeding one ends only that attempt, with an error naming the limit. Services and handlers may
   * set their own `attemptLimits` option.
   */
  attemptLimits?: AttemptLimitsOption;
  /**
   * @experimental Encodes journal values after serialization and decodes them before deserialization (e.g.
   * encryption): handler input and output, run results, state, awakeable/promise/signal values, call parameters.
   * Called once, when the handler is built.
   */
  journalValueCodecProvider?: () => Promise<JournalValueCodec>;
}

export interface FetchEndpointOptions extends EndpointOptions {
  /** Stream completions back on the open request (HTTP/2, or full-duplex HTTP/1.1). Default: request-response. */
  bidirectional?: boolean;
}

/** The methods every endpoint builder shares (the official SDK's RestateEndpointBase): each returns the builder `E`. */
export interface RestateEndpointBase<E> {
  bind(service: AnyDefinition): E;
  withIdentityV1(...keys: string[]): E;
  defaultServiceOptions(options: DefaultServiceOptions): E;
  setLogger(logger: LoggerTransport): E;
  journalValueCodecProvider(codecProvider: () => Promise<JournalValueCodec>): E;
}

export interface FetchEndpoint {
  bind(service: AnyDefinition): FetchEndpoint;
  withIdentityV1(...keys: string[]): FetchEndpoint;
  defaultServiceOptions(options: DefaultServiceOptions): FetchEndpoint;
  setLogger(logger: LoggerTransport): FetchEndpoint;
  /** Adapters forward what they were given; it is checked to be a function when set. */
  setLogger(logger: unknown): FetchEndpoint;
  bidirectional(set?: boolean): FetchEndpoint;
  /** perdure extension: the largest protocol message accepted, in bytes (default 32 MiB), checked before buffering. */
  maxMessageSize(bytes: number): FetchEndpoint;
  /** perdure extension: observe every invocation attempt (outcome, eager runs, what it suspended on). */
  onAttemptEnd(observer: (info: AttemptInfo) => void): FetchEndpoint;
  /** perdure extension: bounds on what one invocation attempt may accumulate (see EndpointOptions.attemptLimits). */
  attemptLimits(limits: AttemptLimitsOption): FetchEndpoint;
  /** @experimental See EndpointOptions.journalValueCodecProvider. */
  journalValueCodecProvider(codecProvider: () => Promise<JournalValueCodec>): FetchEndpoint;
  handler(): { fetch: FetchHandler };
}

class FetchEndpointBuilder implements FetchEndpoint {
  private readonly services: AnyDefinition[] = [];
  private identityKeys: string[] = [];
  private defaults: DefaultServiceOptions | undefined;
  private bidi = false;
  private logger: LoggerTransport | undefined;
  private attemptObserver: ((info: AttemptInfo) => void) | undefined;
  private messageLimit: number | undefined;
  private limits: AttemptLimitsOption | undefined;
  private codecProvider: (() => Promise<JournalValueCodec>) | undefined;

  bind(service: AnyDefinition): FetchEndpoint {
    serviceEntryOf(service); // validate now, with a readable error
    this.services.push(service);
    return this;
  }

  withIdentityV1(...keys: string[]): FetchEndpoint {
    this.identityKeys.push(...keys);
    return this;
  }

  defaultServiceOptions(options: DefaultServiceOptions): FetchEndpoint {
    this.defaults = options;
    return this;
  }

  setLogger(logger: unknown): FetchEndpoint {
    this.logger = checkLoggerTransport(logger, "setLogger(logger)");
    return this;
  }

  bidirectional(set = true): FetchEndpoint {
    this.bidi = set;
    return this;
  }

  maxMessageSize(bytes: number): FetchEndpoint {
    if (!Number.isInteger(bytes) || bytes < 1024) throw new RangeError(`maxMessageSize must be an integer of at least 1024 bytes, got ${bytes}`);
    this.messageLimit = bytes;
    return this;
  }

  onAttemptEnd(observer: (info: AttemptInfo) => void): FetchEndpoint {
    this.attemptObserver = observer;
    return this;
  }

  attemptLimits(limits: AttemptLimitsOption): FetchEndpoint {
    this.limits = normalizeAttemptLimits(limits, "the endpoint");
    return this;
  }

  journalValueCodecProvider(codecProvider: () => Promise<JournalValueCodec>): FetchEndpoint {
    this.codecProvider = codecProvider;
    return this;
  }

  handler(): { fetch: FetchHandler } {
    const fetch = createEndpointHandler({
      services: this.services,
      identityKeys: this.identityKeys,
      defaultServiceOptions: this.defaults,
      bidirectional: this.bidi,
      logger: this.logger,
      onAttemptEnd: this.attemptObserver,
      attemptLimits: this.limits,
      journalValueCodecProvider: this.codecProvider,
      ...(this.messageLimit !== undefined ? { maxMessageSize: this.messageLimit } : {}),
    });
    return { fetch };
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

