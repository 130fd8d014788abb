// The e2e suite starts restate-server with perdure's own launcher from the testing kit (src/testing), so the kit
// users get is the one the project's tests rely on. Only the `protocolV7` flag is added to the handle here.
import {
  restateServerBinary,
  startRestateServer as startServer,
  type RestateServer as LaunchedServer,
  type RestateServerOptions,
} from "../../../src/local/restate-server.js";

export { restateServerBinary, type RestateServerOptions };

export interface RestateServer extends LaunchedServer {
  protocolV7: boolean;
}

export async function startRestateServer(opts: RestateServerOptions = {}): Promise<RestateServer> {
  const server = await startServer(opts);
  return Object.assign(server, { protocolV7: opts.protocolV7 === true });
}
