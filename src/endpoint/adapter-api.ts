// What the endpoint layer offers the platform adapters (adapters/*) beyond the public API (src/index.ts): the
// builder base they extend, the route matcher (to tell endpoint paths from others), the protocol error frame, the
// invocation content type parser and the fast entries (HTTP/1.1 request-response, HTTP/2 bidirectional). Adapters import src/endpoint through this module
// only, so what they rely on is named in one place.

export { EndpointBuilderBase, type EndpointBuilderMethods, type EndpointConfig } from "./builder-base.js";
export { routeOf, type Route } from "./routing.js";
export { errorMessageFrame } from "./error-frame.js";
export { parseInvocationContentType } from "../protocol/versions.js";
export { rawPrepareOf, type RawInvocation } from "./raw.js";
export { rawBidiPrepareOf, type RawDuplex, type RawDuplexInput } from "./raw-bidi.js";
