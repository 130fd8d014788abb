// Reads the endpoint's discovery manifest (what the server will register) and turns it into what `perdure dev`
// prints: the services, the protocol mode, and a curl line ready to paste.

export interface ManifestHandler {
  name: string;
  input?: { contentType?: string; jsonSchema?: Record<string, unknown>; required?: boolean };
}

export interface ManifestService {
  name: string;
  ty: "SERVICE" | "VIRTUAL_OBJECT" | "WORKFLOW";
  handlers: ManifestHandler[];
}

export interface Manifest {
  protocolMode?: "REQUEST_RESPONSE" | "BIDI_STREAM";
  services: ManifestService[];
}

/** GET {url}/discover as restate-server asks for it; undefined when the endpoint refuses (e.g. request identity). */
export async function readManifest(url: string): Promise<Manifest | undefined> {
  try {
    const res = await fetch(`${url}/discover`, {
      headers: { accept: "application/vnd.restate.endpointmanifest.v4+json, application/vnd.restate.endpointmanifest.v3+json" },
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) {
      await res.arrayBuffer();
      return undefined;
    }
    return (await res.json()) as Manifest;
  } catch {
    return undefined;
  }
}

export function describeServices(manifest: Manifest): string[] {
  return manifest.services.map((s) => {
    const kind = s.ty === "VIRTUAL_OBJECT" ? "object" : s.ty === "WORKFLOW" ? "workflow" : "service";
    return `${s.name} (${kind}: ${s.handlers.map((h) => h.name).join(", ")})`;
  });
}

function sampleOf(schema: Record<string, unknown> | undefined): unknown {
  if (!schema) return {};
  if (schema.examples && Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  switch (schema.type) {
    case "string":
      return "Ada";
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const name of (schema.required as string[] | undefined) ?? Object.keys(props)) out[name] = sampleOf(props[name]);
      return out;
    }
    default:
      return {};
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A curl line for the first handler of the first service, e.g. `curl -X POST http://…/Greeter/greet -H … -d '"Ada"'`. */
export function curlLine(ingressUrl: string, manifest: Manifest): string | undefined {
  const service = manifest.services[0];
  const handler = service?.handlers.find((h) => h.name !== "run" || service.ty === "WORKFLOW") ?? service?.handlers[0];
  if (!service || !handler) return undefined;
  const keyed = service.ty !== "SERVICE";
  const path = keyed ? `${service.name}/my-key/${handler.name}` : `${service.name}/${handler.name}`;
  const json = (handler.input?.contentType ?? "application/json").includes("json");
  const body = json ? ` -H 'content-type: application/json' -d ${shellQuote(JSON.stringify(sampleOf(handler.input?.jsonSchema)))}` : "";
  return `curl -X POST ${ingressUrl}/${path}${body}`;
}
