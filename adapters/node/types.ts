// Types of the Node servers (HTTP/1.1, h2c, and both on one port): the ones every adapter shares, declared in
// adapters/shared/.

export { toFetchFunction, type FetchFunction, type FetchHandlerLike } from "../shared/types.js";
export { baseUrl, runningServer, type RunningServer, type ServeOptions } from "../shared/running-server.js";
