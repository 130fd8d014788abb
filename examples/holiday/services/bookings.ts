// Flights and car rentals: one virtual object per trip (the key is the trip id), with reserve / confirm / cancel.
// Cancel is the compensation of reserve: it must work whatever happened before (even if reserve never ran or
// failed half-way), and running it twice must be harmless.
import * as restate from "../../../src/index.js";
import type { Booking } from "../types.js";

function bookingObject<P extends string>(name: P, prefix: string) {
  return restate.object({
    name,
    handlers: {
      reserve: async (ctx: restate.ObjectContext, details: unknown): Promise<string> => {
        const existing = await ctx.get<Booking>("booking");
        if (existing && existing.status !== "cancelled") return existing.id; // retried reserve: same booking
        // A real system would call the provider's API here, inside ctx.run.
        const id = `${prefix}-${ctx.key.slice(0, 8)}`;
        ctx.set<Booking>("booking", { id, status: "reserved", details });
        ctx.console.info(`${name}: reserved ${id}`);
        return id;
      },
      confirm: async (ctx: restate.ObjectContext): Promise<void> => {
        const booking = await ctx.get<Booking>("booking");
        if (!booking || booking.status !== "reserved") throw new restate.TerminalError(`${name}: nothing reserved for trip ${ctx.key}`, { errorCode: 409 });
        ctx.set<Booking>("booking", { ...booking, status: "confirmed" });
        ctx.console.info(`${name}: confirmed ${booking.id}`);
      },
      cancel: async (ctx: restate.ObjectContext): Promise<void> => {
        const booking = await ctx.get<Booking>("booking");
        ctx.set<Booking>("booking", { id: booking?.id ?? `${prefix}-${ctx.key.slice(0, 8)}`, status: "cancelled", details: booking?.details ?? null });
        ctx.console.info(`${name}: cancelled ${booking?.id ?? "(nothing was reserved)"}`);
      },
      get: restate.handlers.object.shared(async (ctx: restate.ObjectSharedContext): Promise<Booking | null> => ctx.get<Booking>("booking")),
    },
  });
}

export const flights = bookingObject("flights", "FL");
export const cars = bookingObject("cars", "CAR");
