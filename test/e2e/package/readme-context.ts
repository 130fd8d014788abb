// What the README's snippets take as given (defined in an earlier snippet or by the reader's own app). A block that
// uses one of these names without declaring it gets it imported from here; anything else must be declared in the
// block itself. Keep these shaped as the README describes them.
import * as restate from "perdure";
export { expect } from "vitest";
export { bearerAuth } from "hono/bearer-auth";
export { restate };

export const greeter = restate.service({
  name: "Greeter",
  handlers: { greet: async (_ctx: restate.Context, name: string): Promise<string> => `Hello, ${name}!` },
});

export const counter = restate.object({
  name: "Counter",
  handlers: {
    add: async (ctx: restate.ObjectContext, n: number): Promise<number> => {
      const next = ((await ctx.get<number>("count")) ?? 0) + n;
      ctx.set("count", next);
      return next;
    },
  },
});

export const signup = restate.workflow({
  name: "Signup",
  handlers: {
    run: async (ctx: restate.WorkflowContext, _email: string): Promise<string> => ctx.promise<string>("clicked"),
    click: async (ctx: restate.WorkflowSharedContext, token: string): Promise<void> => ctx.promise<string>("clicked").resolve(token),
  },
});

export const orders = restate.service({ name: "Orders", handlers: { place: async (_ctx: restate.Context, _item: string) => "ok" } });

export const analytics = restate.service({ name: "Analytics", handlers: { ingest: async (_ctx: restate.Context, _reading: unknown) => "ok" } });

export interface TripRequest {
  flight: string;
  car: string;
  amount: number;
}

export const trips = restate.service({
  name: "Trips",
  handlers: {
    reserve: async (ctx: restate.Context, request: TripRequest) => {
      await ctx.genericCall({ service: "flights", method: "reserve", parameter: new TextEncoder().encode(JSON.stringify(request.flight)) });
      return "ok";
    },
  },
});

export const request: TripRequest = { flight: "FL-1", car: "CAR-1", amount: 100 };
/** An awakeable id received from a handler. */
export const id = "sign_1abc";
export const token = "secret";
export declare function sendMail(email: string, key: string): Promise<void>;
export declare function archive(reading: unknown): Promise<string>;
export declare const metrics: { record(target: string, ms: number): void };
export declare const myLogger: Record<"trace" | "debug" | "info" | "warn" | "error", (fields: object, ...rest: unknown[]) => void>;
/** A handler's context and a closure, for snippets that show one call. */
export declare const ctx: restate.Context;
export declare function fn(): Promise<string>;
