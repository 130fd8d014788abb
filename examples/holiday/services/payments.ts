// Payments for a trip (a virtual object keyed by the trip id): reserve authorizes the amount, confirm captures it,
// cancel voids an authorization, refund gives captured money back. `fail: true` makes the card issuer decline.
import * as restate from "../../../src/index.js";
import type { Booking } from "../types.js";

export interface PaymentRequest {
  card: string;
  amount: number;
  currency: string;
  /** Failure injection (run_type "failPayment"). */
  fail?: boolean;
}

export const payments = restate.object({
  name: "payments",
  handlers: {
    reserve: async (ctx: restate.ObjectContext, request: PaymentRequest): Promise<string> => {
      const id = `PAY-${ctx.key.slice(0, 8)}`;
      // The call to the card issuer is a side effect: journaled, so a retry does not authorize twice.
      await ctx.run("authorize card", () => {
        if (request.fail) throw new restate.TerminalError(`card ending ${request.card.slice(-4)} was declined`, { errorCode: 402 });
        return { authorization: `auth-${id}` };
      });
      ctx.set<Booking>("payment", { id, status: "authorized", details: { amount: request.amount, currency: request.currency } });
      ctx.console.info(`payments: authorized ${request.amount} ${request.currency} (${id})`);
      return id;
    },
    confirm: async (ctx: restate.ObjectContext): Promise<void> => {
      const payment = await ctx.get<Booking>("payment");
      if (!payment || payment.status !== "authorized") throw new restate.TerminalError(`payments: nothing authorized for trip ${ctx.key}`, { errorCode: 409 });
      ctx.set<Booking>("payment", { ...payment, status: "captured" });
      ctx.console.info(`payments: captured ${payment.id}`);
    },
    cancel: async (ctx: restate.ObjectContext): Promise<void> => {
      const payment = await ctx.get<Booking>("payment");
      if (payment?.status === "authorized") {
        ctx.set<Booking>("payment", { ...payment, status: "voided" });
        ctx.console.info(`payments: voided ${payment.id}`);
      } else {
        ctx.console.info(`payments: nothing to void for trip ${ctx.key}`);
      }
    },
    refund: async (ctx: restate.ObjectContext): Promise<void> => {
      const payment = await ctx.get<Booking>("payment");
      if (payment?.status === "captured") {
        await ctx.run("refund card", () => `refund-${payment.id}`);
        ctx.set<Booking>("payment", { ...payment, status: "refunded" });
        ctx.console.info(`payments: refunded ${payment.id}`);
      } else if (payment?.status === "authorized") {
        ctx.set<Booking>("payment", { ...payment, status: "voided" });
        ctx.console.info(`payments: voided ${payment.id} (it was not captured yet)`);
      }
    },
    get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<Booking | null> => ctx.get<Booking>("payment")),
  },
});
