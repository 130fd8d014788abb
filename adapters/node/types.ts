// Types of the Node servers (HTTP/1.1, h2c, and both on one port). The ones every adapter shares are declared in
// adapters/shared/types.ts and re-exported here.

export { baseUrl, runningServer, toFetchFunction, type FetchFunction, type FetchHandlerLike, type RunningServer } from "../shared/types.js";

export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: loopback only unless asked otherwise. */
  hostname?: string;
}
