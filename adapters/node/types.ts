// Types of the Node servers (HTTP/1.1, h2c, and both on one port): the ones every adapter shares, declared in
// adapters/shared/types.ts.

export {
  baseUrl,
  runningServer,
  toFetchFunction,
  type FetchFunction,
  type FetchHandlerLike,
  type RunningServer,
  type ServeOptions,
} from "../shared/types.js";
