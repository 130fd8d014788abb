// Shared material for the identity tests: the throwaway test key pair from the protocol vectors, token minting with
// jose, and an endpoint whose handlers record every call (so a test can prove no user code ran).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT, importPKCS8, type JWTPayload } from "jose";
import * as restate from "../../../src/index.js";
import { VECTORS_DIR } from "../../support/vectors-dir.js";

export interface TestKeyFile {
  private_key_pem: string;
  public_key_raw_hex: string;
  public_key_identity_string: string;
  token_cases_forged_with_this_key: Array<{
    name: string;
    path: string;
    token: string;
    claims: Record<string, unknown>;
    observed_status: number;
    observed_reason: string;
  }>;
}

export const testKey = JSON.parse(readFileSync(join(VECTORS_DIR, "identity-test-key.json"), "utf8")) as TestKeyFile;
export const TEST_KEY_ID = testKey.public_key_identity_string;

export interface Capture {
  request: { method: string; path: string; headers_in_wire_order: [string, string][]; body_hex_file?: string };
}

export function loadCapture(name: string): Capture {
  return JSON.parse(readFileSync(join(VECTORS_DIR, `${name}.json`), "utf8")) as Capture;
}

export function captureBody(capture: Capture): Uint8Array<ArrayBuffer> | undefined {
  const file = capture.request.body_hex_file;
  if (!file) return undefined;
  const hex = readFileSync(join(VECTORS_DIR, file), "utf8").trim();
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function testPrivateKey(): Promise<CryptoKey> {
  return importPKCS8(testKey.private_key_pem, "EdDSA");
}

export interface MintOptions {
  key?: CryptoKey;
  /** Protected header; default the server's `{typ, alg: EdDSA, kid: <test key>}`. */
  header?: Record<string, unknown>;
}

/** Claims like the server's: nbf = now − 60, exp = now + 60, iat = now. */
export function serverClaims(aud: string | string[], at = nowSeconds()): JWTPayload {
  return { aud, exp: at + 60, iat: at, nbf: at - 60 };
}

/** Signs exactly `claims` (no defaults added) with the test private key unless another is given. */
export async function mint(claims: JWTPayload, opts: MintOptions = {}): Promise<string> {
  const key = opts.key ?? (await testPrivateKey());
  const header = opts.header ?? { typ: "JWT", alg: "EdDSA", kid: TEST_KEY_ID };
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

export const signedHeaders = (token: string): Record<string, string> => ({
  "x-restate-signature-scheme": "v1",
  "x-restate-jwt-v1": token,
});

export const b64url = (text: string | Uint8Array) =>
  Buffer.from(typeof text === "string" ? new TextEncoder().encode(text) : text).toString("base64url");

/** An endpoint with the given identity keys whose handlers record each call. */
export function recordingEndpoint(identityKeys: string[], via: "builder" | "createEndpointHandler" = "builder") {
  const calls: string[] = [];
  const greeter = restate.service({
    name: "Greeter",
    handlers: {
      hello: async (_ctx: restate.Context, name: unknown) => {
        calls.push(`hello:${JSON.stringify(name)}`);
        return `Hello ${String(name)}`;
      },
      other: async () => {
        calls.push("other");
        return "other";
      },
    },
  });
  const fetch =
    via === "builder"
      ? restate.endpoint().bind(greeter).withIdentityV1(...identityKeys).handler().fetch
      : restate.createEndpointHandler({ services: [greeter], identityKeys });
  return { fetch, calls };
}
