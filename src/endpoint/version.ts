// perdure's own version, sent as `x-restate-server` (the server shows it as the deployment's sdk_version).
// Keep equal to package.json "version" (a unit test checks it).

export const PERDURE_VERSION = "0.1.0";

/** Value of the `x-restate-server` response header. */
export const X_RESTATE_SERVER = `perdure/${PERDURE_VERSION}`;
