// Cancellation through the admin API reaches the handler as CancelledError and runs the saga's
// compensations; a terminal failure of a step runs the same compensations.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSagaServices } from "./fixtures/saga.js";
import { cancelInvocation, invocationStatus, waitFor } from "./support/admin.js";
import { PROTOCOLS, startEndpointUnderTest, type EndpointUnderTest } from "./support/endpoint-under-test.js";
import { attach, call, callOk, send } from "./support/ingress.js";

describe.each(PROTOCOLS)("cancellation and sagas (protocol V$protocolVersion)", ({ protocolVersion }) => {
  let env: EndpointUnderTest;
  const trip = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    env = await startEndpointUnderTest({ protocolVersion, services: makeSagaServices });
  });
  afterAll(async () => {
    await env?.stop();
  });

  const entries = (tripId: string) => callOk<string[]>(env.ingressUrl, `TripLedger/${tripId}/entries`);

  it("admin cancel → CancelledError in the handler → compensations in reverse order → 409", async () => {
    const tripId = trip("cancel");
    const id = await send(env.ingressUrl, "TripBooking/book", { tripId, declinePayment: false });
    // Wait until both reservations are made and the saga is blocked on the payment.
    await waitFor(async () => (await entries(tripId)).length === 2, 15_000, "both reservations", 50);
    await cancelInvocation(env.adminUrl, id);

    const result = await attach(env.ingressUrl, id);
    expect(result.status).toBe(409);
    expect(await entries(tripId)).toEqual([
      `flight reserved: flight-for-${tripId}`,
      "car reserved",
      "compensating after CancelledError 409",
      "car released",
      "flight released",
    ]);
    const status = await invocationStatus(env.adminUrl, id);
    expect(status?.status).toBe("completed");
    expect(status?.completion_result).toBe("failure");
  });

  it("a terminal failure of a step runs the same compensations and propagates its code", async () => {
    const tripId = trip("declined");
    const res = await call(env.ingressUrl, "TripBooking/book", { tripId, declinePayment: true });
    expect(res.status).toBe(402);
    expect(res.json).toMatchObject({ code: 402, message: "card declined" });
    expect(await entries(tripId)).toEqual([
      `flight reserved: flight-for-${tripId}`,
      "car reserved",
      "compensating after TerminalError 402",
      "car released",
      "flight released",
    ]);
  });
});
