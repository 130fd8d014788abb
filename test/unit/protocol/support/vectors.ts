// Loads the captured protocol vectors (test/fixtures/protocol-vectors) and converts decoded messages to
// the shape of their JSON sidecars, so tests can compare them field by field.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CombinatorType, ErrorBehavior } from "../../../../src/protocol/generated/protocol.js";

export { VECTORS_DIR } from "../../../support/vectors-dir.js";
import { VECTORS_DIR } from "../../../support/vectors-dir.js";

export interface SidecarMessage {
  offset: number;
  header_hex: string;
  type: string;
  name: string;
  kind: string;
  flags: string;
  length: number;
  fields?: Record<string, unknown>;
}

export interface CapturedBody {
  /** e.g. "v6-h1-greet-attempt1.req" */
  label: string;
  file: string;
  body: Uint8Array;
  /** undefined when the sidecar has no decoded frame list for this body (discovery JSON bodies). */
  expected: SidecarMessage[] | undefined;
}

export { bytesToHex, hexToBytes } from "../../../../src/testing/harness/journal.js";
import { bytesToHex, hexToBytes } from "../../../../src/testing/harness/journal.js";

/** Every `*.req.hex` / `*.res.hex` with its sidecar's decoded frame list. */
export function loadCapturedBodies(): CapturedBody[] {
  if (!existsSync(VECTORS_DIR)) throw new Error(`protocol vectors not found at ${VECTORS_DIR}`);
  const bodies: CapturedBody[] = [];
  for (const file of readdirSync(VECTORS_DIR).sort()) {
    const m = /^(.*)\.(req|res)\.hex$/.exec(file);
    if (!m) continue;
    const [, name, side] = m as unknown as [string, string, "req" | "res"];
    const sidecar = JSON.parse(readFileSync(join(VECTORS_DIR, `${name}.json`), "utf8")) as {
      decoded?: { request_messages?: SidecarMessage[]; response_messages?: SidecarMessage[] };
    };
    const decoded = sidecar.decoded;
    const expected = side === "req" ? decoded?.request_messages : decoded?.response_messages;
    bodies.push({
      label: `${name}.${side}`,
      file,
      body: hexToBytes(readFileSync(join(VECTORS_DIR, file), "utf8")),
      expected,
    });
  }
  return bodies;
}

const ENUM_FIELDS: Record<string, Record<number, string>> = {
  combinatorType: CombinatorType as unknown as Record<number, string>,
  behavior: ErrorBehavior as unknown as Record<number, string>,
};

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

function isDefaultScalar(v: unknown): boolean {
  return (
    v === undefined ||
    v === 0 ||
    v === "" ||
    v === false ||
    v === 0n ||
    (v instanceof Uint8Array && v.length === 0) ||
    (Array.isArray(v) && v.length === 0)
  );
}

/**
 * Converts a decoded message to the sidecar convention: snake_case keys, proto3 defaults omitted
 * (nested messages are kept even when empty: presence is meaningful), bytes as {hex}, u64 as
 * decimal strings, enums as names.
 */
export function toSidecarFields(message: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (isDefaultScalar(value)) continue;
    out[snake(key)] = toSidecarValue(key, value);
  }
  return out;
}

function toSidecarValue(key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: bytesToHex(value) };
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && key in ENUM_FIELDS) return ENUM_FIELDS[key]![value];
  if (Array.isArray(value)) return value.map((v) => toSidecarValue(key, v));
  if (value !== null && typeof value === "object") return toSidecarFields(value);
  return value;
}

/**
 * Normalizes sidecar fields for comparison: drops the `utf8` rendering of bytes (the hex is
 * authoritative) and maps the V5/V6 Suspension field names (`v6_waiting_*`) to the proto names.
 */
export function normalizeSidecarFields(fields: unknown): unknown {
  if (Array.isArray(fields)) return fields.map(normalizeSidecarFields);
  if (fields === null || typeof fields !== "object") return fields;
  const record = fields as Record<string, unknown>;
  if (typeof record.hex === "string" && Object.keys(record).every((k) => k === "hex" || k === "utf8")) {
    return { hex: record.hex };
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key.startsWith("v6_") ? key.slice(3) : key] = normalizeSidecarFields(value);
  }
  return out;
}
