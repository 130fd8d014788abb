// The dev console's live view of invocations: polls restate-server's introspection (sys_invocation, and the journal
// of an invocation when a line needs it) and prints one readable line per change — started, suspended (on what),
// retrying (attempt, next retry, message, first frame, a one-time hint), journal mismatch (which command, what to
// do), stuck without progress, paused, completed, failed. Healthy traffic stays quiet unless `verbose`.
import { adviceFor, describeOutput, describeRetryPolicy, describeWaiting, duration, failureMessage, firstFrame, inTime, mismatchOf, describeCommand } from "./describe.js";
import { readInvocations, readJournal, readPauseReason, readRetryPolicy, type InvocationRow } from "./introspection.js";
import { restateCommand, type RestateCliTarget } from "./restate-cli.js";

export type Verbosity = "quiet" | "normal" | "verbose";

export interface MonitorOptions extends RestateCliTarget {
  log: (line: string) => void;
  /** quiet: only problems · normal (default): problems, suspensions, how a troubled invocation ended · verbose: everything. */
  verbosity?: Verbosity;
  /** Stack paths are shown relative to this folder. */
  cwd?: string;
  /** Poll interval (default 500 ms). */
  pollMs?: number;
  /** An invocation running this long without a new journal entry or attempt is reported as stuck (default 15 s). */
  stallMs?: number;
  /** The entry file, for the `perdure verify` command shown with a journal mismatch. */
  verifyEntry?: string;
}

export interface Monitor {
  /** Marks a reload (code change): mismatches of invocations started before it are explained as such. */
  noteReload(): void;
  /** Polls once now (tests, and right before stopping). */
  pollNow(): Promise<void>;
  stop(): void;
}

interface Seen {
  status: string;
  retryCount: number;
  journalSize: number;
  waiting: string;
  /** Something was printed for it (then its completion is printed too, even when not verbose). */
  printed: boolean;
  progressAt: number;
  stallReported: boolean;
  reportedAttempt: number;
  reportedMessage?: string;
  mismatchReported?: string;
}

const symbols = { started: "→", suspended: "⏸", retrying: "↻", mismatch: "✗", paused: "‖", completed: "✓", failed: "✗", stuck: "⧗" };

/** Attempts worth a line: the first three, then when the number doubles (the server backs off exponentially too). */
function worthALine(attempt: number): boolean {
  return attempt <= 3 || (attempt & (attempt - 1)) === 0;
}

