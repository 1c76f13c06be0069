// `edge-ingress test FILE... --cases CASES.yaml`: checks expected routing for
// users' CI, as Envoy's route table check tool does. A cases file is a YAML
// list of {name?, host, path, expect: pool-name | 404 | 400}. Exits 1 on any mismatch.
import * as v from "valibot";
import { describeSource, type MergeResult } from "../core/config/manifests";
import { got, issuesToProblems } from "../core/config/messages";
import { compileRoutes, type RouteMatch } from "../core/routing";
import { requestPath } from "./explain";
import { loadConfigFiles, type LoadOptions } from "./load";
import { CliError, EXIT_INVALID, plural, type Io } from "./output";
import { reportLoaded } from "./validate";
import { readYamlFiles } from "./yaml-files";

export interface TestOptions extends LoadOptions {
  readonly cases: string;
}

const testCase = v.strictObject({
  name: v.optional(v.string((i) => `must be a string, got ${got(i.input)}`)),
  host: v.string((i) => `must be the request's Host header, got ${got(i.input)}`),
  path: v.pipe(
    v.string((i) => `must be a path starting with "/", got ${got(i.input)}`),
    v.startsWith("/", (i) => `must be a path starting with "/", got ${got(i.input)}`),
  ),
  expect: v.union(
    [v.pipe(v.string(), v.minLength(1)), v.literal(404), v.literal(400)],
    (i) => `must be a pool name, 404 or 400, got ${got(i.input)}`,
  ),
});
const casesFile = v.array(testCase, (i) => `must be a list of {host, path, expect} cases, got ${got(i.input)}`);
type TestCase = v.InferOutput<typeof testCase>;

export async function testCommand(files: readonly string[], options: TestOptions, io: Io): Promise<number> {
  const cases = await readCases(options.cases, io);
  const loaded = await loadConfigFiles(files, io, options);
  const config = reportLoaded(loaded, io, "");
  if (!config) return EXIT_INVALID;
  if (!cases) return EXIT_INVALID;

  const routes = compileRoutes(config.routes, config.defaultBackend, config.pathNormalization);
  let failed = 0;
  cases.forEach((c, i) => {
    const routed = routes.route(c.host, requestPath(c.path));
    const match = routed.ok ? routed.match : undefined;
    const actual = routed.ok ? (match?.pool ?? 404) : 400;
    const expected = c.expect === "404" ? 404 : c.expect === "400" ? 400 : c.expect;
    if (actual === expected) return;
    failed++;
    const label = c.name === undefined ? `case ${i + 1}` : `case ${i + 1} (${c.name})`;
    const unknown = typeof expected === "string" && !config.pools.has(expected) ? ` (there is no pool named ${JSON.stringify(expected)})` : "";
    const why = routed.ok ? how(match, loaded.merge) : `(bad request path: ${routed.reason})`;
    io.out(`FAIL ${label}: host ${c.host} path ${c.path}: expected ${show(expected)}${unknown}, got ${show(actual)} ${why}`);
  });
  io.out(`${plural(cases.length, "case")}: ${cases.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : EXIT_INVALID;
}

async function readCases(file: string, io: Io): Promise<TestCase[] | undefined> {
  const yaml = await readYamlFiles([file], io.cwd);
  const problems = [...yaml.syntaxProblems];
  const value = yaml.documents.length === 1 ? yaml.documents[0]?.value : yaml.documents.map((d) => d.value);
  const parsed = v.safeParse(casesFile, value ?? [], { abortEarly: false });
  if (parsed.success && problems.length === 0) {
    if (parsed.output.length === 0) throw new CliError(`${file} holds no test cases`);
    return parsed.output;
  }
  if (!parsed.success) for (const p of issuesToProblems(parsed.issues)) problems.push(`${file}: ${p.path}: ${p.message}`);
  for (const problem of problems) io.err(problem);
  io.err(`edge-ingress: ${plural(problems.length, "problem")} in the cases file`);
  return undefined;
}

function show(result: string | number): string {
  return typeof result === "number" ? String(result) : `pool ${result}`;
}

function how(match: RouteMatch | undefined, merge: MergeResult): string {
  if (!match) return "(no rule matched and no defaultBackend)";
  if (!match.route) return "(from the defaultBackend)";
  return `(rule ${match.route.pathType} ${match.route.path} at ${describeSource(merge, match.route.source)})`;
}
