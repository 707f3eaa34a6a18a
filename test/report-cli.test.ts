/**
 * `cassperf report` / `cassperf compare` as a user runs them (the built dist/cli.js): Markdown with
 * its chart PNGs (every image link resolves), JSON on stdout and nothing else, --fail-on exit codes,
 * --only, --from/--to and an empty window, an existing output refused without --force, an
 * unwritable target, Ctrl-C leaving nothing behind, and compare on bench runs and recordings.
 *
 * Inputs: test/fixtures/report/dse68 (part of a real DSE 6.8 bundle, PROVENANCE.md there) and the
 * bundled datasets/lab-3node-5.0 bench runs. Expected values are read here from those files.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tempDir } from "./support";
import { compareFindings, percentileBand } from "../src/report/compare";
import { buildReportModel } from "../src/report/model";
import { renderHtml } from "../src/report/html";
import { HELPERS } from "../src/registry";

const CLI = path.join(ROOT, "dist", "cli.js");
const DSE68 = path.join(ROOT, "test", "fixtures", "report", "dse68");
const SYSLOG = path.join(DSE68, "nodes/172.17.0.2/logs/cassandra/system.log");
const BENCH = path.join(ROOT, "datasets", "lab-3node-5.0", "bench");

const cli = (args: string[], cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 300_000, ...(cwd ? { cwd } : {}) });

/** GCInspector pauses in the fixture's system.log, read by regex here: [ms, line]. */
function gcInspector(): { ms: number; line: number; day: string }[] {
  return fs
    .readFileSync(SYSLOG, "utf8")
    .split("\n")
    .flatMap((l, i) => {
      const m = /(\d{4}-\d{2}-\d{2}) [\d:,]+\s+GCInspector\.java:\d+ - .* GC in (\d+)ms/.exec(l);
      return m ? [{ ms: Number(m[2]), line: i + 1, day: m[1] }] : [];
    });
}

test("usage: --help exits 0, an unknown option or a bad --fail-on exits 2 with the usage, a target under a file is one clear line (exit 1)", () => {
  const help = cli(["report", "--help"]);
  assert.equal(help.status, 0);
  // The one rule of every command (src/cli-args.ts EXIT_CODES_HELP), printed by --help.
  assert.match(help.stdout, /exit codes \(every cassperf command\):\n {2}0 {4}ok/);
  assert.match(help.stdout, /\n {2}3 {4}findings at or above --fail-on/);
  const unknown = cli(["report", DSE68, "--htm", "x.html"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /report: unknown option "--htm"/);
  assert.match(unknown.stderr, /usage: cassperf report/);
  const bad = cli(["report", DSE68, "--fail-on", "error"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--fail-on must be warning or critical; got "error"/);
  const compareOne = cli(["compare", DSE68]);
  assert.equal(compareOne.status, 2);
  assert.match(compareOne.stderr, /compare: needs two sources, before and after; got 1/);
  // A folder that is a file: refused before any work, one line, nothing created.
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "notafolder"), "x");
  const under = cli(["report", DSE68, "--html", path.join(dir, "notafolder", "out.html")]);
  // Bad input (not the command line's shape): exit 1, failed.
  assert.equal(under.status, 1);
  assert.match(under.stderr, /cannot write .*out\.html: .*notafolder is not a folder/);
  assert.deepEqual(fs.readdirSync(dir), ["notafolder"]);
  const missing = cli(["report", path.join(dir, "no-such-bundle")]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no-such-bundle does not exist/);
});

const MD_TEST =
  "report --md --json --fail-on critical on the dse68 excerpt: PNGs beside the Markdown, JSON alone on stdout, exit 3; " +
  "an existing output is refused, --force replaces it";
