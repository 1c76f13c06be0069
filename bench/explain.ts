// For every target not met: the measured facts that explain the gap, and the
// CPU profiles of the code paths the targets are about. Only figures from this
// run are quoted; each sentence is printed only when the figures support it.
import type { BenchResults, ProfileResult } from "./bench";
import { median } from "./e2e/run";
import { bytes, fixed as fmt, int, table } from "./markdown";
import type { MicroResult } from "./micro/measure";
import { renderProfile } from "./profile";
import { routerOwnMs, type TargetResult } from "./targets";
import { HOT_PATH_TRIED, runtimeCallsLine } from "./workerd/calls";

/** Share of a profile's samples (percent) in the parts matching `predicate`. */
function partShare(p: ProfileResult, predicate: (name: string) => boolean): number {
  return p.summary.parts.filter((e) => predicate(e.name)).reduce((sum, e) => sum + e.percent, 0);
}

/** How the measured throughput ratio relates to the one workerd's CPU alone would give. */
function cpuVerdict(measured: number, inverseCpu: number): string {
  if (Math.abs(measured - inverseCpu) <= 0.05) return ": the extra CPU per request in workerd accounts for the gap";
  if (measured > inverseCpu) return ", higher: workerd is not busy all the time, as the load generator and the origin compete for the same cores";
  return ", lower: something besides workerd's CPU (waiting, scheduling on the shared cores) adds to the gap";
}

function explainE2e(results: BenchResults, targets: readonly TargetResult[]): string {
  const e2e = results.e2e!;
  const router = e2e.medians.router;
  const pass = e2e.medians.passThrough;
  const lines: string[] = [];
  const routerCpu = router.workerdCpuUs;
  if (routerCpu !== undefined && pass.workerdCpuUs !== undefined) {
    const extra = routerCpu - pass.workerdCpuUs;
    const inverse = pass.workerdCpuUs / routerCpu;
    lines.push(
      `- workerd used ${fmt(routerCpu, 0)} µs of CPU per router request and ${fmt(pass.workerdCpuUs, 0)} µs per pass-through request (medians, measured without a profiler): the router costs ${fmt(extra, 0)} µs (${fmt((100 * extra) / pass.workerdCpuUs, 0)}%) more per request. Were workerd's CPU the only limit, the throughput ratio would be the inverse CPU ratio, ${fmt(inverse, 2)}; it measured ${fmt(e2e.ratios.throughput, 2)}${cpuVerdict(e2e.ratios.throughput, inverse)}.`,
    );
  }
  const unlogged = e2e.medians.routerUnlogged as typeof router | undefined;
  if (unlogged?.workerdCpuUs !== undefined && routerCpu !== undefined && pass.workerdCpuUs !== undefined) {
    const lineUs = routerCpu - unlogged.workerdCpuUs;
    lines.push(
      `- The request log line (one console.log of a JSON string per request): the same bundle in the same workerd with \`REQUEST_LOG_SAMPLE_RATE = "0"\` (no line for a plain success) used ${fmt(unlogged.workerdCpuUs, 0)} µs per request, ${fmt(unlogged.workerdCpuUs - pass.workerdCpuUs, 0)} µs more than the pass-through, and reached ${fmt(unlogged.requestsPerSecond / pass.requestsPerSecond, 2)} x its throughput (p50 ${fmt(unlogged.p50Ms / pass.p50Ms, 2)} x): the line accounts for about ${fmt(lineUs, 0)} µs of the ${fmt(routerCpu - pass.workerdCpuUs, 0)} µs. Local workerd writes every line to its stdout, which this run discards (writing each line to a file costs local workerd about 15 µs per request, a cost of running locally); on Cloudflare the line goes to Workers Logs instead, at a cost this run cannot see. The default stays one line per request (README, "Request logs").`,
    );
  }
  const profile = results.profiles.find((p) => p.runtime === "workerd" && p.mode === "router");
  if (profile && routerCpu !== undefined) {
    const parts: [string, number][] = [
      ["router code (src/)", partShare(profile, (n) => n.startsWith("src"))],
      ["Hono", partShare(profile, (n) => n === "hono")],
      ["native runtime work", partShare(profile, (n) => n === "(native)")],
      ["garbage collection", partShare(profile, (n) => n === "(garbage collector)")],
    ];
    lines.push(
      `- Where a router request's CPU goes in workerd (profile below; shares of its samples, which cover the thread running the Worker, applied to the ${fmt(routerCpu, 0)} µs measured without the profiler, so the µs are estimates): ${parts.map(([what, share]) => `${what} ${fmt(share, 0)}% (about ${fmt((share * routerCpu) / 100, 0)} µs)`).join(", ")}.`,
    );
  }
  const callsLine = runtimeCallsLine(results, routerCpu !== undefined && pass.workerdCpuUs !== undefined ? routerCpu - pass.workerdCpuUs : undefined);
  if (callsLine) lines.push(callsLine);
  lines.push(HOT_PATH_TRIED);
  const micro10k = results.micro.find((m) => m.ruleCount === 10_000) ?? results.micro.at(-1);
  const extraUs = router.workerdCpuUs !== undefined && pass.workerdCpuUs !== undefined ? router.workerdCpuUs - pass.workerdCpuUs : undefined;
  if (micro10k && extraUs !== undefined && micro10k.perRequest.routeSelect.meanNs / 1000 < extraUs / 10) {
    lines.push(
      `- Routing itself is not the gap: route + select costs ${fmt(micro10k.perRequest.routeSelect.meanNs / 1000, 2)} µs per request at ${int(micro10k.ruleCount)} rules in Node, against ${fmt(extraUs, 0)} µs of extra CPU per request in workerd.`,
    );
  }
  lines.push(
    `- ${results.machine.cores} cores are shared by workerd, the origin and the load generator (1-minute load average ${fmt(results.machine.loadAverageAtStart, 2)} at the start of the run, ${fmt(results.machine.loadAverageAtEnd, 2)} at the end, so other work shared them too).`,
  );
  return `${targets.map((t) => `### ${t.target}: ${t.measured}`).join("\n\n")}\n\n${lines.join("\n")}`;
}

