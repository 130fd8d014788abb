// The `x-restate-server` response header: perdure's own version, which the server shows as the deployment's
// sdk_version. (The service protocol versions perdure speaks are in src/protocol/versions.ts.)
// Keep PERDURE_VERSION equal to package.json "version" (a unit test checks it).

export const PERDURE_VERSION = "0.1.0";

/** Value of the `x-restate-server` response header. */
export const X_RESTATE_SERVER = `perdure/${PERDURE_VERSION}`;
