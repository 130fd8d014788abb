// The README's Node quick start: a fetch handler served by perdure/node on $PORT.
import * as restate from "perdure";
import { serve } from "perdure/node";
import { greeter } from "./greeter.js";

const handler = restate.createEndpointHandler({ services: [greeter] });
const server = await serve(handler, { port: Number(process.env.PORT) });
console.log(`endpoint listening on ${server.url}`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