const signed = (n: number) => `${n < 0 ? "-" : "+"}${fmt(Math.abs(n), 1)}`;

function explainIsolate(results: BenchResults, targets: readonly TargetResult[]): string {
  const i = results.isolate!;
  const lines: string[] = [];
  const smallest = i.cold[0];
  const smallestOwn = smallest && routerOwnMs(smallest);
  if (smallest && smallestOwn !== undefined) {
    const first = median(smallest.cpuMs);
    lines.push(
      `- The first request of a fresh isolate costs ${fmt(first, 1)} ms with ${int(smallest.ruleCount)} rules, against ${fmt(median(smallest.kvReadCpuMs!), 1)} ms for a bare Worker's first request that reads the same KV keys, logs a line and proxies (${fmt(median(smallest.passThroughCpuMs), 1)} ms without the KV read and the log line: workerd's first console.log in an isolate alone costs 2 to 3 ms) and ${fmt(median(smallest.secondCpuMs), 1)} ms for the router's second request. ` +
        `About ${fmt(smallestOwn, 1)} ms is the router's own and paid whatever the config: V8 compiling and first running the code a request goes through (the config store, the proxy path, the log line, and any regular-expression path of the sample request's host, compiled on its first match: the 10-rule config's sample host has one, the larger configs' do not), before the config's own cost: ` +
        i.cold.slice(1).map((c) => `${int(c.ruleCount)} rules ${signed((routerOwnMs(c) ?? 0) - smallestOwn)} ms of the router's own (a ${bytes(c.valueBytes)} value, whose bare KV read costs ${fmt(median(c.kvReadCpuMs ?? [0]), 1)} ms)`).join(", ") +
        " (differences of a few ms are noise). Per rule, what is left is the digest over the whole value's bytes (Web Crypto SHA-256, native: about 1.2 ms for the 10,000-rule value in workerd, measured alone), and the garbage collection the value's size brings; the prepared form's head is parsed (a fifth of the prepared form at 10,000 rules: each table's sorted keys in one string, with offsets), while each host's routes and each pool are decoded only when a request first needs them. The profiles below (first request, cron run) show where it goes; shares only, as the profiler slows the isolate down.",
    );
  }
  const cron = i.cron;
  lines.push(
    `- A cron run costs ${fmt(median(cron.cpuMs), 1)} ms for ${cron.checkedOrigins} probes; ${cron.checkedOrigins} concurrent GETs from a bare Worker cost ${fmt(median(cron.fetchesOnlyCpuMs), 1)} ms in the same runtime: that part is workerd's HTTP client, which a run with that many probes cannot avoid.`,
  );
  lines.push(
    "- Tried and kept (see README \"Config loading and KV\"): the prepared form with its digest (no validation on the fast path), host groups compiled on first lookup, the health plan key (the cron run reads no routing rules). " +
      "Then, each kept after an A/B of the whole first request (fresh workerd each, medians, on a shared machine; figures from those runs, not this one): the prepared form grouped by host in records JSON.parse builds natively (since replaced by the packed form below), wildcard groups built on first lookup too (no work per host or rule at load: 10,000 rules 45 to 29 ms, 100,000 rules 231 to 214 ms); pools' policies and actions built on first use (100,000 rules 194 to 176 ms); the active value read with a plain get beside the health state's instead of one bulk get, whose JSON the runtime decodes (100,000 rules 191 to 126 ms, 10,000 rules 31 to 27 ms); probes reading a small health body to its end instead of cancelling it (cron run 11.6 to 7.9 ms warm, 17.2 to 14.3 ms in a fresh isolate); " +
      "the active value read as bytes, the digest checked over them and only the prepared form decoded (decoding a 1.7 MB value to text and encoding it again for the digest cost about 2.4 and 1.7 ms in workerd, measured alone), with the host groups, interned strings and pools packed into long strings with offsets found by binary search instead of records of one object per host and arrays of one string each (paired, 10 pairs: 10,000 rules 25.6 to 19.2 ms, 100,000 rules 144 to 85 ms); then the prepared form split into a head and items decoded on first use, each host's routes with their strings inline and each pool stored without what its name gives (10,000 rules 18.7 to 17.4 ms, 10 pairs). " +
      "Tried and not kept: V8's `//# allFunctionsCalledOnLoad` compile hint prepended to the deployed bundle (about 1 ms less at 10 rules, within the noise; wrangler's build has no step that would put it there); skipping the digest (no difference at 10 rules); building the host index in JavaScript at load, one Map entry per host, instead of the binary search (3 ms more at 10,000 rules: a new isolate runs that loop in its interpreter); decoding with TextDecoder('latin1') or Response.text() instead of UTF-8 TextDecoder (slower in workerd).",
  );
  return `${targets.map((t) => `### ${t.target}: ${t.measured}`).join("\n\n")}\n\n${lines.join("\n")}`;
}

