// The holiday-booking saga as one endpoint: trips (the saga), flights, cars, payments.
//   npm run example                                   (starts everything through `perdure dev`, books two trips)
//   npx perdure dev examples/holiday/index.ts         (node; add --runtime bun or --runtime deno)
// The default export is an endpoint builder, so `perdure dev --mode bidi` can choose the protocol mode.
import * as restate from "../../src/index.js";
import { cars, flights } from "./services/bookings.js";
import { payments } from "./services/payments.js";
import { trips } from "./services/trips.js";

export { cars, flights, payments, trips };

export default restate.endpoint().bind(trips).bind(flights).bind(cars).bind(payments);
