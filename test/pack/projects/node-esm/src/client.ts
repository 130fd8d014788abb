// Calls the service through restate-server's ingress with perdure/clients, typed from the definition.
import { connect } from "perdure/clients";
import * as msgpack from "perdure/msgpack";
import { rpc } from "perdure/clients";
import { greeter } from "./greeter.js";

const rs = connect({ url: process.argv[2]! });
const greeting: string = await rs.serviceClient(greeter).greet("Ada");
const day: Date = await rs
  .serviceClient(greeter)
  .nextDay(new Date("2026-01-01T00:00:00Z"), rpc.opts({ input: msgpack.serde<Date>(), output: msgpack.serde<Date>() }));
console.log(JSON.stringify({ greeting, day: day.toISOString() }));
