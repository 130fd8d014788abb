// One endpoint configuration and one builder base for every platform. `EndpointBuilderBase` holds every
// configuration method (bind, identity keys, defaults, logger, limits, codec, protocol mode) and records them in one
// `EndpointConfig`; each platform's builder (perdure's fetch core, perdure/node, the Bun/Deno root entries,
// perdure/cloudflare, perdure/lambda) extends it and adds only `handler()` / `listen()` and its translation.
// Kept free of anything platform-specific: it is part of every Workers bundle.

import { serviceEntryOf } from "../definition/builders.js";
import { normalizeAttemptLimits, type AttemptLimitsOption } from "../machine/limits.js";
import { checkLoggerTransport, type LoggerTransport } from "../context/logging.js";
import type { AttemptInfo } from "./invoke.js";
import type { DefaultServiceOptions } from "./service-options.js";
import type { JournalValueCodec } from "./journal-codec.js";

/** A service, virtual object or workflow definition (`restate.service({ … })`, …). */
export type ServiceDefinitionLike = { name: string };

export interface EndpointOptions {
  services: ServiceDefinitionLike[];
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

/**
 * The configuration an endpoint builder records: the options of `createEndpointHandler`. `bidirectional` stays
 * unset until `.bidirectional()` is called (the Node builders then pick the mode per HTTP version).
 */
export type EndpointConfig = FetchEndpointOptions & { identityKeys: string[] };

/** The methods every endpoint builder shares (the official SDK's RestateEndpointBase): each returns the builder `E`. */
export interface RestateEndpointBase<E> {
  bind(service: ServiceDefinitionLike): E;
  withIdentityV1(...keys: string[]): E;
  defaultServiceOptions(options: DefaultServiceOptions): E;
  setLogger(logger: LoggerTransport): E;
  journalValueCodecProvider(codecProvider: () => Promise<JournalValueCodec>): E;
}

/**
 * Every configuration method of every perdure endpoint builder, returning the builder `E`. Each platform's builder
 * type extends this and adds its `handler()` (and `listen()` where it can listen); a type test checks them all.
 */
export interface EndpointBuilderMethods<E> extends RestateEndpointBase<E> {
  setLogger(logger: LoggerTransport): E;
  /** Adapters forward what they were given; it is checked to be a function when set. */
  setLogger(logger: unknown): E;
  /**
   * Stream completions back on the open request (HTTP/2, or full-duplex HTTP/1.1). Request-response builders
   * (Workers, Lambda) accept only `bidirectional(false)` and throw for `true` at once.
   */
  bidirectional(set?: boolean): E;
  /** perdure extension: the largest protocol message accepted, in bytes (default 32 MiB), checked before buffering. */
  maxMessageSize(bytes: number): E;
  /** perdure extension: observe every invocation attempt (outcome, eager runs, what it suspended on). */
  onAttemptEnd(observer: (info: AttemptInfo) => void): E;
  /** perdure extension: bounds on what one invocation attempt may accumulate (see EndpointOptions.attemptLimits). */
  attemptLimits(limits: AttemptLimitsOption): E;
  /** @experimental See EndpointOptions.journalValueCodecProvider. */
  journalValueCodecProvider(codecProvider: () => Promise<JournalValueCodec>): E;
}

/**
 * The configuration half of every endpoint builder. Each method validates its argument at once (a bad service or
 * limit fails where it is written) and records it in `config`; subclasses build their handler from `config`.
 */
export abstract class EndpointBuilderBase {
  protected readonly config: EndpointConfig = { services: [], identityKeys: [] };

  bind(service: ServiceDefinitionLike): this {
    serviceEntryOf(service); // validate now, with a readable error
    this.config.services.push(service);
    return this;
  }

  withIdentityV1(...keys: string[]): this {
    this.config.identityKeys.push(...keys);
    return this;
  }

  defaultServiceOptions(options: DefaultServiceOptions): this {
    this.config.defaultServiceOptions = options;
    return this;
  }

  setLogger(logger: LoggerTransport): this;
  setLogger(logger: unknown): this;
  setLogger(logger: unknown): this {
    this.config.logger = checkLoggerTransport(logger, "setLogger(logger)");
    return this;
  }

  bidirectional(set = true): this {
    this.config.bidirectional = set;
    return this;
  }

  maxMessageSize(bytes: number): this {
    if (!Number.isInteger(bytes) || bytes < 1024) throw new RangeError(`maxMessageSize must be an integer of at least 1024 bytes, got ${bytes}`);
    this.config.maxMessageSize = bytes;
    return this;
  }

  onAttemptEnd(observer: (info: AttemptInfo) => void): this {
    this.config.onAttemptEnd = observer;
    return this;
  }

  attemptLimits(limits: AttemptLimitsOption): this {
    this.config.attemptLimits = normalizeAttemptLimits(limits, "the endpoint");
    return this;
  }

  journalValueCodecProvider(codecProvider: () => Promise<JournalValueCodec>): this {
    this.config.journalValueCodecProvider = codecProvider;
    return this;
  }

  /** The recorded configuration with `bidirectional` set as given: the options for `createEndpointHandler`. */
  protected optionsFor(bidirectional: boolean): FetchEndpointOptions {
    return { ...this.config, bidirectional };
  }
}
