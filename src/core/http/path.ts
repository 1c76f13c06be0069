// Request path normalization: the one spelling of a path that the router
// matches on AND the origin receives, so a rule on /admin cannot be walked
// around with another spelling of /admin (/%61dmin, //admin, /admin;x, ...).
// Sources: RFC 3986 section 6.2.2 (case and percent-encoding normalization,
// dot segments by the algorithm of section 5.2.4), and the path options of
// Envoy's edge best practices (merge_slashes, path_with_escaped_slashes_action).
// The input is a pathname the WHATWG URL parser has already seen (as
// `new URL(request.url).pathname` in the Worker and in the CLI), but the
// function does not rely on it: it is correct on any string starting with "/".

export interface PathNormalization {
  /** "%2F" and "%5C" (encoded "/" and "\"): refuse the request (default), or keep them encoded, not a separator. */
  readonly escapedSlashes: "reject" | "keep";
  /** Merge "//" into "/" (default true). */
  readonly mergeSlashes: boolean;
}

export const DEFAULT_PATH_NORMALIZATION: PathNormalization = Object.freeze({ escapedSlashes: "reject", mergeSlashes: true });

export type NormalizedPath =
  | {
      readonly ok: true;
      /** The normalized path: what the origin receives. */
      readonly path: string;
      /** `path` without `;parameters` in its segments: what the rules are matched against. */
      readonly matchPath: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Anything that may need work; a path without any of these is already normal (the common case: no allocation). */
const NEEDS_WORK = /[%;\\]|\/\/|\/\.\.?(?:\/|$)/;
/** Where a segment's parameters start: ";" or its encoding (a server that decodes first sees ";" too). */
const PARAMS = /;|%3B/;
const HEX = /^[0-9A-Fa-f]{2}$/;

export function normalizePath(path: string, options: PathNormalization = DEFAULT_PATH_NORMALIZATION): NormalizedPath {
  if (!path.startsWith("/")) return { ok: false, reason: `the path must start with "/"` };
  if (!NEEDS_WORK.test(path)) return { ok: true, path, matchPath: path };

  const segments = path.slice(1).split("/");
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const last = i === segments.length - 1;
    const segment = decodeSegment(segments[i] as string, options);
    if (typeof segment !== "string") return segment;
    // RFC 3986 5.2.4: "." is dropped, ".." drops the segment before it; a
    // dot segment at the end leaves the trailing slash ("/a/b/.." is "/a/").
    if (segment === "." || segment === "..") {
      if (segment === "..") out.pop();
      if (last) out.push("");
      continue;
    }
    if (segment === "" && !last && options.mergeSlashes) continue;
    out.push(segment);
  }
  const normalized = `/${out.join("/")}`;
  if (!PARAMS.test(normalized)) return { ok: true, path: normalized, matchPath: normalized };
  return withoutParams(normalized, out, options);
}

/**
 * One segment with RFC 3986 percent-encoding normalization: unreserved
 * characters (ALPHA, DIGIT, "-", ".", "_", "~") decoded, every other escape
 * kept with upper-case hex. Encoded "/" and "\" are refused or kept as the
 * options say; NUL and a "%" not followed by two hex digits are always refused.
 */
function decodeSegment(segment: string, options: PathNormalization): string | { ok: false; reason: string } {
  if (!segment.includes("%") && !segment.includes("\\")) return segment;
  let result = "";
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i] as string;
    if (char === "\\") {
      if (options.escapedSlashes === "reject") return refuse(`a "\\" in a path segment is refused (pathNormalization.escapedSlashes is "reject")`);
      result += "%5C";
      continue;
    }
    if (char !== "%") {
      result += char;
      continue;
    }
    const hex = segment.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return refuse(`invalid percent-encoding ${JSON.stringify(segment.slice(i, i + 3))}`);
    i += 2;
    const byte = Number.parseInt(hex, 16);
    if (isUnreserved(byte)) {
      result += String.fromCharCode(byte);
    } else if (byte === 0) {
      return refuse(`an encoded NUL (%00) is refused`);
    } else if ((byte === 0x2f || byte === 0x5c) && options.escapedSlashes === "reject") {
      return refuse(`an encoded ${byte === 0x2f ? '"/" (%2F)' : '"\\" (%5C)'} is refused (pathNormalization.escapedSlashes is "reject")`);
    } else {
      result += `%${hex.toUpperCase()}`;
    }
  }
  return result;
}

/**
 * The path matched against the rules: each segment cut at its first ";" or
 * "%3B", as servlet containers and JAX-RS do before they route, so "/admin;x"
 * is matched as "/admin". A dot segment with parameters ("..;x") is refused:
 * Tomcat and Jetty resolve it as "..", other servers as a name.
 */
function withoutParams(path: string, segments: readonly string[], options: PathNormalization): NormalizedPath {
  const kept: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const name = segmentName(segment);
    if (name === "." || name === "..") return refuse(`a dot segment with parameters (${JSON.stringify(segment)}) is refused`);
    if (name === "" && i < segments.length - 1 && options.mergeSlashes) continue;
    kept.push(name);
  }
  return { ok: true, path, matchPath: `/${kept.join("/")}` };
}

/** How many elements a path without trailing "/" has: "/a/b" has 2, "" none (every "/" starts one). */
export function elementCount(path: string): number {
  let count = 0;
  for (let at = path.indexOf("/"); at !== -1; at = path.indexOf("/", at + 1)) count++;
  return count;
}

/** A normalized path segment without its parameters: what the rules match ("a;x" and "a%3Bx" -> "a"). */
export function segmentName(segment: string): string {
  const cut = segment.search(PARAMS);
  return cut === -1 ? segment : segment.slice(0, cut);
}

/** RFC 3986 section 2.3. */
function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x2e || // .
    byte === 0x5f || // _
    byte === 0x7e // ~
  );
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/**
 * A URL parsed as workerd parses request.url, for the CLI's simulations in
 * Node: workerd's URL parser also percent-encodes "^" in the path (the WHATWG
 * URL standard's current path set), which Node's before 24 leaves as it is.
 */
export function parseAsWorkerd(href: string): URL {
  const url = new URL(href);
  if (url.pathname.includes("^")) url.pathname = url.pathname.replaceAll("^", "%5E");
  return url;
}