function explainObservability(results: BenchResults, target: TargetResult): string {
  const ab = results.e2e?.observability;
  const lines: string[] = [];
  if (ab?.cpu) {
    const without = median(ab.pairs.map((p) => p.without.cpuUsPerRequest["workerd"] ?? Number.NaN));
    lines.push(
      `- With both on, workerd used ${fmt(ab.cpu.ratio, 3)} x the CPU per request (95% interval ${fmt(ab.cpu.low, 3)} to ${fmt(ab.cpu.high, 3)}), about ${fmt((ab.cpu.ratio - 1) * without, 1)} µs of the ${fmt(without, 0)} µs a request costs without them (median over pairs). ` +
        "The line is one JSON.stringify of a dozen small fields and one console.log; local workerd writes it to its stdout, which this run discards (to a file, that write alone costs about 15 µs per request); on Cloudflare the line goes to Workers Logs instead, a cost no local run can see. The data point is a handful of short strings handed to the binding.",
    );
  }
  const control = ab?.control;
  if (control?.cpu && control.pairs.length > 0) {
    const without = median(control.pairs.map((p) => p.without.cpuUsPerRequest["workerd"] ?? Number.NaN));
    const calls = results.runtimeCalls?.find((c) => c.call === "console.log of the request line");
    lines.push(
      `- The control, run beside it in the same workerd processes: the bare pass-through writing one line of the same size per request, against itself without it (bench/workerd/log-line.js), ${control.pairs.length} pairs: throughput ${fmt(control.throughput.ratio, 3)} x (95% interval ${fmt(control.throughput.low, 3)} to ${fmt(control.throughput.high, 3)}), CPU per request ${fmt(control.cpu.ratio, 3)} x (${fmt(control.cpu.low, 3)} to ${fmt(control.cpu.high, 3)}), about ${fmt((control.cpu.ratio - 1) * without, 1)} µs of its ${fmt(without, 0)} µs. ` +
        `That is what one console.log per request costs local workerd whatever Worker writes it${calls ? `, against ${fmt(calls.ns / 1000, 1)} µs per line when one request writes many (section 3, runtime calls): most of it is paid once per request that logs at all` : ""}.` +
        (control.cpu.low > 1 ? " Locally, then, no Worker that writes a line for every request (which the request logs must) leaves the proxy path's CPU per request unchanged by a measurable amount." : ""),
    );
  }
  lines.push(
    "- For a team where that share matters, `REQUEST_LOG_SAMPLE_RATE` keeps every error line and a share of the success lines (README, \"Request logs\"); the data point and the status page still count every request.",
  );
  return `### ${target.target}: ${target.measured}\n\n${lines.join("\n")}`;
}

