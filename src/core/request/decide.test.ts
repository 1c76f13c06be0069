// decide() in plain Node: what it reads of the request. The client's country
// and network come from request.cf, which the runtime parses from JSON on
// first access; only an access list by country or network may ask for them.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/parse";
import { compileRuntime } from "../runtime";
import { decide, type IncomingRequest } from "./decide";

const route = (host: string, filters: unknown[]) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } }, filters }] } });

function runtimeOf(rules: unknown[]) {
  const parsed = parseConfig({ pools: { web: { origins: [{ url: "https://web.example.net" }] } }, rules });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return compileRuntime("v1", parsed.config, { random: () => 0 });
}

/** A request whose country and network count how often they are read. */
function request(host: string, cf: { country?: string; asn?: number }) {
  const reads = { count: 0 };
  const incoming: IncomingRequest = {
    method: "GET",
    url: new URL(`https://${host}/x`),
    headers: new Headers(),
    clientIp: "192.0.2.1",
    requestId: "r",
    get country() {
      reads.count++;
      return cf.country;
    },
    get asn() {
      reads.count++;
      return cf.asn;
    },
  };
  return { incoming, reads };
}

describe("the client's country and network", () => {
  const runtime = runtimeOf([
    route("plain.test", []),
    route("geo.test", [{ type: "AccessControl", accessControl: { denyCountries: ["RU"], allowAsns: [64500] } }]),
    route("address.test", [{ type: "AccessControl", accessControl: { allowSourceRanges: ["192.0.2.0/24"] } }]),
  ]);

  it("are not read for a request no access list judges", () => {
    const { incoming, reads } = request("plain.test", { country: "DE", asn: 64500 });
    expect(decide(runtime, incoming, () => 0)).toMatchObject({ kind: "forward", pool: "web" });
    expect(reads.count).toBe(0);
  });

  it("are not read for a request only an address list judges", () => {
    const { incoming, reads } = request("address.test", { country: "DE", asn: 64500 });
    expect(decide(runtime, incoming, () => 0)).toMatchObject({ kind: "forward", pool: "web" });
    expect(reads.count).toBe(0);
  });

  it("are read, and judged, when an access list asks", () => {
    const allowed = request("geo.test", { country: "DE", asn: 64500 });
    expect(decide(runtime, allowed.incoming, () => 0)).toMatchObject({ kind: "forward", pool: "web" });
    expect(allowed.reads.count).toBeGreaterThan(0);
    const denied = request("geo.test", { country: "RU", asn: 64500 });
    expect(decide(runtime, denied.incoming, () => 0)).toMatchObject({ kind: "answer", answer: { status: 403 } });
  });
});
