// The data that flows through the holiday-booking saga.

/** Failure injection, as in the original demo: make the payment or the confirmation e-mail fail. */
export type RunType = "failPayment" | "failNotification";

export interface TripRequest {
  customer: { name: string; email: string };
  flight: { from: string; to: string; date: string; passengers: number };
  car: { city: string; pickUp: string; days: number };
  payment: { card: string; amount: number; currency: string };
  run_type?: RunType;
}

export interface TripConfirmation {
  tripId: string;
  status: "confirmed";
  flightBooking: string;
  carBooking: string;
  paymentId: string;
}

/** What each booking object keeps for its trip (keyed by trip id). */
export interface Booking {
  id: string;
  status: "reserved" | "confirmed" | "cancelled" | "authorized" | "captured" | "voided" | "refunded";
  details: unknown;
}
