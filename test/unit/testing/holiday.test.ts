// The holiday-booking saga (examples/holiday) unit-tested offline with perdure/testing's journal harness: every
// call answered from a script, no server. Shows the happy path, the compensations for each injected failure, and a
// cancellation in the middle of the saga.
import { describe, expect, it } from "vitest";
import { trips } from "../../../examples/holiday/index.js";
import type { TripRequest } from "../../../examples/holiday/types.js";
import { runHandler, type JournalEntry } from "../../../src/testing/index.js";

const request = (run_type?: TripRequest["run_type"]): TripRequest => ({
  customer: { name: "Ada", email: "ada@example.com" },
  flight: { from: "Berlin", to: "Lisbon", date: "2026-07-14", passengers: 2 },
  car: { city: "Lisbon", pickUp: "2026-07-14", days: 5 },
  payment: { card: "4242424242424242", amount: 1290, currency: "EUR" },
  ...(run_type ? { run_type } : {}),
});

const reserved: JournalEntry[] = [
  { call: "flights/reserve", value: "FL-1" },
  { call: "cars/reserve", value: "CAR-1" },
];
const confirmed: JournalEntry[] = [
  { call: "payments/reserve", value: "PAY-1" },
  { call: "flights/confirm" },
  { call: "cars/confirm" },
  { call: "payments/confirm" },
];

/** `call flights/<trip id>/cancel` → `flights/cancel`: the trip id is random (from ctx.rand). */
const calls = (summaries: string[]) =>
  summaries.filter((s) => s.startsWith("call ")).map((s) => s.replace(/^call (\w+)\/[0-9a-f-]{36}\/(\w+).*$/, "$1/$2"));

describe("trips.reserve (offline)", () => {
  it("books flight, car and payment, confirms them and e-mails the customer", async () => {
    const run = await runHandler(trips, "reserve", {
      input: request(),
      journal: [...reserved, ...confirmed, { run: "send confirmation e-mail", value: "msg-1" }],
    });
    expect(run.status).toBe("completed");
    expect(run.output).toMatchObject({ status: "confirmed", flightBooking: "FL-1", carBooking: "CAR-1", paymentId: "PAY-1" });
    const summaries = run.commands.map((c) => c.summary);
    expect(calls(summaries)).toEqual(["flights/reserve", "cars/reserve", "payments/reserve", "flights/confirm", "cars/confirm", "payments/confirm"]);
    expect(summaries).toContain('run "send confirmation e-mail"');
    expect(run.unusedJournal).toEqual([]);
  });

  it("uses the same trip id for the same seed (ctx.rand), a different one otherwise", async () => {
    const journal = [...reserved, ...confirmed, { run: true as const, value: "m" }];
    const a = await runHandler<{ tripId: string }>(trips, "reserve", { input: request(), journal, randomSeed: 7n });
    const b = await runHandler<{ tripId: string }>(trips, "reserve", { input: request(), journal, randomSeed: 7n });
    const c = await runHandler<{ tripId: string }>(trips, "reserve", { input: request(), journal, randomSeed: 8n });
    expect(a.output!.tripId).toBe(b.output!.tripId);
    expect(c.output!.tripId).not.toBe(a.output!.tripId);
    expect(a.commands[0]!.message.key).toBe(a.output!.tripId); // the bookings are keyed by the trip id
  });

  it("failPayment: cancels payment, car and flight in reverse order and fails with the card's reason", async () => {
    const run = await runHandler(trips, "reserve", {
      input: request("failPayment"),
      journal: [
        ...reserved,
        { call: "payments/reserve", failure: { code: 402, message: "card ending 4242 was declined" } },
        // the compensations are calls too: their (empty) results are scripted, in the order they must happen
        { call: "payments/cancel" },
        { call: "cars/cancel" },
        { call: "flights/cancel" },
      ],
    });
    expect(run.status).toBe("failed");
    expect(run.failure!.code).toBe(402);
    expect(run.failure!.message).toMatch(/failed: card ending 4242 was declined\. Compensations: cancel payment, cancel car rental, cancel flight$/);
    expect(run.failure!.metadata.compensations).toBe("cancel payment,cancel car rental,cancel flight");
    expect(calls(run.commands.map((c) => c.summary))).toEqual([
      "flights/reserve",
      "cars/reserve",
      "payments/reserve",
      "payments/cancel",
      "cars/cancel",
      "flights/cancel",
    ]);
  });

  it("failNotification: the e-mail fails for good after the payment was captured, so the payment is refunded", async () => {
    // No scripted result for the e-mail: its ctx.run closure really runs, and fails with a TerminalError.
    const run = await runHandler(trips, "reserve", {
      input: request("failNotification"),
      journal: [...reserved, ...confirmed, { call: "payments/refund" }, { call: "cars/cancel" }, { call: "flights/cancel" }],
    });
    expect(run).toMatchObject({ status: "failed", failure: { code: 422 } });
    expect(run.failure!.message).toContain("Compensations: refund payment, cancel car rental, cancel flight");
    expect(calls(run.commands.map((c) => c.summary)).slice(-3)).toEqual(["payments/refund", "cars/cancel", "flights/cancel"]);
  });

  it("a cancellation while the car is being reserved compensates what was started", async () => {
    const run = await runHandler(trips, "reserve", {
      input: request(),
      journal: [{ call: "flights/reserve", value: "FL-1" }, { cancel: true }, { call: "cars/cancel" }, { call: "flights/cancel" }],
    });
    expect(run).toMatchObject({ status: "failed", failure: { code: 409 } });
    expect(calls(run.commands.map((c) => c.summary))).toEqual(["flights/reserve", "cars/reserve", "cars/cancel", "flights/cancel"]);
  });

  it("answers 400 to a request that is not a trip (no retries, nothing reserved)", async () => {
    const run = await runHandler(trips, "reserve", { input: {} });
    expect(run).toMatchObject({ status: "failed", failure: { code: 400 } });
    expect(run.failure!.message).toMatch(/^a trip request needs customer, flight, car, payment/);
    expect(run.commands.map((c) => c.type)).toEqual(["OutputCommand"]);
  });

  it("compensating in the wrong order is a journal mismatch", async () => {
    const run = await runHandler(trips, "reserve", {
      input: request("failPayment"),
      journal: [...reserved, { call: "payments/reserve", failure: "declined" }, { call: "flights/cancel" }, { call: "cars/cancel" }, { call: "payments/cancel" }],
    });
    expect(run.status).toBe("mismatch");
    expect(run.error!.message).toMatch(/Journal mismatch at command index \d+/);
  });
});
