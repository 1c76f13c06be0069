// RequestMirror: copies of a request sent to other pools after the real one
// has gone, never awaited by the client's response (they run under
// ctx.waitUntil) and never changing it: their answers and failures are
// dropped, and they do not count against passive ejection.
import type { FilterRequest } from "../core/filters/filter";
import type { HealthSnapshot, PassiveEjector } from "../core/health";
import { choosePool } from "../core/request/origins";
import type { Runtime } from "../core/runtime";
import { MIRROR_MAX_LAG_BYTES, mirrorCopies } from "./mirror-body";
import { announcedLength } from "./upload";

export interface MirrorDeps {
  readonly health: HealthSnapshot;
  readonly ejector: PassiveEjector;
  readonly fetch?: typeof fetch;
}

/** A mirror gives up after this long: a slow mirror must not hold the invocation open. */
const MIRROR_TIMEOUT_MS = 10_000;

export async function sendMirrors(runtime: Runtime, request: FilterRequest, body: ReadableStream | null, deps: MirrorDeps): Promise<void> {
  const fetchFn = deps.fetch ?? fetch;
  const targets = request.mirrors.flatMap((mirror) => {
    const choice = choosePool(runtime.lanes, mirror.pool, deps.health, deps.ejector);
    return choice.kind === "origins" ? [choice.lane.policy.pick(choice.candidates)] : [];
  });
  if (targets.length === 0) return body?.cancel();
  const copies = body === null ? [] : mirrorCopies(body, targets.length, {
    contentLength: announcedLength(new Headers(request.headers)),
    maxLagBytes: MIRROR_MAX_LAG_BYTES,
    maxBodyBytes: request.maxBodyBytes,
  });
  const sends = targets.map((origin, i) => {
    const copy = copies[i];
    const timeout = AbortSignal.timeout(MIRROR_TIMEOUT_MS);
    return fetchFn(origin.url + request.path + request.search, {
      method: request.method,
      headers: new Headers(request.headers),
      body: copy?.body ?? null,
      redirect: "manual",
      signal: copy ? AbortSignal.any([timeout, copy.cutOff]) : timeout,
    }).then(
      (response) => response.body?.cancel(),
      () => undefined,
    );
  });
  await Promise.all(sends);
}
