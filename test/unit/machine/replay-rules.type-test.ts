// Type-level test (checked by `npm run typecheck`, not run by vitest): a replay rule names its compared fields by
// `keyof` the generated message type, so a misspelled field does not compile. Each @ts-expect-error below fails
// the typecheck if the line after it ever compiles.
import { MessageType } from "../../../src/protocol/message-types.js";
import { replayRule, call } from "../../../src/machine/replay-rules.js";
import type { InvocationMachine } from "../../../src/machine/invocation-machine.js";

replayRule(MessageType.CallCommand, ["idempotencyKey", "limitKey", "scope"]);
// @ts-expect-error idempotencyKey misspelled
replayRule(MessageType.CallCommand, ["idempotencyKye"]);
// @ts-expect-error limitKey misspelled (wrong case)
replayRule(MessageType.OneWayCallCommand, ["limitkey"]);
// @ts-expect-error a signal's name field is `name`, not `signalName`
replayRule(MessageType.SendSignalCommand, ["signalName"]);
// @ts-expect-error invokeTime is a OneWayCallCommand field, not a CallCommand one
replayRule(MessageType.CallCommand, ["invokeTime"]);
// @ts-expect-error a value field must be a field of the message too
replayRule(MessageType.OutputCommand, ["value"], ["parameter"]);

export function commandMessagesAreTyped(m: InvocationMachine): void {
  m.command(call, { serviceName: "S", handlerName: "h" });
  // @ts-expect-error a CallCommand has no wakeUpTime
  m.command(call, { serviceName: "S", wakeUpTime: 1n });
}