test(MD_TEST, { timeout: 900_000 }, () => {
  const dir = tempDir();
  const md = path.join(dir, "incident.md");
  const r = cli(["report", DSE68, "--md", md, "--json", "--fail-on", "critical"]);
  // A GCInspector pause over 500 ms is critical (gcStats' and logs' rules, Cassandra GCInspector WARN at 1 s): the file has some.
  const pauses = gcInspector();
  assert.ok(pauses.some((p) => p.ms > 500));
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /finding\(s\) at or above critical \(--fail-on critical\): exit 3/);
  // stdout is exactly one JSON document: the report as data, no SVG.
  const model = JSON.parse(r.stdout);
  assert.equal(model.kind, "cassperf-report");
  assert.doesNotMatch(r.stdout, /<svg/);
  assert.ok(model.counts.critical > 0);
  const worst = pauses.reduce((a, p) => (p.ms > a.ms ? p : a));
  const gc = model.headline.find((h: { metric: string }) => h.metric === "worst GC pause (GCInspector)");
  assert.equal(gc.value, `${worst.ms} ms`);
  assert.equal(gc.from, `nodes/172.17.0.2/logs/cassandra/system.log:${worst.line}`);
  // Every chart has its spec with the data; every section that did not run says why.
  for (const s of model.sections) if (s.status !== "ran" && s.status !== "skipped") assert.ok(s.reason, `${s.helper} says why`);

  // Markdown: every image link is relative and the file exists; one PNG per drawn chart.
  const text = fs.readFileSync(md, "utf8");
  // Images are `<img src width>` (drawn at 1x: the PNG has 2x pixels) or plain `![](…)` links.
  const imgs = [...text.matchAll(/<img src="([^"]+)" width="(\d+)"/g)].map((m) => ({ link: decodeURI(m[1]), width: Number(m[2]) }));
  const plain = [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => ({ link: decodeURI(m[1]), width: undefined as number | undefined }));
  const links = [...imgs, ...plain].map((i) => i.link);
  assert.ok(links.length >= 5, `image links: ${links.length}`);
  for (const { link: l, width } of [...imgs, ...plain]) {
    assert.ok(!path.isAbsolute(l) && !/^[a-z]+:/i.test(l), `relative link ${l}`);
    const png = fs.readFileSync(path.join(dir, l));
    assert.equal(png.readUInt32BE(0), 0x89504e47, `${l} is a PNG`);
    // The PNG header's width (bytes 16-19) is twice the width it is drawn at, to within rounding.
    if (width !== undefined) assert.ok(Math.abs(png.readUInt32BE(16) / 2 - width) <= 1, `${l}: ${png.readUInt32BE(16)} px drawn at ${width}`);
  }
  assert.ok(imgs.length >= 1, "charts are drawn at their 1x width");
  assert.deepEqual(fs.readdirSync(path.join(dir, "incident_charts")).sort(), links.map((l) => path.basename(l)).sort());
  assert.match(text, new RegExp(`\\| worst GC pause \\(GCInspector\\) \\| ${worst.ms} ms \\|`));

  // Again without --force: refused before any work, exit 1, the file untouched.
  const before = fs.readFileSync(md);
  const again = cli(["report", DSE68, "--md", md]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /incident\.md already exists; pass --force to overwrite it/);
  assert.deepEqual(fs.readFileSync(md), before);

  // --force, --only and a window: replaced; only gcStats and logs ran; the logs are those of the window.
  const day = worst.day;
  const win = cli(["report", DSE68, "--md", md, "--force", "--json", "--only", "gcStats,logs", "--from", `${day}T13:00:00Z`, "--to", `${day}T14:00:00Z`]);
  assert.equal(win.status, 0, win.stderr);
  const m2 = JSON.parse(win.stdout);
  const status = Object.fromEntries(m2.sections.map((s: { helper: string; status: string }) => [s.helper, s.status]));
  assert.equal(status.gcStats, "ran");
  assert.equal(status.logs, "ran");
  assert.equal(status.histograms, "skipped");
  assert.equal(m2.window.from, `${day}T13:00:00Z`);
  const logs = m2.sections.find((s: { helper: string }) => s.helper === "logs");
  assert.ok(String(logs.summary.first) >= `${day}T13:00:00`, `logs start in the window: ${logs.summary.first}`);
  assert.ok(String(logs.summary.last) <= `${day}T14:00:00`, `logs end in the window: ${logs.summary.last}`);
  assert.notDeepEqual(fs.readFileSync(md), before);
  assert.match(fs.readFileSync(md, "utf8"), new RegExp(`Window ${day}T13:00:00Z – ${day}T14:00:00Z`));
  // No temporary file left in the folder.
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
  );
});

