// wrangler's error output -> one line that says what is wrong and what to do.
// wrangler prints `✘ [ERROR] <message>` and sometimes details on the next
// lines (the Cloudflare API error and its code); both are searched.

interface Known {
  readonly test: RegExp;
  readonly say: (match: RegExpMatchArray) => string;
}

const KNOWN: readonly Known[] = [
  {
    test: /CLOUDFLARE_API_TOKEN environment variable|You are not authenticated|not logged in/i,
    say: () => 'wrangler is not logged in; run "npx wrangler login" or set CLOUDFLARE_API_TOKEN (or use --local)',
  },
  {
    test: /Authentication error \[code: 10000\]|Invalid API Token|\[code: 9109\]|\[code: 6003\]/i,
    say: () => "Cloudflare refused the credentials; check CLOUDFLARE_API_TOKEN (it needs the Workers KV Storage: Edit permission) or run \"npx wrangler login\" again",
  },
  {
    test: /More than one account available|CLOUDFLARE_ACCOUNT_ID/,
    say: () => "your login has several Cloudflare accounts; set CLOUDFLARE_ACCOUNT_ID (or account_id in wrangler.toml)",
  },
  {
    test: /Unable to resolve Cloudflare's API hostname|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|network connectivity/i,
    say: () => "cannot reach Cloudflare's API (no network?); check your connection, or use --local for local development",
  },
  {
    test: /namespace with binding name "([^"]+)" was not found/,
    say: (m) => `wrangler.toml has no KV namespace bound as ${m[1]}; add [[kv_namespaces]] with binding = "${m[1]}" (see README)`,
  },
  {
    test: /No KV Namespaces configured/,
    say: () => 'no wrangler.toml with a KV namespace here or in a parent folder; run from your Worker\'s folder or pass --config PATH',
  },
  {
    test: /namespace not found|\[code: 10013\]|\[code: 10041\]/i,
    say: () => 'the KV namespace in wrangler.toml does not exist in your account; create one with "npx wrangler kv namespace create INGRESS_KV" and put its id in wrangler.toml',
  },
  {
    test: /Could not read file: (\S+)/,
    say: (m) => `cannot read the wrangler config ${m[1]}; pass --config PATH to your wrangler.toml`,
  },
];

/** wrangler only warns about an unknown --env, then uses the top-level namespace. */
const UNKNOWN_ENV = /No environment found in configuration with name "([^"]+)"/;

/**
 * One line for a failed (or suspicious) wrangler run, or undefined when there
 * is nothing to say. `succeeded` runs are only checked for the --env warning.
 */
export function explainWranglerFailure(output: string, succeeded: boolean): string | undefined {
  const env = output.match(UNKNOWN_ENV);
  if (env) return `wrangler.toml has no [env.${env[1]}] section; check --env (nothing was written)`;
  if (succeeded) return undefined;
  for (const known of KNOWN) {
    const match = output.match(known.test);
    if (match) return known.say(match);
  }
  const error = output.match(/\[ERROR\]\s*(.+)/)?.[1]?.trim();
  const detail = output
    .split("\n")
    .map((line) => line.trim())
    .find((line) => /\[code: \d+\]/.test(line) && !line.includes("[ERROR]"));
  if (error) return `wrangler failed: ${error}${detail ? ` (${detail})` : ""}`;
  return undefined;
}
