// The Lambda emulator of perdure/testing on its own, called through its Invoke API like an AWS SDK does: warm and
// cold environments, versions, Lambda's error shapes, the function timeout and the 6 MB payload limits. The
// functions are small CommonJS and ESM handlers written to a temporary folder (and one shipped as a .zip).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLambdaEmulator, type LambdaEmulator } from "../../../src/testing/index.js";
import { writeZip } from "../../../examples/lambda/zip-writer.mjs";

let emulator: LambdaEmulator;
let tmp: string;

function code(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

async function invoke(fn: string, payload: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(`${emulator.url}/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`, { method: "POST", body: payload, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const echo = `exports.handler = async (event, context) => ({ pid: process.pid, event, fn: context.functionName, version: process.env.AWS_LAMBDA_FUNCTION_VERSION, left: context.getRemainingTimeInMillis() > 0, greeting: process.env.GREETING });`;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "perdure-lambda-emu-"));
  emulator = await startLambdaEmulator({ region: "eu-central-1", accountId: "123456789012" });
});
afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("Lambda emulator", () => {
  it("keeps an environment warm between invocations and starts cold after a new version", async () => {
    const v1 = await emulator.deploy({ name: "echo", code: code("echo1", { "index.js": echo }), environment: { GREETING: "hi" } });
    expect(v1.versionArn).toBe("arn:aws:lambda:eu-central-1:123456789012:function:echo:1");
    const first = await invoke(v1.versionArn, JSON.stringify({ n: 1 }));
    expect(first.status).toBe(200);
    expect(first.headers.get("x-amz-executed-version")).toBe("1");
    const body = first.json();
    expect(body).toMatchObject({ event: { n: 1 }, fn: "echo", version: "1", left: true, greeting: "hi" });
    for (let i = 0; i < 3; i++) expect((await invoke("echo", "{}")).json().pid).toBe(body.pid);
    expect(emulator.stats("echo")).toMatchObject({ invocations: 4, coldStarts: 1, environments: 1 });

    const v2 = await emulator.deploy({ name: "echo", code: code("echo2", { "index.mjs": `export const handler = async () => "v2";` }) });
    expect(v2.version).toBe("2");
    expect((await invoke(v2.versionArn, "{}")).json()).toBe("v2");
    expect((await invoke("echo", "{}")).json()).toBe("v2"); // unqualified = $LATEST
    // The old version still runs its own code, in a new environment (its idle one ended with the change).
    const old = (await invoke(v1.versionArn, "{}")).json();
    expect(old.version).toBe("1");
    expect(old.pid).not.toBe(body.pid);
    expect(emulator.stats("echo").byVersion).toEqual({ "1": { invocations: 5, coldStarts: 2 }, "2": { invocations: 2, coldStarts: 1 } });
  });

  it("runs concurrent invocations in separate environments", async () => {
    await emulator.deploy({ name: "slow", code: code("slow", { "index.js": `exports.handler = async () => { await new Promise(r => setTimeout(r, 300)); return process.pid; };` }) });
    const pids = await Promise.all([1, 2, 3].map(() => invoke("slow", "{}").then((r) => r.json())));
    expect(new Set(pids).size).toBe(3);
    expect(emulator.stats("slow").coldStarts).toBe(3);
  });

  it("reports an unhandled error as Lambda does, and keeps the environment", async () => {
    const src = `class CardDeclined extends Error { name = "CardDeclined" }\nlet n = 0;\nexports.handler = async () => { n++; throw new CardDeclined("declined #" + n); };`;
    await emulator.deploy({ name: "fails", code: code("fails", { "index.js": src }) });
    const res = await invoke("fails", "{}");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amz-function-error")).toBe("Unhandled");
    const err = res.json();
    expect(err).toMatchObject({ errorType: "CardDeclined", errorMessage: "declined #1" });
    expect((err.trace as string[])[0]).toBe("CardDeclined: declined #1");
    expect((await invoke("fails", "{}")).json().errorMessage).toBe("declined #2");
  });

  it("fails an invocation that exceeds the timeout, and the next one starts cold", async () => {
    const src = `exports.handler = async (event) => { if (event.wait) await new Promise(r => setTimeout(r, 10_000)); return process.pid; };`;
    await emulator.deploy({ name: "sleepy", code: code("sleepy", { "index.js": src }), timeoutSeconds: 1 });
    const warm = (await invoke("sleepy", "{}")).json();
    const started = Date.now();
    const res = await invoke("sleepy", JSON.stringify({ wait: true }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(res.json()).toMatchObject({ errorType: "Sandbox.Timedout", errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/) });
    expect((await invoke("sleepy", "{}")).json()).not.toBe(warm);
  });

  it("enforces the 6 MB limits on the request and on the response", async () => {
    await emulator.deploy({ name: "sized", code: code("sized", { "index.js": `exports.handler = async (e) => "x".repeat(e.size);` }) });
    const tooBig = await invoke("sized", JSON.stringify({ size: 1, pad: "y".repeat(6 * 1024 * 1024) }));
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
    expect((await invoke("sized", JSON.stringify({ size: 6 * 1024 * 1024 - 100 }))).status).toBe(200);
    const big = await invoke("sized", JSON.stringify({ size: 6 * 1024 * 1024 }));
    expect(big.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(big.json().errorType).toBe("Function.ResponseSizeTooLarge");
  });

  it("reports init failures, a missing handler, a crash and API errors", async () => {
    await emulator.deploy({ name: "badinit", code: code("badinit", { "index.js": `throw new RangeError("no config");` }) });
    expect((await invoke("badinit", "{}")).json()).toMatchObject({ errorType: "RangeError", errorMessage: "no config" });
    await emulator.deploy({ name: "nohandler", code: code("nohandler", { "index.js": `exports.other = () => 1;` }) });
    expect((await invoke("nohandler", "{}")).json()).toMatchObject({ errorType: "Runtime.HandlerNotFound" });
    await emulator.deploy({ name: "nomodule", code: code("nomodule", { "main.js": `` }) });
    expect((await invoke("nomodule", "{}")).json()).toMatchObject({ errorType: "Runtime.ImportModuleError" });
    const crash = `exports.handler = async (e) => { if (e.crash) Promise.reject(new Error("lost")); await new Promise(r => setTimeout(r, 50)); return process.pid; };`;
    await emulator.deploy({ name: "crashy", code: code("crashy", { "index.js": crash }) });
    const pid = (await invoke("crashy", "{}")).json();
    expect((await invoke("crashy", JSON.stringify({ crash: true }))).json()).toMatchObject({ errorType: "Runtime.UnhandledPromiseRejection", errorMessage: "lost" });
    expect((await invoke("crashy", "{}")).json()).not.toBe(pid);

    const missing = await invoke("arn:aws:lambda:eu-central-1:123456789012:function:nope:1", "{}");
    expect([missing.status, missing.headers.get("x-amzn-errortype")]).toEqual([404, "ResourceNotFoundException"]);
    expect((await invoke("arn:aws:lambda:us-west-2:123456789012:function:echo:1", "{}")).status).toBe(404);
    expect((await invoke("echo:9", "{}")).status).toBe(404);
    const notJson = await invoke("echo", "{oops");
    expect([notJson.status, notJson.headers.get("x-amzn-errortype")]).toEqual([400, "InvalidRequestContentException"]);
    expect((await invoke("echo", "{}", { "x-amz-invocation-type": "DryRun" })).status).toBe(204);
    await expect(emulator.deploy({ name: "reserved", code: code("reserved", { "index.js": echo }), environment: { AWS_REGION: "mars-1" } })).rejects.toThrow(
      /AWS_REGION are reserved by Lambda/,
    );
  });

  it("runs a callback-style handler and a .zip deployment package", async () => {
    const zip = path.join(tmp, "fn.zip");
    fs.writeFileSync(zip, writeZip([{ name: "lib/", data: new Uint8Array() }, { name: "lib/app.js", data: new TextEncoder().encode(`exports.run = (event, context, callback) => { setTimeout(() => callback(null, { got: event.x }), 10); };`) }]));
    await emulator.deploy({ name: "zipped", code: zip, handler: "lib/app.run" });
    expect((await invoke("zipped", JSON.stringify({ x: 42 }))).json()).toEqual({ got: 42 });
  });
});
