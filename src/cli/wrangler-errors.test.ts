import { describe, expect, it } from "vitest";
import { explainWranglerFailure } from "./wrangler-errors";

// Texts as wrangler 4.86 prints them (ANSI colours stripped).
const cases: [string, string][] = [
  [
    "✘ [ERROR] In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work.",
    'wrangler is not logged in; run "npx wrangler login" or set CLOUDFLARE_API_TOKEN (or use --local)',
  ],
  [
    "✘ [ERROR] Unable to resolve Cloudflare's API hostname (api.cloudflare.com or dash.cloudflare.com).\n\n  This is typically caused by:\n    - No internet connection",
    "cannot reach Cloudflare's API (no network?); check your connection, or use --local for local development",
  ],
  [
    '✘ [ERROR] A namespace with binding name "INGRESS_KV" was not found in the configured "kv_namespaces".',
    'wrangler.toml has no KV namespace bound as INGRESS_KV; add [[kv_namespaces]] with binding = "INGRESS_KV" (see README)',
  ],
  [
    "✘ [ERROR] No KV Namespaces configured! Either use --namespace-id to upload directly or add a KV namespace to your wrangler config file.",
    "no wrangler.toml with a KV namespace here or in a parent folder; run from your Worker's folder or pass --config PATH",
  ],
  [
    "✘ [ERROR] A request to the Cloudflare API (/accounts/abc/storage/kv/namespaces/123/bulk) failed.\n\n  namespace not found [code: 10013]",
    'the KV namespace in wrangler.toml does not exist in your account; create one with "npx wrangler kv namespace create INGRESS_KV" and put its id in wrangler.toml',
  ],
  [
    "✘ [ERROR] A request to the Cloudflare API (/accounts/abc/storage/kv/namespaces) failed.\n\n  Authentication error [code: 10000]",
    'Cloudflare refused the credentials; check CLOUDFLARE_API_TOKEN (it needs the Workers KV Storage: Edit permission) or run "npx wrangler login" again',
  ],
  ["✘ [ERROR] Could not read file: nope.toml\n\n  ENOENT: no such file", "cannot read the wrangler config nope.toml; pass --config PATH to your wrangler.toml"],
  ["✘ [ERROR] Something new [code: 4242]\n  more", "wrangler failed: Something new [code: 4242]"],
  ["✘ [ERROR] Something else\n  detail [code: 7]", "wrangler failed: Something else (detail [code: 7])"],
];

describe("explainWranglerFailure", () => {
  it.each(cases)("explains %j", (output, expected) => {
    expect(explainWranglerFailure(output, false)).toBe(expected);
  });

  it("stops on an unknown --env even when wrangler succeeded, and is silent otherwise", () => {
    const warning = '▲ [WARNING] Processing wrangler.toml configuration:\n    - No environment found in configuration with name "staging".';
    expect(explainWranglerFailure(warning, true)).toBe("wrangler.toml has no [env.staging] section; check --env (nothing was written)");
    expect(explainWranglerFailure("▲ [WARNING] something harmless", true)).toBeUndefined();
    expect(explainWranglerFailure("no error marker at all", false)).toBeUndefined();
  });
});
