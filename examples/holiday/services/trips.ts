// The saga: reserve a flight, a car and the payment, confirm them all, e-mail the customer. Before each step its
// compensation goes on an undo stack; when a step fails for good (TerminalError), the compensations run in reverse
// order and the trip fails with the reason and what was undone. Restate makes this reliable: the saga resumes where
// it stopped after a crash, and every call and ctx.run is journaled, so nothing is done twice.
import * as restate from "../../../src/index.js";
import type { TripConfirmation, TripRequest } from "../types.js";
import { cars, flights } from "./bookings.js";
import { sendEmail } from "./notifications.js";
import { payments } from "./payments.js";

/** Bad input will not get better with retries: answer 400 at once. */
function checkRequest(request: TripRequest): void {
  const missing = (["customer", "flight", "car", "payment"] as const).filter((k) => typeof request?.[k] !== "object" || request[k] === null);
  if (missing.length > 0) {
    throw new restate.TerminalError(
      `a trip request needs ${missing.join(", ")}: {"customer":{"name","email"},"flight":{"from","to","date","passengers"},` +
        `"car":{"city","pickUp","days"},"payment":{"card","amount","currency"},"run_type"?:"failPayment"|"failNotification"}`,
      { errorCode: 400 },
    );
  }
}

interface Compensation {
  name: string;
  run: () => Promise<void>;
}

export const trips = restate.service({
  name: "trips",
  handlers: {
    reserve: async (ctx: restate.Context, request: TripRequest): Promise<TripConfirmation> => {
      checkRequest(request);
      // Deterministic: the same id on every retry and replay of this invocation.
      const tripId = ctx.rand.uuidv4();
      const flight = ctx.objectClient(flights, tripId);
      const car = ctx.objectClient(cars, tripId);
      const payment = ctx.objectClient(payments, tripId);
      const undo: Compensation[] = [];

      try {
        undo.push({ name: "cancel flight", run: () => flight.cancel() });
        const flightBooking = await flight.reserve(request.flight);

        undo.push({ name: "cancel car rental", run: () => car.cancel() });
        const carBooking = await car.reserve(request.car);

        undo.push({ name: "cancel payment", run: () => payment.cancel() });
        const paymentId = await payment.reserve({ ...request.payment, fail: request.run_type === "failPayment" });

        await flight.confirm();
        await car.confirm();
        await payment.confirm();
        // Once captured, giving the money back is a refund.
        undo[undo.length - 1] = { name: "refund payment", run: () => payment.refund() };

        await ctx.run("send confirmation e-mail", () =>
          sendEmail(
            {
              to: request.customer.email,
              subject: `Your trip ${request.flight.from} → ${request.flight.to} is booked (${tripId.slice(0, 8)})`,
              body: `Flight ${flightBooking}, car ${carBooking}, payment ${paymentId}.`,
            },
            request.run_type === "failNotification",
          ),
        );
        return { tripId, status: "confirmed", flightBooking, carBooking, paymentId };
      } catch (e) {
        if (!(e instanceof restate.TerminalError)) throw e; // transient: Restate retries the saga from its journal
        const undone: string[] = [];
        for (const step of undo.reverse()) {
          await step.run();
          undone.push(step.name);
        }
        ctx.console.warn(`trip ${tripId} failed (${e.message}); compensated: ${undone.join(", ")}`);
        throw new restate.TerminalError(`trip ${tripId} failed: ${e.message}. Compensations: ${undone.join(", ")}`, {
          errorCode: e.code,
          metadata: { tripId, compensations: undone.join(",") },
        });
      }
    },
  },
});