export function startMonitor(options: MonitorOptions): Monitor {
  const verbosity = options.verbosity ?? "normal";
  const pollMs = options.pollMs ?? 500;
  const stallMs = options.stallMs ?? 15_000;
  const seen = new Map<string, Seen>();
  const hinted = new Set<string>();
  let since = new Date(Date.now() - 1_000).toISOString();
  let reloadAt: number | undefined;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failing = false;
  let running: Promise<void> | undefined;

  const lastLine = new Map<string, string>();
  const say = (inv: InvocationRow, symbol: string, text: string, more: string[] = []) => {
    const line = `${symbol} ${inv.target} ${inv.id} ${text}`;
    if (lastLine.get(inv.id) === line) return; // the same news twice in a row says nothing new
    lastLine.set(inv.id, line);
    options.log(line);
    for (const line of more) options.log(`    ${line}`);
  };
  const cmd = (args: string) => restateCommand(options, args);

  const retryHint = async (inv: InvocationRow): Promise<string[]> => {
    const key = `${inv.service}/${inv.handler}`;
    if (hinted.has(key)) return [];
    hinted.add(key);
    const policy = await readRetryPolicy(options.adminUrl, inv.service, inv.handler);
    return [
      `hint: an Error thrown by a handler (or a ctx.run closure) is retried by restate-server until it succeeds;`,
      `      the caller waits all along (curl hangs). Throw TerminalError for failures that retrying cannot fix.`,
      ...(policy ? [`      retry policy of ${key}: ${describeRetryPolicy(policy)} (set retryPolicy on the service or handler to change it).`] : []),
      `      stop it now: ${cmd(`invocations kill ${inv.id}`)}`,
      `      (cancel runs its compensations, but takes effect only once an attempt reaches a ctx await: ${cmd(`invocations cancel ${inv.id}`)})`,
    ];
  };

  const explain = async (inv: InvocationRow, prev: Seen | undefined, next: Seen, now: number): Promise<boolean> => {
    let printed = false;
    const statusChanged = prev?.status !== inv.status;
    if (!prev && verbosity === "verbose" && inv.status !== "completed") {
      say(inv, symbols.started, `started (${inv.status})`);
      printed = true;
    }
    if (inv.status === "completed") {
      if (!statusChanged) return printed;
      const took = inv.createdAt && inv.completedAt ? ` in ${duration(Date.parse(inv.completedAt) - Date.parse(inv.createdAt))}` : "";
      if (inv.completionResult === "failure") {
        say(inv, symbols.failed, `failed${took}: ${inv.completionFailure ?? "(no message)"}`);
        return true;
      }
      if (verbosity === "verbose" || (verbosity === "normal" && prev?.printed)) {
        const out = verbosity === "verbose" ? describeOutput(await readJournal(options.adminUrl, inv.id).catch(() => [])) : undefined;
        say(inv, symbols.completed, `completed${took}${out !== undefined ? ` → ${out}` : ""}`);
        return true;
      }
      return printed;
    }
    if (inv.status === "suspended" && verbosity !== "quiet") {
      const waitingKey = `${inv.waitingForCompletions.join(",")}|${inv.waitingForSignals.join(",")}`;
      if (statusChanged || prev?.waiting !== waitingKey) {
        const journal = await readJournal(options.adminUrl, inv.id).catch(() => []);
        say(inv, symbols.suspended, `suspended, waiting on ${describeWaiting(inv, journal)}`);
        printed = true;
      }
    }
    if (inv.status === "paused" && statusChanged) {
      // 1.7.12 clears the retry columns of a paused invocation; the failure is kept with its `Paused` journal event.
      const reason = await readPauseReason(options.adminUrl, inv.id).catch(() => undefined);
      const message = reason?.message ?? (inv.lastFailure ? failureMessage(inv.lastFailure) : undefined);
      const frame = reason?.stack ? firstFrame(reason.stack, options.cwd) : inv.lastFailure ? firstFrame(inv.lastFailure, options.cwd) : undefined;
      const attempts = Math.max(inv.retryCount, prev?.reportedAttempt ?? 0);
      const why = `${message ? `: ${message}` : ""}${frame ? ` (${frame})` : ""}`;
      say(inv, symbols.paused, `paused${attempts ? ` after ${attempts} failed attempt(s)` : " (the retry policy's attempts are used up)"}${why}`, [
        `fix the code, then resume it: ${cmd(`invocations resume ${inv.id}`)}`,
        `or end it: ${cmd(`invocations cancel ${inv.id}`)}   (kill: ${cmd(`invocations kill ${inv.id}`)})`,
      ]);
      return true;
    }
    if ((inv.status === "backing-off" || inv.status === "running") && inv.lastFailure) {
      const failedAttempt = inv.status === "backing-off" ? inv.retryCount : inv.retryCount - 1;
      const mismatch = mismatchOf(inv);
      if (mismatch) {
        const key = `${mismatch.index}:${mismatch.detail}`;
        if (prev?.mismatchReported === key) return printed;
        const startedBefore = reloadAt !== undefined && inv.createdAt !== undefined && Date.parse(inv.createdAt) < reloadAt;
        say(inv, symbols.mismatch, `journal mismatch at command #${mismatch.index ?? "?"}: ${mismatch.detail}`, [
          startedBefore
            ? `it started before your last change: its journal was recorded by the old code, which the new code no longer follows.`
            : `its journal was recorded by code that did something else at this point (changed code, or non-deterministic code).`,
          `keep the old code path until it is done (the same commands in the same order, e.g. restore the old step),`,
          `or end it: ${cmd(`invocations cancel ${inv.id}`)}   (kill, no compensation: ${cmd(`invocations kill ${inv.id}`)})`,
          ...(options.verifyEntry ? [`before a deploy, list every invocation a change would break: npx perdure verify --admin ${options.adminUrl} ${options.verifyEntry}`] : []),
        ]);
        next.mismatchReported = key;
        return true;
      }
      const message = failureMessage(inv.lastFailure);
      if (failedAttempt > (prev?.reportedAttempt ?? 0) && (worthALine(failedAttempt) || message !== prev?.reportedMessage)) {
        const frame = firstFrame(inv.lastFailure, options.cwd);
        const nextRetry = inv.status === "backing-off" ? inTime(inv.nextRetryAt, now) : "now";
        const related = inv.failedCommand?.type ? ` in ${inv.failedCommand.type}${inv.failedCommand.name ? ` ${JSON.stringify(inv.failedCommand.name)}` : ""}` : "";
        const advice = adviceFor(message, inv.failedCommand);
        const more = [...(advice && !prev?.reportedMessage ? [advice] : []), ...(await retryHint(inv))];
        say(inv, symbols.retrying, `attempt ${failedAttempt} failed${related}: ${message}${frame ? ` (${frame})` : ""} · retrying ${nextRetry ?? "later"}`, more);
        next.reportedAttempt = failedAttempt;
        next.reportedMessage = message;
        return true;
      }
    }
    return printed;
  };

  const stallCheck = async (inv: InvocationRow, s: Seen, now: number) => {
    if (inv.status !== "running" || s.stallReported || now - s.progressAt < stallMs) return;
    s.stallReported = true;
    const journal = await readJournal(options.adminUrl, inv.id).catch(() => []);
    const last = [...journal].reverse().find((e) => e.entryType.startsWith("Command:") && e.index > 0);
    say(inv, symbols.stuck, `running for ${duration(now - s.progressAt)} without progress (journal: ${journal.length} entr${journal.length === 1 ? "y" : "ies"}${last ? `, last #${last.index} ${describeCommand(last)}` : ""})`, [
      `a ctx call inside a ctx.run closure (ctx.sleep, ctx.run, a call, state) never completes: the closure waits forever.`,
      `move the ctx call out of the closure. Otherwise a closure is still working (a slow call), or the handler awaits a promise outside ctx that never settles.`,
      `end it: ${cmd(`invocations cancel ${inv.id}`)}   (kill: ${cmd(`invocations kill ${inv.id}`)})`,
    ]);
    s.printed = true;
  };

  const poll = async () => {
    const now = Date.now();
    let rows: InvocationRow[];
    try {
      rows = await readInvocations(options.adminUrl, since);
      if (failing) options.log(`(invocation view: introspection answers again)`);
      failing = false;
    } catch (err) {
      if (!failing && !stopped) options.log(`(invocation view: cannot query ${options.adminUrl}/query: ${err instanceof Error ? err.message : String(err)})`);
      failing = true;
      return;
    }
    let newest = since;
    const unique = new Map(rows.map((r) => [r.id, r]));
    for (const inv of [...unique.values()].sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? ""))) {
      if (stopped) return;
      const prev = seen.get(inv.id);
      const progressed = !prev || prev.retryCount !== inv.retryCount || prev.journalSize !== inv.journalSize || prev.status !== inv.status;
      const s: Seen = {
        status: inv.status,
        retryCount: inv.retryCount,
        journalSize: inv.journalSize,
        waiting: `${inv.waitingForCompletions.join(",")}|${inv.waitingForSignals.join(",")}`,
        printed: prev?.printed ?? false,
        progressAt: progressed ? now : prev!.progressAt,
        stallReported: progressed ? false : (prev?.stallReported ?? false),
        reportedAttempt: prev?.reportedAttempt ?? 0,
      };
      if (prev?.reportedMessage !== undefined) s.reportedMessage = prev.reportedMessage;
      if (prev?.mismatchReported !== undefined) s.mismatchReported = prev.mismatchReported;
      if (await explain(inv, prev, s, now)) s.printed = true;
      seen.set(inv.id, s);
      await stallCheck(inv, s, now);
      if (inv.completedAt && inv.completedAt > newest) newest = inv.completedAt;
    }
    // Completed invocations older than the watermark are no longer queried: forget them.
    if (newest !== since) {
      since = newest;
      for (const [id, s] of seen) if (s.status === "completed" && !rows.some((r) => r.id === id)) seen.delete(id);
    }
  };

  const pollNow = (): Promise<void> => (running ??= poll().finally(() => (running = undefined)));
  const loop = () => {
    if (stopped) return;
    void pollNow().finally(() => {
      if (!stopped) timer = setTimeout(loop, pollMs);
    });
  };
  loop();
  return {
    noteReload: () => {
      reloadAt = Date.now();
    },
    pollNow,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
