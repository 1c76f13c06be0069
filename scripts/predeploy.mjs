// `npm run deploy` runs this first ("predeploy" in package.json): it stops a
// deploy whose INGRESS_KV namespace id is still the placeholder of the
// repository's wrangler.toml (all zeros), which wrangler would upload without
// a word. It reads wrangler.toml with wrangler's own reader, so environments
// resolve exactly as `wrangler deploy` resolves them, and contacts nothing.
//
//   node scripts/predeploy.mjs [--config PATH] [--env NAME]
// The environment defaults to CLOUDFLARE_ENV, which wrangler reads too:
//   CLOUDFLARE_ENV=production npm run deploy
// (npm does not pass the arguments after `--` to this script.)
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const BINDING = "INGRESS_KV";
const PLACEHOLDER = /^0+$/;
const NAMESPACE_ID = /^[0-9a-f]{32}$/i;

/** Why the namespace of `env` (undefined: the top level) cannot be deployed, or undefined. */
export function namespaceProblem(config, env) {
  const section = env === undefined ? "[[kv_namespaces]]" : `[[env.${env}.kv_namespaces]]`;
  const create = `npx wrangler kv namespace create edge-ingress${env === undefined ? "" : ` --env ${env}`}`;
  const howTo =
    `Create the namespace (once per environment) and put the id it prints into ${config.configPath ?? "wrangler.toml"}:\n` +
    `  ${create}\n` +
    `  then under ${section} with binding = "${BINDING}", set id = "<that id>"`;
  const namespace = (config.kv_namespaces ?? []).find((ns) => ns.binding === BINDING);
  if (!namespace) {
    const where = env === undefined ? "the top level" : `[env.${env}] (kv_namespaces are not inherited from the top level)`;
    return `no ${BINDING} namespace in ${where}.\n${howTo}`;
  }
  if (namespace.id === undefined || PLACEHOLDER.test(namespace.id)) {
    return `the ${BINDING} namespace id is the placeholder ${JSON.stringify(namespace.id ?? "")}: this deploy would bind no namespace of yours.\n${howTo}`;
  }
  if (!NAMESPACE_ID.test(namespace.id)) {
    return `the ${BINDING} namespace id ${JSON.stringify(namespace.id)} is not a namespace id (32 hexadecimal digits).\n${howTo}`;
  }
  return undefined;
}

async function main() {
  const { values } = parseArgs({ options: { config: { type: "string" }, env: { type: "string" } } });
  const configPath = resolve(values.config ?? "wrangler.toml");
  const env = values.env ?? (process.env.CLOUDFLARE_ENV || undefined);
  if (!existsSync(configPath)) return fail(`no wrangler config at ${configPath}`);
  const { unstable_readConfig } = await import("wrangler");
  let config;
  try {
    config = unstable_readConfig({ config: configPath, env }, { hideWarnings: true });
  } catch (error) {
    return fail(error.message);
  }
  const problem = namespaceProblem(config, env);
  if (problem) {
    const hint = env === undefined ? "\nDeploying an environment? Select it with CLOUDFLARE_ENV=NAME npm run deploy (this check does not see arguments after --)." : "";
    return fail(`${problem}${hint}`);
  }
}

function fail(message) {
  console.error(`edge-ingress: cannot deploy: ${message}`);
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
