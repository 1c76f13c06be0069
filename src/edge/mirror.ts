// RequestMirror: copies of a request sent to other pools after the real one
// has gone, never awaited by the client's response (they run under
// ctx.waitUntil) and never changing it: their answers and failures are
// dropped, and they do not count against passive ejection.
import type { FilterRequest } from "../core/filters/filter";
import type { HealthSnapshot, PassiveEjector } from "../core/health";
import { choosePool } from "../core/request/origins";
import type { Runtime } from "../core/runtime";
import { watchUpload } from "./upload";

export interface MirrorDeps {
  readonly health: HealthSnapshot;
  readonly ejector: PassiveEjector;
  readonly fetch?: typeof fetch;
}

/** A mirror gives up after this long: a slow mirror must not hold the invocation open. */
const MIRROR_TIMEOUT_MS = 10_000;

export async function sendMirrors(runtime: Runtime, request: FilterRequest, body: ReadableStream | null, deps: MirrorDeps): Promise<void> {
  const fetchFn = deps.fetch ?? fetch;
  let rest = body;
  const sends = request.mirrors.map((mirror, i) => {
    let mine: ReadableStream | null = null;
    if (rest !== null) {
      if (i === request.mirrors.length - 1) mine = rest;
      else [mine, rest] = rest.tee();
    }
    const choice = choosePool(runtime.lanes, mirror.pool, deps.health, deps.ejector);
    if (choice.kind !== "origins") return mine?.cancel();
    const origin = choice.lane.policy.pick(choice.candidates);
    return fetchFn(origin.url + request.path + request.search, {
      method: request.method,
      headers: new Headers(request.headers),
      body: withinLimit(mine, request.maxBodyBytes),
      redirect: "manual",
      signal: AbortSignal.timeout(MIRROR_TIMEOUT_MS),
    }).then(
      (response) => response.body?.cancel(),
      () => undefined,
    );
  });
  await Promise.all(sends);
}

/**
 * The mirror's copy of the body, cut off past the rule's RequestBodyLimit as
 * the request's own is: the client gets 413 and the mirror pool a broken-off
 * upload, never more bytes than the rule accepts.
 */
function withinLimit(body: ReadableStream | null, maxBodyBytes: number | undefined): ReadableStream | null {
  if (body === null || maxBodyBytes === undefined) return body;
  const noop = () => undefined;
  return watchUpload(body, undefined, { idleTimeoutMs: MIRROR_TIMEOUT_MS, maxBytes: maxBodyBytes, onSent: noop, onStall: noop, onClientError: noop }).body;
}
