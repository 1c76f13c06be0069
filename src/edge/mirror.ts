// RequestMirror: copies of a request sent to other pools beside the real one,
// never awaited by the client's response (they run under ctx.waitUntil) and
// never changing it: their answers and failures are dropped, and they do not
// count against passive ejection. Their bodies follow the request's own
// upload (mirror-body.ts).
import type { FilterRequest } from "../core/filters/filter";
import type { HealthSnapshot, PassiveEjector } from "../core/health";
import { choosePool } from "../core/request/origins";
import type { Runtime } from "../core/runtime";
import { MIRROR_MAX_LAG_BYTES, splitForMirrors } from "./mirror-body";
import { announcedLength } from "./upload";

export interface MirrorDeps {
  readonly health: HealthSnapshot;
  readonly ejector: PassiveEjector;
  readonly fetch?: typeof fetch;
}

/** A mirror gives up after this long: a slow mirror must not hold the invocation open. */
const MIRROR_TIMEOUT_MS = 10_000;

export interface StartedMirrors {
  /** What the request itself sends: the body, or what it reads from it (mirror-body.ts). */
  readonly body: ReadableStream | null;
  /** The mirrors' requests, for waitUntil. */
  readonly sent: Promise<void>;
}

export function startMirrors(runtime: Runtime, request: FilterRequest, body: ReadableStream | null, deps: MirrorDeps): StartedMirrors {
  const fetchFn = deps.fetch ?? fetch;
  const targets = request.mirrors.flatMap((mirror) => {
    const choice = choosePool(runtime.lanes, mirror.pool, deps.health, deps.ejector);
    return choice.kind === "origins" ? [choice.lane.policy.pick(choice.candidates)] : [];
  });
  if (targets.length === 0) return { body, sent: Promise.resolve() };
  const split =
    body === null
      ? undefined
      : splitForMirrors(body, targets.length, {
          contentLength: announcedLength(new Headers(request.headers)),
          maxLagBytes: MIRROR_MAX_LAG_BYTES,
          maxBodyBytes: request.maxBodyBytes,
        });
  const sends = targets.map((origin, i) => {
    const copy = split?.copies[i];
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
  return { body: split?.main ?? body, sent: Promise.all(sends).then(() => undefined) };
}
