// The confirmation e-mail. Sending it is a side effect, so trips.reserve calls this inside ctx.run: once journaled,
// it is never sent again on a retry or a replay.
import * as restate from "../../../src/index.js";

export interface Email {
  to: string;
  subject: string;
  body: string;
}

/** Pretends to call an e-mail provider. `fail` (run_type "failNotification") makes it reject the address for good. */
export async function sendEmail(email: Email, fail: boolean): Promise<string> {
  if (fail) throw new restate.TerminalError(`the mail provider rejected ${email.to}`, { errorCode: 422 });
  console.log(`  📧 to ${email.to}: ${email.subject}`);
  return `msg-${email.subject.length}-${email.to.length}`;
}