test("an empty window is one clear line and exit 1", { timeout: 300_000 }, () => {
  const r = cli(["report", DSE68, "--only", "logs", "--from", "2019-01-01T00:00:00Z", "--to", "2019-01-02T00:00:00Z"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^cassperf: report: no log event between 2019-01-01T00:00:00Z and 2019-01-02T00:00:00Z; the logs cover 2020-/);
  assert.equal(r.stdout, "");
  const inverted = cli(["report", DSE68, "--from", "2020-07-22T14:00:00Z", "--to", "2020-07-22T13:00:00Z"]);
  assert.equal(inverted.status, 1);
  assert.match(inverted.stderr, /the window is empty: --to 2020-07-22T13:00:00Z is not after --from 2020-07-22T14:00:00Z/);
});

test("Ctrl-C while the report is built: exit 130, no output file and no temporary file", { timeout: 300_000 }, async () => {
  const dir = tempDir();
  const out = path.join(dir, "report.html");
  // CASSPERF_PROGRESS=1: progress lines on stderr although it is a pipe. Ctrl-C on the first one: the
  // report is being built and its SIGINT handler is in place (a fixed delay raced node's start-up under load).
  const child = spawn(process.execPath, [CLI, "report", DSE68, "--html", out], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CASSPERF_PROGRESS: "1" },
  });
  let stderr = "";
  let sent = false;
  child.stderr.on("data", (d) => {
    stderr += d;
    if (!sent && stderr.includes("cassperf report (")) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted \(Ctrl-C\); nothing was written/);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test("compare two bench runs: compareRuns' comparison, the ops/s of each run as the files say", { timeout: 300_000 }, () => {
  const runs = fs
    .readdirSync(BENCH)
    .filter((f) => f.endsWith(".json"))
    .sort();
  assert.equal(runs.length, 2);
  const [a, b] = runs.map((f) => path.join(BENCH, f));
  const r = cli(["compare", a, b, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.compare.mode, "bench runs");
  const ops = (f: string) => JSON.parse(fs.readFileSync(f, "utf8")).summary.ops_per_s;
  assert.equal(m.headline.find((h: { metric: string }) => h.metric === "ops/s").value, `${ops(a)} → ${ops(b)}`);
  const sec = m.sections.find((s: { helper: string }) => s.helper === "compareRuns");
  assert.ok(sec.table.rows.length > 0);
  assert.ok(sec.table.rows.every((row: { verdict: string }) => /worse|better|within noise|not compared/.test(row.verdict)));
});

test("compare a recording with itself: every finding unchanged, none new or resolved, GC percentiles within noise", { timeout: 900_000 }, () => {
  const dir = tempDir();
  const html = path.join(dir, "cmp.html");
  const r = cli(["compare", DSE68, DSE68, "--json", "--html", html, "--fail-on", "critical"]);
  // The same criticals are still there after: --fail-on gates on what is there after (exit 3).
  assert.equal(r.status, 3, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.compare.mode, "recordings");
  assert.ok(m.compare.findings.length > 0);
  assert.ok(m.compare.findings.every((f: { change: string }) => f.change === "unchanged"));
  const gc = m.sections.find((s: { helper: string }) => s.helper === "gc pauses compared");
  assert.equal(gc.status, "ran");
  for (const row of gc.table.rows) if (row.percentile !== "max") assert.equal(row.verdict, "within noise");
  const pauses = gcInspector().map((p) => p.ms);
  assert.equal(gc.table.rows.find((x: { percentile: string }) => x.percentile === "max").before_ms, Math.max(...pauses));
  // Every GCInspector line of the excerpt is one pause (no GC log here), counted by grep above.
  assert.match(gc.title, new RegExp(`before ${pauses.length} pauses, after ${pauses.length}$`));
  // The read p99 the proxyhistograms file gives (its "99%" row, in microseconds), on both sides, within noise.
  const proxy = fs.readFileSync(path.join(DSE68, "nodes/172.17.0.2/nodetool/proxyhistograms"), "utf8");
  const readP99Us = Number(/^99%\s+(\S+)/m.exec(proxy)![1]);
  const lat = m.sections.find((s: { helper: string }) => s.helper === "latency compared");
  const read = lat.table.rows.find((x: { metric: string; table: string }) => x.metric === "read_latency" && x.table === "coordinator (proxy)");
  assert.equal(read.before_ms, Math.round((readP99Us / 1000) * 100) / 100);
  assert.equal(read.verdict, "within noise");
  assert.match(fs.readFileSync(html, "utf8"), /<h1>cassperf compare — /);
});

test("percentileBand: nearest-rank percentile and its order-statistic 95% band (hand calculation)", () => {
  // 1..100: p50 = 50 (rank ceil(50) = 50); half-width 1.96·√(100·0.5·0.5) = 9.8 ranks -> ranks 40 and 60.
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(percentileBand(v, 0.5), { value: 50, lo: 40, hi: 60, n: 100 });
  // p90: rank 90; half-width 1.96·√(100·0.9·0.1) = 5.88 -> ranks floor(84.12) = 84 and ceil(95.88) = 96.
  assert.deepEqual(percentileBand(v, 0.9), { value: 90, lo: 84, hi: 96, n: 100 });
});

test("compareFindings: matched by rule id, node and helper; a changed severity is kept", () => {
  const f = (id: string, node: string, severity: "critical" | "warning" | "info") => {
    return { id, node, severity, title: id, evidence: "", action: "", helper: "gcStats" };
  };
  const out = compareFindings([f("gc.a", "n1", "warning"), f("gc.b", "n1", "critical")], [f("gc.a", "n1", "critical"), f("gc.a", "n2", "warning")]);
  const by = (id: string, node: string) => out.find((x) => x.id === id && x.node === node);
  assert.equal(by("gc.a", "n1")?.change, "unchanged");
  assert.equal(by("gc.a", "n1")?.before_severity, "warning");
  assert.equal(by("gc.a", "n2")?.change, "new");
  assert.equal(by("gc.b", "n1")?.change, "resolved");
  assert.equal(out.length, 3);
});

test("a helper that throws does not sink the report: its section says why, the others stand", { timeout: 300_000 }, async () => {
  // MOCK, named as such: no real input makes caches() throw an unexpected error (its parsers skip
  // what they cannot read), so its health() runner in the registry (src/helpers.ts) is replaced for this test only.
  const entry = HELPERS.get("caches")!;
  const real = entry.health;
  entry.health = async () => {
    throw new Error("simulated failure inside caches()");
  };
  try {
    const model = await buildReportModel(DSE68, { only: ["gcStats", "caches"] });
    const caches = model.sections.find((s) => s.helper === "caches")!;
    assert.equal(caches.status, "failed");
    assert.match(caches.reason ?? "", /simulated failure inside caches\(\)/);
    assert.equal(model.sections.find((s) => s.helper === "gcStats")!.status, "ran");
    assert.ok(model.findings.length > 0);
    const html = renderHtml(model);
    assert.match(html, /<h2 id="helper-caches">caches <span class="status status-failed">failed<\/span><\/h2><p>simulated failure inside caches\(\)<\/p>/);
  } finally {
    entry.health = real;
  }
});
