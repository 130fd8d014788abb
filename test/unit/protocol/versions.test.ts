import { describe, expect, it } from "vitest";
import {
  MAX_PROTOCOL_VERSION,
  MIN_PROTOCOL_VERSION,
  invocationContentType,
  isSupportedProtocolVersion,
  manifestContentType,
  parseInvocationContentType,
  pickManifestVersion,
} from "../../../src/protocol/versions.js";

describe("service protocol versions", () => {
  it("advertises 5..7", () => {
    expect([MIN_PROTOCOL_VERSION, MAX_PROTOCOL_VERSION]).toEqual([5, 7]);
    expect([4, 5, 6, 7, 8, 6.5].map(isSupportedProtocolVersion)).toEqual([false, true, true, true, false, false]);
  });

  it("formats invocation content types", () => {
    expect(invocationContentType(6)).toBe("application/vnd.restate.invocation.v6");
    expect(invocationContentType(7)).toBe("application/vnd.restate.invocation.v7");
  });

  it.each<[string | null | undefined, number | undefined]>([
    ["application/vnd.restate.invocation.v5", 5],
    ["application/vnd.restate.invocation.v6", 6],
    ["application/vnd.restate.invocation.v7", 7],
    ["  application/vnd.restate.invocation.v6  ", 6],
    ["application/vnd.restate.invocation.v6; charset=binary", 6],
    ["application/vnd.restate.invocation.v6 ;x=y", 6],
    ["Application/VND.Restate.Invocation.V6", 6],
    // Parsed even when not implemented, so the caller can answer 415 naming the version.
    ["application/vnd.restate.invocation.v8", 8],
    ["application/vnd.restate.invocation.v12", 12],
    ["application/vnd.restate.invocation.v1", 1],
    [null, undefined],
    [undefined, undefined],
    ["", undefined],
    ["application/json", undefined],
    ["application/vnd.restate.invocation.v", undefined],
    ["application/vnd.restate.invocation.v06", undefined],
    ["application/vnd.restate.invocation.v6x", undefined],
    ["application/vnd.restate.invocation.v6+proto", undefined],
    ["application/vnd.restate.invocation.v-6", undefined],
    ["application/vnd.restate.invocation.v 6", undefined],
    ["xapplication/vnd.restate.invocation.v6", undefined],
    ["application/vnd.restate.endpointmanifest.v4+json", undefined],
  ])("parseInvocationContentType(%j) = %j", (header, expected) => {
    expect(parseInvocationContentType(header)).toBe(expected);
  });

  it("round-trips every supported version", () => {
    for (let v = MIN_PROTOCOL_VERSION; v <= MAX_PROTOCOL_VERSION; v++) {
      expect(parseInvocationContentType(invocationContentType(v))).toBe(v);
    }
  });
});

describe("manifest versions", () => {
  const SERVER_ACCEPT =
    "application/vnd.restate.endpointmanifest.v1+json, application/vnd.restate.endpointmanifest.v2+json, " +
    "application/vnd.restate.endpointmanifest.v3+json, application/vnd.restate.endpointmanifest.v4+json";

  it("formats manifest content types", () => {
    expect(manifestContentType(4)).toBe("application/vnd.restate.endpointmanifest.v4+json");
    expect(manifestContentType(1)).toBe("application/vnd.restate.endpointmanifest.v1+json");
  });

  it.each<[string | null, number[] | undefined, number | undefined]>([
    [SERVER_ACCEPT, undefined, 4],
    [SERVER_ACCEPT, [1, 2, 3], 3],
    [SERVER_ACCEPT, [2], 2],
    [SERVER_ACCEPT, [5], undefined],
    ["application/vnd.restate.endpointmanifest.v2+json, application/vnd.restate.endpointmanifest.v1+json", undefined, 2],
    ["application/vnd.restate.endpointmanifest.v3+json", undefined, 3],
    ["APPLICATION/VND.RESTATE.ENDPOINTMANIFEST.V3+JSON", undefined, 3],
    [" application/vnd.restate.endpointmanifest.v3+json ; q=0.5 ,", undefined, 3],
    ["application/vnd.restate.endpointmanifest.v9+json", undefined, undefined],
    ["application/vnd.restate.endpointmanifest.v9+json, application/vnd.restate.endpointmanifest.v1+json", undefined, 1],
    ["application/json", undefined, undefined],
    ["text/html", undefined, undefined],
    ["*/*", undefined, 4],
    ["application/*", undefined, 4],
    ["application/*", [1, 2], 2],
    ["*/*;q=0", undefined, undefined],
    ["application/vnd.restate.endpointmanifest.v4+json;q=0, */*", undefined, 3],
    [SERVER_ACCEPT.replace("v4+json", "v4+json;q=0"), undefined, 3],
    [null, undefined, 4],
    ["", undefined, 4],
    ["   ", [1, 2], 2],
    ["application/vnd.restate.endpointmanifest.v+json", undefined, undefined],
    ["application/vnd.restate.endpointmanifest.v4", undefined, undefined],
  ])("pickManifestVersion(%j, %j) = %j", (accept, supported, expected) => {
    expect(supported === undefined ? pickManifestVersion(accept) : pickManifestVersion(accept, supported)).toBe(expected);
  });
});
