// Exact command lines for the official `restate` CLI (npm package @restatedev/restate, a pinned devDependency of
// perdure and an optional peer of projects using it), pointed at the dev server. The CLI reads the admin and ingress
// URLs from RESTATE_ADMIN_URL / RESTATE_INGRESS_URL (the `local` environment's defaults are 9070 / 8080, so the
// variables are only printed when the dev server uses other ports).

export interface RestateCliTarget {
  adminUrl: string;
  ingressUrl: string;
}

/** The variables a command needs: the admin URL for everything, the ingress URL only for commands that invoke. */
function envPrefix(t: RestateCliTarget, ingress: boolean): string {
  const env: string[] = [];
  if (t.adminUrl !== "http://127.0.0.1:9070" && t.adminUrl !== "http://localhost:9070") env.push(`RESTATE_ADMIN_URL=${t.adminUrl}`);
  if (ingress && t.ingressUrl !== "http://127.0.0.1:8080" && t.ingressUrl !== "http://localhost:8080") env.push(`RESTATE_INGRESS_URL=${t.ingressUrl}`);
  return env.length ? `${env.join(" ")} ` : "";
}

/** `RESTATE_ADMIN_URL=… npx @restatedev/restate invocations cancel inv_…` (npx runs the installed copy if present). */
export function restateCommand(t: RestateCliTarget, args: string, ingress = false): string {
  return `${envPrefix(t, ingress)}npx @restatedev/restate ${args}`;
}

/** The block printed when `perdure dev` is ready. */
export function restateCliHelp(t: RestateCliTarget): string[] {
  return [
    `Inspect and control invocations with the restate CLI:`,
    `  ${restateCommand(t, "invocations list")}`,
    `  ${restateCommand(t, "invocations describe <id>")}      (status and journal)`,
    `  ${restateCommand(t, "invocations cancel <id>")}        (graceful: compensations run)`,
    `  ${restateCommand(t, "invocations kill <id>")}          (at once, no compensation)`,
    `  ${restateCommand(t, "invocations resume <id>")}        (a paused one, after a fix)`,
    `  ${restateCommand(t, "invocations purge <id>")}         (forget a completed one)`,
  ];
}
