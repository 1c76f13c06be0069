// What routing needs to know of a request besides host and path, read
// lazily: the query string is parsed only if a rule asks for a parameter.
import type { RequestFacts } from "../routing/conditions";

/** The port a client addressed: the URL's, else the scheme's default. */
export function requestPort(url: URL): number {
  return url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
}

/** "http:80", "https:443": the listener address of a request. */
export function listenerAddress(url: URL): string {
  return `${url.protocol.slice(0, -1)}:${requestPort(url)}`;
}

export function requestFacts(method: string, url: URL, headers: Headers): RequestFacts {
  return new Facts(method, url, headers);
}

/** Everything computed on first use: most requests ask for nothing but the listener, and many not even that. */
class Facts implements RequestFacts {
  private query: URLSearchParams | undefined;
  private address: string | undefined;

  constructor(
    readonly method: string,
    private readonly url: URL,
    private readonly headers: Headers,
  ) {}

  get listener(): string {
    return (this.address ??= listenerAddress(this.url));
  }

  header(name: string): string | null {
    return this.headers.get(name);
  }

  queryParam(name: string): string | null {
    return (this.query ??= new URLSearchParams(this.url.search)).get(name);
  }
}