function explainBundle(results: BenchResults, target: TargetResult): string {
  const b = results.bundle;
  const share = (part: (name: string) => boolean) => (100 * b.deployedParts.filter((x) => part(x.part)).reduce((sum, x) => sum + x.bytes, 0)) / b.rawBytes;
  const validation = share((n) => n === "src/core/config" || n === "src/core/gateway" || n === "valibot");
  const ours = share((n) => n.startsWith("src"));
  const lines = [
    `- ${fmt(ours, 0)}% of the deployed build is the router's own code (section 4). ${fmt(validation, 0)}% is the config's full validation and translation (src/core/config, src/core/gateway, valibot: the native format, Ingress manifests and annotations, Gateway API documents, ConfigMaps), which a new isolate runs only for a value \`apply\` did not write, but which the Worker must hold so that such a value is still served (or refused with every problem) rather than taking traffic down.`,
    `- Kept: the deployed build minified (${bytes(b.unminifiedGzipBytes)} gzipped without it, this run) and without esbuild's keep_names wrappers, which wrangler adds by default (one call per function and class; about 5 KiB gzipped when measured); the status page on Hono's tiny preset (its smallest router); the password schemes from two small, well-kept libraries (bcryptjs, @noble/hashes) rather than code of our own.`,
    "- Tried and not kept: the runtime's `node:crypto` (the `nodejs_compat` flag) for the SHA-1, SHA-2 and MD5 of the password schemes instead of @noble/hashes: 6 KiB gzipped less (87.8 to 81.8 KiB), but every deployment would need the flag, and workerd's createHash costs about 3 µs per digest, so an apr1 check took 1.8 x and a SHA-512-crypt check 1.13 x as long in workerd (medians of 9 runs; figures from that A/B, not this run).",
  ];
  return `### ${target.target}: ${target.measured}\n\n${lines.join("\n")}`;
}

