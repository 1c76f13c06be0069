// The edge-ingress command: argument parsing (commander) and the one place
// errors are rendered. A CliError is a user mistake or an environment problem:
// one line, no stack trace. Anything else is a bug and says so.
import { Command, CommanderError, Option } from "commander";
import { applyCommand, type ApplyOptions } from "./apply";
import { initCommand, type InitOptions } from "./init";
import { devCommand, type DevOptions } from "./dev";
import { explainCommand, type ExplainOptions } from "./explain";
import { withKvScope } from "./kv-state";
import type { LoadOptions } from "./load";
import { logsCommand, type LogsOptions } from "./logs";
import { CliError, EXIT_USAGE, processIo, type Io } from "./output";
import { PACKAGE_VERSION } from "./package-info";
import { rollbackCommand, type RollbackOptions } from "./rollback";
import { statusCommand, type StatusOptions } from "./status";
import { testCommand, type TestOptions } from "./test-cases";
import { validateCommand } from "./validate";


/** Runs one command line (without "node edge-ingress") and returns the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  // Commander calls actions for their effect; the exit code is kept aside.
  const program = buildProgram(io, (run) => async (...args) => {
    exitCode = await run(...args);
  });
  try {
    await withKvScope(() => program.parseAsync([...argv], { from: "user" }));
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof CliError) {
      io.err(`edge-ingress: ${error.message}`);
      return error.exitCode;
    }
    io.err(`edge-ingress: internal error (please report it): ${(error as Error).stack ?? String(error)}`);
    return 70;
  }
}

type Wrap = <A extends unknown[]>(run: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;

function buildProgram(io: Io, wrap: Wrap): Command {
  const program = new Command("edge-ingress")
    .description("Validate, apply and inspect edge-ingress configs (native documents and Kubernetes Ingress manifests).")
    .version(PACKAGE_VERSION)
    .exitOverride()
    .showHelpAfterError('(run "edge-ingress help" for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) });

  const ingressClass = () => new Option("--ingress-class <name>", "read only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation)");
  const kvOptions = (command: Command, what: string, byDefault = "the remote namespace") =>
    command
      .option("--local", `${what} local storage, as \`wrangler dev\` reads it (default: ${byDefault})`)
      .option("--persist-to <dir>", "local storage directory, as given to `wrangler dev --persist-to` (implies --local)")
      .option("--env <name>", "wrangler environment ([env.NAME] in wrangler.toml)")
      .option("--config <path>", "wrangler config file (default: the nearest wrangler.json, wrangler.jsonc or wrangler.toml)");

  program
    .command("init")
    .description("set up edge-ingress in a repository: wrangler.toml, an example config, .gitignore, a CI workflow")
    .argument("[dir]", "the repository's directory (default: the current one)")
    .option("--force", "replace files that exist (by default they are kept)")
    .action(wrap((dir: string | undefined, opts: InitOptions) => initCommand(dir, opts, io)));

  program
    .command("validate")
    .description("check config files; print every problem as FILE[doc]: path: message, and warnings")
    .argument("<files...>", "YAML/JSON files: native documents and Ingress manifests")
    .addOption(ingressClass())
    .action(wrap((files: string[], opts: LoadOptions) => validateCommand(files, opts, io)));

  kvOptions(
    program
      .command("apply")
      .description("validate, show the diff against KV, then write the config (and its history) through wrangler")
      .argument("<files...>", "YAML/JSON files: native documents and Ingress manifests")
      .addOption(ingressClass())
      .option("--dry-run", "print the keys and values that would be written, as JSON, and write nothing")
      .option("--force", "overwrite a config written by a newer edge-ingress (in a newer stored format)"),
    "write to",
  ).action(wrap((files: string[], opts: ApplyOptions) => applyCommand(files, opts, io)));

  kvOptions(
    program
      .command("rollback")
      .description("make the previous applied version active again")
      .option("--force", "replace a config written by a newer edge-ingress (in a newer stored format)"),
    "roll back in",
  ).action(wrap((opts: RollbackOptions) => rollbackCommand(opts, io)));

  kvOptions(
    program
      .command("explain")
      .description("which rule a request matches and why, which pool, and which origins are candidates")
      .argument("<files...>", "YAML/JSON files: native documents and Ingress manifests")
      .requiredOption("--host <host>", "the request's Host header")
      .requiredOption("--path <path>", "the request path, e.g. /api/v1 or /search?q=1")
      .option("--method <method>", "the request method (HTTPRoute matches may depend on it; Ingress rules do not)")
      .option("--header <header>", 'a request header "Name: value" (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
      .option("--scheme <scheme>", "http or https: the scheme the client uses (default http), which picks the Gateway listener")
      .addOption(ingressClass()),
    "read origin health from",
    "health is not read, every origin is listed as a candidate",
  ).action(wrap((files: string[], opts: ExplainOptions) => explainCommand(files, opts, io)));

  program
    .command("test")
    .description("check a list of {host, path, expect: pool | 404 | 400} cases against the config; exit 1 on any mismatch")
    .argument("<files...>", "YAML/JSON files: native documents and Ingress manifests")
    .requiredOption("--cases <file>", "YAML list of {name?, host, path, expect}")
    .addOption(ingressClass())
    .action(wrap((files: string[], opts: TestOptions) => testCommand(files, opts, io)));

  kvOptions(
    program.command("status").description("the version in KV and each pool's origins, weights, policy and health").option("--json", "print JSON for scripts"),
    "read",
  ).action(wrap((opts: StatusOptions) => statusCommand(opts, io)));

  program
    .command("dev")
    .description("run the router locally on this directory's wrangler.toml: apply FILE... to local KV, then `wrangler dev`")
    .argument("[files...]", "YAML/JSON files to apply to local KV first (default: serve what local KV holds)")
    .addOption(ingressClass())
    .option("--demo-origins", "start two demo origins on 127.0.0.1:9001 and :9002 (the example config's)")
    .option("--port <port>", "the port wrangler dev listens on (default: 8787)")
    .option("--ip <address>", "the address wrangler dev listens on (default: localhost)")
    .option("--inspector-port <port>", "wrangler dev's inspector port")
    .option("--persist-to <dir>", "local storage directory, passed to `wrangler dev --persist-to` as well")
    .option("--env <name>", "wrangler environment ([env.NAME] in wrangler.toml)")
    .option("--config <path>", "wrangler config file (default: the nearest wrangler.json, wrangler.jsonc or wrangler.toml)")
    .action(wrap((files: string[], opts: DevOptions) => devCommand(files, opts, io)));

  program
    .command("logs")
    .description("follow the deployed Worker's router errors live (wrangler tail, filtered); --all for every request")
    .option("--all", "every request line, not only errors")
    .option("--json", "print the log lines as JSON, one per line")
    .option("--env <name>", "wrangler environment ([env.NAME] in wrangler.toml)")
    .option("--config <path>", "wrangler config file (default: ./wrangler.toml)")
    .action(wrap((opts: LogsOptions) => logsCommand(opts, io)));

  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError(`(run "edge-ingress ${command.name()} --help" for usage)`);
  }
  return program;
}

/** Entry point of bin/edge-ingress.mjs. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), processIo());
}
