// Structured logs: one JSON object per line, so Workers Logs and `wrangler
// tail` can filter on `event`. Callers pass only what is safe to log: never
// request headers, health-check headers or config values that may hold secrets.
export type LogFields = { readonly event: string } & Record<string, unknown>;

export interface Logger {
  info(fields: LogFields): void;
  error(fields: LogFields): void;
}

export const consoleLogger: Logger = {
  info: (fields) => console.log(JSON.stringify({ level: "info", ...fields })),
  error: (fields) => console.error(JSON.stringify({ level: "error", ...fields })),
};