function explainKinds(results: BenchResults, target: TargetResult): string {
  const d = results.decision;
  const plain = d?.kinds.find((k) => k.kind === "plain");
  const policies = d?.kinds.find((k) => k.kind === "policies");
  const lines: string[] = [];
  const get = results.runtimeCalls?.find((c) => c.call === "Headers.get, field present");
  const headersGet = get ? `about ${fmt(get.ns / 1000, 2)} µs` : "a few tenths of a µs";
  if (plain && policies) {
    lines.push(
      `- Native paths without filters cost ${fmt(plain.routeSelect.meanNs / 1000, 2)} µs here; an allow list and cookie affinity add ${fmt((policies.routeSelect.meanNs - plain.routeSelect.meanNs) / 1000, 2)} µs. Half the sample requests start a session: the policy picks, the session takes a key that hashes to that pick (one kept from an earlier session's try, or new tries), and the Set-Cookie is written; the other half read the cookie from Node's \`Headers\` (JavaScript, and a different object per sample, so mostly cache misses; workerd's are native) and hash it over the pool's origins.`,
    );
  }
  lines.push(
    "- Kept after an A/B of this table's policies row (figures from that A/B, not this run): IPv4 addresses parsed in one pass without split or regular expressions; the affinity cookie found with indexOf instead of split; rendezvous hashing without a logarithm when the origins' weights are equal and with one integer mix per origin instead of two (the second only breaks a tie); each pool's origin hashes computed once per origin list; the affinity as one object per pool with its methods on a prototype instead of a closure per step; per-pool tables answering in one lookup. On an idle machine, 5 processes each, alternating: median 8.0 µs (7.7 to 8.9) before, 7.1 µs (6.3 to 8.3) after; under load from other work, 10.6 µs (9.1 to 11.6) before and 8.2 µs (5.7 to 8.7) after.",
    "- Then kept after a second A/B (6 fresh processes each, alternating, on a busy machine: median 9.0 µs (8.4 to 9.3) before, 7.9 µs (5.3 to 8.9) after): a new session's random key made as one flat string and each try's four counter digits hashed from their codes, with no string per try; the key's two hashes in one pass; each pool's affinity keeping the scoring of its last origin list instead of looking it up in a table shared by all pools; the Set-Cookie built ahead around the value, Expires and Path (four variants per pool) instead of a table per rule path. Measured alone (the affinity of the same 500 pools, requests spread over them), a request with a cookie went from about 0.5 to 0.4 µs and a new session from about 1.1 to 0.9 µs.",
    "- Then kept after A/Bs in one process (both versions' configs loaded side by side, their batches alternating; the version loaded second runs about 6% faster by position alone, measured with the same code twice, so each A/B ran in both orders): the session cookie found with one indexOf of its name and hashed where it lies in the Cookie header, its hex digits checked in the same pass (no slice, trim or regular expression); a new session's random part hashed from its character codes and the key made into a string once; each draw stopping at the first origin that outscores the policy's pick; the request's time and user agent read only when a Set-Cookie needs them; the Set-Cookie layout shared by every pool whose cookie is written the same way (one object in the CPU caches instead of one per pool; tried before with a cross-process A/B, whose noise hid it); the pool's sessions holding their rendezvous scoring in their own fields and reading the Cookie header themselves, with no adapter object per pool. Measured warm (the pools' working set in cache, runs alternating), a request with a cookie went from 0.8 to 1.1 µs to 0.5 to 0.6 µs, and a new session from 1.7 to 1.8 µs to 1.1 to 1.4 µs in most runs; in context, over both orders of 4 pairs each, the policies row fell by about 8%, and what policies add over native paths from about 3.9 to 3.3 µs (medians of 5 and 3 processes).",
    "- Then kept after A/Bs in one process (both orders): the parts of an action a request reads shared by every rule that writes the same (src/core/action/shared-parts.ts): one filter list per sequence of the same filters, one backend object per pool, weight and filters, one backend list. Each of the 10,000 paths had its own filters array, backends array, backend and empty backend-filters array, mostly not in the CPU caches; timed part by part, the allow list's part of a request cost about 0.85 µs more than a path without filters, against about 0.1 µs for the filter itself when its data is cached. Over 4 pairs in each order, the policies row fell by about 5 to 7% and the HTTPRoute row by about 7%; native paths did not change.",
    "- Then kept after A/Bs in one process (both orders): a new balanced session's key taken from one random prefix per 65,536 sessions and a counter, and a try that leads to another origin kept for that origin's next session (src/core/policy/session-keys.ts), instead of a random prefix, its hash and a fresh search per session: warm, a new session went from about 1.0 to 0.5 µs; over 3 pairs in each order the policies row fell by about 6%. And each host's Exact and Prefix paths in one Map, looked up for the request path and each shorter prefix ending at a path element, instead of a Map of Exact paths and a trie with a Map per node (src/core/routing/host-group.ts, host-match.ts; no prefix looked up with more elements than the host's deepest Prefix path, so a long path costs a few lookups): over 2 pairs in each order, native paths fell by 8 to 20%, HTTPRoute rules by 6 to 15%, the policies row by 2 to 12%. Then a path with one rule and no conditions (every Ingress path that no other rule shares) kept in that Map as the rule itself instead of tiers of one-element lists, so a request reads two objects less: the policies row 0.75 to 0.98 x over 3 pairs in each order, HTTPRoute rules 0.83 to 0.92 x, native paths within the noise.",
    "- Then kept after an A/B in one process (both orders): the regex engine's two step lists reused by every search instead of four typed arrays the size of the program made for each one (a regex rule is tested on the requests to its host that no longer rule answers, and most tests end after a character or two, so the arrays were most of their cost): native paths 0.80 to 0.93 x over 2 pairs in each order, HTTPRoute rules about 0.97 x, the policies row within the noise.",
    "- Then kept after A/Bs in one process (both orders): each pool's policy and affinity in one object per pool, its lane (src/core/runtime.ts), found with one lookup instead of three (the pool, its policy, its affinity): the policies row 0.92 to 0.97 x over 3 pairs in each order. And round-robin and least-recent reading their origins' states from a list kept beside the pool's list of available origins (src/core/selection/origin-state.ts), instead of one lookup by key per origin per pick: native paths 0.89 to 1.02 x (median 0.92) over 4 pairs in each order, the policies row about 0.98 x (half its requests reach the policy).",
    "- Tried and not kept (within the noise, 3 to 4 pairs in each order): the rule's action and the affinity cookie's Path kept on the route's match, so a request does not read the rule (about 0.98 x); a host's fields on its path Map itself, one object less per request (0.95 to 1.01 x; both together about 1.0 x); the origins' weights copied beside their rendezvous hashes, so scoring reads no origin (about 1.03 x); the samples' host and path read before the timed loop instead of through Node's URL getters (about 0.92 x, a change to what is measured, not to the router: workerd's URL getters also make a new string per call, and its Headers.get costs about as much as Node's cold Headers here (below), so the harness is kept as it was).",
    "- Tried and not kept this time: each origin's hash kept on the origin and one affinity object shared by the pools that write the same cookie (1.02 to 1.09 x, slower); the same loop run inside workerd, the router's runtime, alternating with Node runs (3 alternating pairs: policies 0.55 to 0.96 x Node's figure, HTTPRoute rules 1.0 to 1.7 x, native paths 0.6 to 0.7 x), so the Node figures are not an artifact of Node alone.",
    "- Tried and not kept later (3 pairs in each order): the pool's available origins returned as the list itself and the lane's answer for \"every origin available\" made once, so that a request allocates neither (about 1.04 x, slower: a made-once object not in the CPU caches costs about what a fresh allocation does); a path already normal routed without the normalization's result object (about 0.99 x). About 0.5 KB is allocated per request of this row; 0.45 KB more per request, added on purpose, cost about 10%, so allocation is at most about a tenth of the row.",
    "- What the spread between processes is not (policies row alone, one process per figure, same code): the machine's memory latency, measured in each process before and after by a pointer chase over 8 MB, stayed at 130 to 185 ns an access while the row went from 2.5 to 4.6 µs; V8's nondeterminism, since with fixed hash and random seeds and one thread (no concurrent compiler or GC) the row still went from 1.6 to 5.1 µs; a full GC after the warm-up (2.0 to 5.1 µs); one pinned CPU (1.6 to 4.9 µs). Within one process, 300 ms windows of the same loop go from 2.0 to 5.8 µs. The same route + select code, measured in 40 such processes over one hour on 2 December 2026, had a median of 4.3 µs (2.5 to 6.3; 9 of the 40 over 5 µs); the full runs of that day gave 5.15, 5.91 and 5.48 µs for their median process before that hour, and 4.95 µs (03dff56) and 5.27 µs (6a6f1a8, which adds one field read for a request whose path has Exact rules) after it: the median of a run's 5 processes depends on when it runs.",
    "- Tried and not kept (no difference within the noise): the pool's affinity found on its policy object instead of a second per-pool lookup; each route's whole action shared with the other routes of its pool that have the same filters (about 0.1 µs, not worth moving the rule's identity out of the action; sharing the action's parts, above, keeps it).",
    `- Where the rest goes: measured in one process, alternating with native paths, an allow list alone adds about 0.3 to 0.75 µs; cookie affinity alone adds about 1.2 to 1.4 µs when every request carries a cookie and about 1.6 to 2.6 µs when every request starts a session, several times what the affinity costs warm. Each request touches a different pool's objects and a different Headers, and that working set, on top of the routing table's, is what the CPU caches miss: the same requests repeated in a loop cost a fraction of it. About 0.9 µs of it (0.4 to 1.2 over 6 alternating runs, measured before the changes above) is Node's Headers: with each sample's headers in an object of one field instead, what policies add fell from about 3.9 to 3.0 µs. Measured again after them, reading the Cookie header and finding the session cookie in it (the pick unchanged) is 25 to 39% of the row, while the same reads over the samples alone cost about 0.1 µs each: the cost is the request's headers not being in the CPU caches when the request is routed. The 1,024 samples' Headers are about 1.5 MB of JavaScript objects, read one per request; with every sample reading one of 8 Headers objects instead (same fields, the same patterns of cookie and condition header), the row fell to 0.87 x in one process (native paths 1.03 x, HTTPRoute rules 0.93 x). The method is kept as it was: in the Worker a request's headers were just made by the runtime, and the pick comes after decide() has copied all of them for the origin (the decision column times that copy), so the Cookie header is read from the CPU caches; but workerd's Headers.get costs ${headersGet} even then (section 3, runtime calls), about what Node's cold Headers cost here, so the shared-Headers figure would understate the Worker rather than match it. Node's Headers is JavaScript (name checks, a lower-cased Map lookup, an entry object), and each sample's is cold; in workerd the request's headers are native and were made for the request being routed. The same code varies up to 3x between processes (native paths 1.3 to 4.9 µs in one series), about equally for every kind of route; the target is judged on the median process.`,
  );
  return `### ${target.target}: ${target.measured}\n\n${lines.join("\n")}`;
}

