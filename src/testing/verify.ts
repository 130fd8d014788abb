// Determinism check before a deploy: the journals of invocations still in flight on a restate-server (read from its
// introspection: `sys_invocation` + the stored protocol messages in `sys_journal.raw`) are replayed offline against
// the new code with the journal harness (harness/verify-journals.ts, portable). Journals can be saved as JSON and
// replayed later (CI without a server).
//
//   const report = await verifyInFlight("http://127.0.0.1:9070", [greeter, checkout]);
//   if (!report.ok) console.log(formatReport(report).join("\n"));

import { query, sqlString } from "../local/admin.js";
import { IN_FLIGHT_STATUSES, verifyJournals, type SavedJournal, type VerifyReport } from "./harness/verify-journals.js";

export { IN_FLIGHT_STATUSES, formatReport, messageTypeOfEntry, parseMismatch, verifyJournals } from "./harness/verify-journals.js";
export type { JournalVerdict, SavedJournal, VerdictStatus, VerifyReport } from "./harness/verify-journals.js";

/** Fetches the journals of the invocations in flight (by default: suspended, backing-off, paused, running). */
export async function fetchInFlightJournals(adminUrl: string, statuses: readonly string[] = IN_FLIGHT_STATUSES): Promise<SavedJournal[]> {
  const invocations = await query(
    adminUrl,
    `SELECT id, target, target_service_name, target_service_key, target_handler_name, status, pinned_service_protocol_version ` +
      `FROM sys_invocation WHERE status IN (${statuses.map(sqlString).join(", ")}) ORDER BY created_at`,
  );
  const out: SavedJournal[] = [];
  for (const row of invocations) {
    const id = String(row.id);
    const rows = await query(adminUrl, `SELECT index, entry_type, name, raw FROM sys_journal WHERE id = ${sqlString(id)} ORDER BY index`);
    const journal: SavedJournal = {
      invocationId: id,
      target: String(row.target ?? ""),
      service: String(row.target_service_name ?? ""),
      handler: String(row.target_handler_name ?? ""),
      status: String(row.status ?? ""),
      protocolVersion: Number(row.pinned_service_protocol_version ?? 6) || 6,
      entries: rows.map((r) => ({ index: Number(r.index), entryType: String(r.entry_type ?? ""), name: String(r.name ?? ""), raw: String(r.raw ?? "") })),
    };
    if (typeof row.target_service_key === "string" && row.target_service_key !== "") journal.key = row.target_service_key;
    out.push(journal);
  }
  return out;
}

/** fetchInFlightJournals + verifyJournals. */
export async function verifyInFlight(adminUrl: string, definitions: ReadonlyArray<{ name: string }>): Promise<VerifyReport & { journals: SavedJournal[] }> {
  const journals = await fetchInFlightJournals(adminUrl);
  return { ...(await verifyJournals(journals, definitions)), journals };
}
