// The request path shortcut of the fetch core (no URL object for plain paths) agrees with URL parsing wherever it
// answers, and leaves everything else to it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainPathOf } from "../../../src/endpoint/fetch-handler.js";

describe("plainPathOf", () => {
  it.each([
    ["http://127.0.0.1:9080/invoke/Greeter/greet", "/invoke/Greeter/greet"],
    ["https://example.com/p/discover?x=1#y", "/p/discover"],
    ["http://[::1]:8080/health", "/health"],
    ["http://h/a//b/", "/a//b/"],
    ["http://h/a%2Fb", "/a%2Fb"],
  ])("%s → %s", (url, path) => {
    expect(plainPathOf(url)).toBe(path);
    expect(new URL(url).pathname).toBe(path);
  });

  it.each(["http://h/a/../b", "http://h/./a", "http://h/a b", "http://h/ä", "http://u@h/a", "ftp://h/a", "http://h", "/a"])("leaves %s to URL parsing", (url) => {
    expect(plainPathOf(url)).toBeUndefined();
  });

  it("agrees with URL parsing on random URLs", () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9._~%\- äé?#/]{0,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), (segments) => {
        const url = `http://127.0.0.1:9080/${segments.join("/")}`;
        const fast = plainPathOf(url);
        if (fast !== undefined) expect(fast).toBe(new URL(url).pathname);
      }),
      { numRuns: 3000 },
    );
  });
});
