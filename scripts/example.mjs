#!/usr/bin/env node
// `npm run example`: the holiday-booking saga end to end on a fresh machine.
//   1. starts `perdure dev examples/holiday/index.ts` (restate-server from npm + the endpoint, registered)
//   2. books a trip, then a trip whose payment is declined (run_type "failPayment")
//   3. prints both results, the compensations that ran and the bookings' final state
//   4. stops everything (Ctrl-C to perdure dev) and exits 0
// Options: --runtime node|bun|deno|workerd (default node), --workdir DIR (where .perdure/ goes; default the
// repository); anything after `--` goes to perdure dev (e.g. `-- --port 9081`).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { connect, HttpCallError } from "perdure/clients";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist/src/cli/main.js");
const entry = path.join(root, "examples/holiday/index.ts");

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const runtime = option("runtime", "node");
const workdir = path.resolve(option("workdir", root));

const tripRequest = (run_type) => ({
  customer: { name: "Ada Lovelace", email: "ada@example.com" },
  flight: { from: "Berlin", to: "Lisbon", date: "2026-07-14", passengers: 2 },
  car: { city: "Lisbon", pickUp: "2026-07-14", days: 5 },
  payment: { card: "4242424242424242", amount: 1290, currency: "EUR" },
  ...(run_type ? { run_type } : {}),
});

function waitFor(condition, what, timeoutMs, devProcess) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      } else if (devProcess.exitCode !== null || Date.now() - started > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`perdure dev did not get ${what}`));
      }
    }, 50);
  });
}

async function query(adminUrl, sql) {
  const res = await fetch(`${adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: sql }),
  });
  if (!res.ok) throw new Error(`admin query failed: ${res.status} ${await res.text()}`);
  return (await res.json()).rows;
}

/** The bookings of one trip, as stored by restate-server (flights, cars, payments objects keyed by the trip id). */
async function bookingsOf(adminUrl, tripId) {
  const rows = await query(adminUrl, `SELECT service_name, value_utf8 FROM state WHERE service_key = '${tripId.replace(/'/g, "''")}'`);
  const byService = Object.fromEntries(rows.map((r) => [r.service_name, JSON.parse(r.value_utf8)]));
  return ["flights", "cars", "payments"].map((s) => `${s} ${byService[s] ? `${byService[s].id} ${byService[s].status}` : "(none)"}`).join(" · ");
}

async function main() {
  if (!fs.existsSync(cli)) {
    console.error("dist/ is missing: run `npm install` (it builds perdure) or `npm run build` first.");
    return 1;
  }
  console.log(`▶ perdure dev ${path.relative(root, entry)} --runtime ${runtime}`);
  const passThrough = process.argv.includes("--") ? process.argv.slice(process.argv.indexOf("--") + 1) : [];
  const dev = spawn(process.execPath, [cli, "dev", entry, "--runtime", runtime, "--no-watch", ...passThrough], {
    cwd: workdir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const onData = (chunk) => {
    const text = chunk.toString();
    output += text;
    // The endpoint's own logs (the services' ctx.console lines and the e-mails) are part of the show.
    for (const line of text.split("\n")) if (/^\[(node|bun|deno)\] /.test(line)) console.log(`  │ ${line.replace(/^\[\w+\] /, "").replace(/^\[[^\]]+\]\[[^\]]+\] /, "")}`);
  };
  dev.stdout.on("data", onData);
  dev.stderr.on("data", onData);
  const exited = new Promise((resolve) => dev.once("exit", (code) => resolve(code)));

  try {
    await waitFor(() => output.includes("perdure dev is ready"), "ready", 60_000, dev);
    const session = JSON.parse(fs.readFileSync(path.join(workdir, ".perdure/dev.json"), "utf8"));
    const { ingressUrl, adminUrl } = session.server;
    console.log(`✔ restate-server ingress ${ingressUrl}, endpoint ${session.endpoint.url}\n`);
    const trips = connect({ url: ingressUrl }).serviceClient({ name: "trips" });

    console.log("1) Booking Berlin → Lisbon with a car and the payment …");
    const confirmed = await trips.reserve(tripRequest());
    console.log(`   ✔ ${confirmed.status}: trip ${confirmed.tripId}`);
    console.log(`     flight ${confirmed.flightBooking}, car ${confirmed.carBooking}, payment ${confirmed.paymentId}`);
    console.log(`     stored: ${await bookingsOf(adminUrl, confirmed.tripId)}\n`);

    console.log('2) Booking the same trip, but the card is declined (run_type "failPayment") …');
    try {
      const unexpected = await trips.reserve(tripRequest("failPayment"));
      throw new Error(`the failing trip was booked: ${JSON.stringify(unexpected)}`);
    } catch (e) {
      if (!(e instanceof HttpCallError)) throw e;
      // The saga's TerminalError carries its trip id and the compensations it ran as metadata.
      const { tripId, compensations = "" } = e.metadata ?? {};
      console.log(`   ✘ failed with HTTP ${e.status}: ${e.message.replace(/\. Compensations: .*$/, "")}`);
      console.log(`     compensations that ran: ${compensations.split(",").join(", ") || "(none)"}`);
      if (tripId) console.log(`     stored: ${await bookingsOf(adminUrl, tripId)}`);
    }
    console.log("\n⏹ stopping perdure dev …");
    dev.kill("SIGINT");
    const code = await exited;
    if (code !== 0) throw new Error(`perdure dev exited with code ${code}`);
    console.log("✔ done: restate-server and the endpoint are stopped.");
    return 0;
  } catch (err) {
    console.error(`\n✘ ${err instanceof Error ? err.message : String(err)}\n--- perdure dev output ---\n${output}`);
    if (dev.exitCode === null) {
      dev.kill("SIGINT");
      await exited;
    }
    return 1;
  }
}

process.exit(await main());
