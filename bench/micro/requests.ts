// The per-request work the micro-benchmark times, step for step as
// src/handlers/proxy.ts and src/edge/forward.ts do it up to the fetch:
//   match           table.match(host, path)
//   route+select    match, the pool, availability, the policy's pick
//   full request    URL parsing, all of the above, the upstream headers
//                   (copy, hop-by-hop strip, X-Forwarded-*) and the upstream URL
// Each function runs over a whole batch of sample requests, so the timer is
// read once per batch and its own cost does not swamp sub-microsecond work.
import type { Origin } from "../../src/core/config/types";
import { emptySnapshot, PassiveEjector } from "../../src/core/health";
import { choosePool } from "../../src/core/request/origins";
import { isWebSocketUpgrade, setForwardingHeaders, stripHopByHop } from "../../src/core/http/headers";
import type { Runtime } from "../../src/core/runtime";
import type { SampleRequest } from "../generate";

export interface PreparedSample {
  readonly host: string;
  readonly path: string;
  readonly url: string;
  readonly headers: Headers;
  readonly expectMatch: boolean;
}

/** What a browser behind Cloudflare typically sends, plus the Host of the sample. */
export function prepareSamples(samples: readonly SampleRequest[]): PreparedSample[] {
  return samples.map((s, i) => {
    const url = `https://${s.host.toLowerCase()}${s.pathAndQuery}`;
    const headers = new Headers({
      host: s.host,
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
      accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
      "accept-encoding": "gzip, br",
      "accept-language": "en-US,en;q=0.9",
      cookie: `session=${(i * 2654435761) >>> 0}; theme=dark`,
      "cf-connecting-ip": `198.51.100.${i % 250}`,
      "cf-ray": `8f${i.toString(16)}-AMS`,
      "x-forwarded-proto": "https",
    });
    return { host: s.host, path: new URL(url).pathname, url, headers, expectMatch: s.expectMatch };
  });
}

export interface RequestBench {
  /** Number of samples whose match disagrees with expectMatch (should be 0). */
  readonly mismatches: number;
  readonly matchAll: () => number;
  readonly routeSelectAll: () => number;
  readonly fullRequestAll: () => number;
}

/** Builds the three batch functions; each returns a checksum so the work cannot be optimized away. */
export function requestBench(runtime: Runtime, samples: readonly PreparedSample[]): RequestBench {
  const health = emptySnapshot;
  const ejector = new PassiveEjector(Date.now);

  // The pool's lane, its available origins and its policy's pick, as the proxy finds them (choosePool).
  const select = (poolName: string): Origin => {
    const choice = choosePool(runtime.lanes, poolName, health, ejector);
    if (choice.kind !== "origins") throw new Error(`bench: pool ${poolName} has no origin to pick`);
    return choice.lane.policy.pick(choice.candidates);
  };

  let mismatches = 0;
  for (const s of samples) if ((runtime.table.match(s.host, s.path) !== undefined) !== s.expectMatch) mismatches++;

  return {
    mismatches,
    matchAll() {
      let sum = 0;
      for (const s of samples) sum += runtime.table.match(s.host, s.path) === undefined ? 0 : 1;
      return sum;
    },
    routeSelectAll() {
      let sum = 0;
      for (const s of samples) {
        const match = runtime.table.match(s.host, s.path);
        if (match !== undefined) sum += select(match.pool).weight;
      }
      return sum;
    },
    fullRequestAll() {
      let sum = 0;
      for (const s of samples) {
        const url = new URL(s.url);
        const host = s.headers.get("host") ?? url.host;
        const match = runtime.table.match(host, url.pathname);
        if (match === undefined) continue;
        const origin = select(match.pool);
        const headers = new Headers(s.headers);
        stripHopByHop(headers, isWebSocketUpgrade(headers));
        setForwardingHeaders(headers, {
          clientIp: s.headers.get("cf-connecting-ip") ?? undefined,
          proto: url.protocol.slice(0, -1),
          host,
          requestId: "bench-request-id",
        });
        const target = origin.url + url.pathname + url.search;
        sum += target.length;
      }
      return sum;
    },
  };
}