function explainRouting(results: BenchResults, target: TargetResult): string {
  const lines = results.micro.map(
    (m) => `- ${int(m.ruleCount)} rules: route + select ${fmt(m.perRequest.routeSelect.meanNs, 0)} ns over all ${int(m.sampleCount)} sample requests; ${fmt(m.perRequest.routeSelectHot.meanNs, 0)} ns over 8 requests repeated.`,
  );
  const small = results.micro[0];
  const large = results.micro.at(-1);
  if (small && large && large !== small) {
    const hotRatio = large.perRequest.routeSelectHot.meanNs / small.perRequest.routeSelectHot.meanNs;
    lines.push(
      hotRatio <= 2
        ? `- With 8 requests repeated, whose hosts, path tiers and policies stay in the CPU caches, ${int(large.ruleCount)} rules cost ${fmt(hotRatio, 2)} x what ${int(small.ruleCount)} rules cost: the lookups (a hash lookup per host, one per path element at most) do not grow with the rule count. Over all sample requests, spread over the whole config, they touch memory that is not cached: ${int(large.ruleCount)} rules take ${bytesMiB(large)} of heap (Config and compiled Runtime), far more than the CPU caches hold, so requests pay cache misses, and that is what grows.`
        : `- Even with 8 requests repeated (data in the CPU caches), ${int(large.ruleCount)} rules cost ${fmt(hotRatio, 2)} x what ${int(small.ruleCount)} rules cost: the per-request work itself grows with the config. See the route profile below.`,
    );
  }
  lines.push(
    "- The ratio is the least steady figure of the run: its denominator, the 10-rule cost, is the smallest and the first measured. Over five full runs on 2026-12-02 (figures from those runs): 10 rules 0.51 to 2.4 µs, 100,000 rules 0.98 to 2.0 µs, the ratio 0.55 to 2.45 x. Each host's paths in one Map (src/core/routing/host-group.ts) took the 100,000-rule cost from 2.0 µs (the run before it) to 1.0 to 1.4 µs and the 10-rule cost to 0.5 to 0.6 µs in the runs where it was steady, which leaves the ratio near 2: what is left at 100,000 rules is cache misses, not work. Three later runs, after the pool lane and the policies' state by list, gave 0.56, 0.42 and 0.65 µs at 10 rules and 2.34, 2.07 and 2.42 µs at 100,000 (4.2, 4.9 and 3.7 x), while an A/B of those changes in one process at 100,000 rules found them faster (0.64 to 0.97 x over 2 pairs in each order): the 100,000-rule figure moves with the machine's phase, as the route-kinds target's processes do (its row lists each one).",
  );
  return `### ${target.target}: ${target.measured}\n\n${lines.join("\n")}`;
}

