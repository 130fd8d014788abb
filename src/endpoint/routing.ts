// Which endpoint route a request path names. Like the server, we only look at the last segments, so the endpoint
// works under any path prefix (…/discover, …/invoke/{service}/{handler}, …/health).

export type Route =
  | { kind: "discover" }
  | { kind: "health" }
  | { kind: "invoke"; service: string; handler: string }
  | { kind: "unknown"; path: string };

export function routeOf(pathname: string): Route {
  const segments = pathname.split("/").filter((s) => s.length > 0);
  const n = segments.length;
  const last = segments[n - 1];
  if (n >= 3 && segments[n - 3] === "invoke") {
    try {
      return { kind: "invoke", service: decodeURIComponent(segments[n - 2]!), handler: decodeURIComponent(last!) };
    } catch {
      return { kind: "unknown", path: pathname };
    }
  }
  if (last === "discover") return { kind: "discover" };
  if (last === "health") return { kind: "health" };
  return { kind: "unknown", path: pathname };
}
