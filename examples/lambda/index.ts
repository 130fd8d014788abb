// The holiday-booking saga (../holiday) as one AWS Lambda function: `index.handler` is the endpoint.
//   npm run bundle        → dist/holiday-lambda.zip (index.js inside), ready for `aws lambda create-function`
// Register the published version by ARN (see README.md); restate-server then invokes the function through the
// Lambda API, one request-response invocation per attempt.
import * as restate from "../../adapters/lambda/index.js";
import { cars, flights } from "../holiday/services/bookings.js";
import { payments } from "../holiday/services/payments.js";
import { trips } from "../holiday/services/trips.js";

export const handler = restate.endpoint().bind(trips).bind(flights).bind(cars).bind(payments).handler();