function bytesMiB(m: MicroResult): string {
  return m.memory ? `${fmt((m.memory.configBytes + m.memory.runtimeBytes) / 2 ** 20)} MiB` : "(not measured)";
}

export function explainMisses(results: BenchResults): string {
  const missed = results.targets.filter((t) => t.status === "not met");
  const sections: string[] = [];
  if (missed.length === 0) sections.push("Every target measured in this run is met.");
  const isolateMissed = missed.filter((t) => t.id.startsWith("cold-") || t.id === "cron");
  if (isolateMissed.length > 0 && results.isolate) sections.push(explainIsolate(results, isolateMissed));
  const e2eMissed = missed.filter((t) => t.id === "throughput" || t.id === "p50");
  if (e2eMissed.length > 0) sections.push(explainE2e(results, e2eMissed));
  for (const target of missed) {
    if (target.id === "throughput" || target.id === "p50" || isolateMissed.includes(target)) continue;
    else if (target.id === "route-scaling") sections.push(explainRouting(results, target));
    else if (target.id === "bundle") sections.push(explainBundle(results, target));
    else if (target.id === "observability") sections.push(explainObservability(results, target));
    else if (target.id === "route-kinds") sections.push(explainKinds(results, target));
    else sections.push(`### ${target.target}: ${target.measured}`);
  }
  for (const p of results.profiles) sections.push(`### Profile (${p.runtime}): ${p.mode}\n\n${renderProfile(p)}`);
  return sections.join("\n\n");
}
