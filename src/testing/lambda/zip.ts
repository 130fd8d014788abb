// Reads the deployment packages AWS Lambda takes: a .zip of the function's code. Stored and deflated entries (what
// every zip tool, CDK and esbuild-based bundlers write), checked against their CRC-32. Node-only (node:zlib).
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32, inflateRawSync } from "node:zlib";

export class ZipError extends Error {
  override name = "ZipError";
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export interface ZipEntry {
  /** Path inside the archive, `/`-separated; directories end with `/`. */
  name: string;
  data: Uint8Array;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) return i;
  }
  throw new ZipError("not a zip file (no end-of-central-directory record)");
}

/** Every entry of a zip archive, decompressed and CRC-checked. ZIP64 archives (over 4 GB) are not supported. */
export function readZip(zip: Uint8Array): ZipEntry[] {
  const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEndOfCentralDirectory(buf);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new ZipError(`corrupt central directory at entry ${i}`);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const localOffset = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    if (buf.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) throw new ZipError(`corrupt local header for ${name}`);
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    const raw = buf.subarray(dataStart, dataStart + compressedSize);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) data = inflateRawSync(raw);
    else throw new ZipError(`${name}: compression method ${method} is not supported (only stored and deflate)`);
    if (data.length !== size || crc32(data) !== crc) throw new ZipError(`${name}: CRC or size mismatch (corrupt archive)`);
    entries.push({ name, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  return entries;
}

/** Unpacks a zip file into `dir` (created). Entries that would land outside `dir` are refused. */
export function extractZip(zipFile: string, dir: string): void {
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true });
  for (const entry of readZip(fs.readFileSync(zipFile))) {
    const target = path.resolve(root, entry.name);
    if (target !== root && !target.startsWith(root + path.sep)) throw new ZipError(`${entry.name}: path leaves the archive's folder`);
    if (entry.name.endsWith("/")) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, entry.data);
  }
}
