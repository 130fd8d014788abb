// The pure parts of the Lambda emulator (perdure/testing): the FunctionName forms of the Invoke API, and the zip
// reader's checks (CRC, unsupported methods, paths leaving the folder), against archives from the example's writer.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveFunctionName } from "../../../src/testing/lambda/function-name.js";
import { extractZip, readZip, ZipError } from "../../../src/testing/lambda/zip.js";
import { writeZip } from "../../../examples/lambda/zip-writer.mjs";

describe("resolveFunctionName", () => {
  it("accepts names, qualified names, partial and full ARNs", () => {
    expect(resolveFunctionName("holiday", undefined)).toMatchObject({ name: "holiday", qualifier: undefined });
    expect(resolveFunctionName("holiday:3", undefined)).toMatchObject({ name: "holiday", qualifier: "3" });
    expect(resolveFunctionName("123456789012:function:holiday", undefined)).toMatchObject({ name: "holiday", accountId: "123456789012" });
    expect(resolveFunctionName("arn:aws:lambda:eu-central-1:123456789012:function:holiday:$LATEST", undefined)).toMatchObject({
      name: "holiday",
      qualifier: "$LATEST",
      region: "eu-central-1",
      accountId: "123456789012",
    });
    expect(resolveFunctionName("holiday", "7")).toMatchObject({ qualifier: "7" });
  });

  it("refuses malformed names and conflicting qualifiers with a reason", () => {
    expect(resolveFunctionName("arn:aws:s3:::bucket", undefined)).toMatch(/not a Lambda function ARN/);
    expect(resolveFunctionName("a:b:c", undefined)).toMatch(/not a valid function name/);
    expect(resolveFunctionName("has space", undefined)).toMatch(/1 to 64 letters/);
    expect(resolveFunctionName("holiday:3", "4")).toMatch(/differs from Qualifier=4/);
    expect(resolveFunctionName("holiday:bad/q", undefined)).toMatch(/invalid qualifier/);
  });
});

describe("readZip / extractZip", () => {
  const text = (s: string) => new TextEncoder().encode(s);

  it("round-trips stored and deflated entries and folders", () => {
    const big = "perdure ".repeat(2000);
    const entries = readZip(writeZip([{ name: "lib/", data: new Uint8Array() }, { name: "lib/a.js", data: text(big) }, { name: "b.txt", data: text("x") }]));
    expect(entries.map((e) => [e.name, new TextDecoder().decode(e.data)])).toEqual([["lib/", ""], ["lib/a.js", big], ["b.txt", "x"]]);
  });

  it("detects corruption, refuses non-zips and paths that leave the folder", () => {
    const zip = writeZip([{ name: "index.js", data: text("exports.handler = 1;".repeat(50)) }]);
    const corrupt = Buffer.from(zip);
    corrupt[40] ^= 0xff; // inside the compressed data
    expect(() => readZip(corrupt)).toThrow(ZipError);
    expect(() => readZip(text("not a zip at all, just text"))).toThrow(/not a zip file/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-zip-"));
    try {
      fs.writeFileSync(path.join(dir, "evil.zip"), writeZip([{ name: "../outside.js", data: text("x") }]));
      expect(() => extractZip(path.join(dir, "evil.zip"), path.join(dir, "out"))).toThrow(/leaves the archive's folder/);
      expect(fs.existsSync(path.join(dir, "outside.js"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
