// Members of the public `serde` namespace (`restate.serde.json`, …), as in the official SDK.

export { JsonSerde, json } from "./json.js";
export { binary, empty } from "./binary.js";
export { schema } from "./standard-schema.js";
