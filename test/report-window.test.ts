/**
 * `--from/--to` beyond the logs (gcStats narrowed, every other section labelled), the progress bar's
 * files and MB on stderr, and the one exit-code rule of every cassperf command.
 *
 * Inputs: test/fixtures/diag-dse68-gc (a real DSE 6.8 node's GC log and system.log excerpts) and
 * test/fixtures/report/dse68 (part of the same bundle); PROVENANCE.md in each. Every expected count
 * is read here from those files by regex (the equivalent of the grep/awk named beside it).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tempDir } from "./support";
import { gcStats } from "../src/analyze/gc/gc-stats";

const CLI = path.join(ROOT, "dist", "cli.js");
const GC_BUNDLE = path.join(ROOT, "test", "fixtures", "diag-dse68-gc");
const GC_LOG = path.join(GC_BUNDLE, "nodes/172.17.0.2/logs/cassandra/gc.log.0.current");
const DSE68 = path.join(ROOT, "test", "fixtures", "report", "dse68");
const SYSLOG = path.join(DSE68, "nodes/172.17.0.2/logs/cassandra/system.log");

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 300_000, env: { ...process.env, ...env } });

/**
 * Pause heads of the JDK 8 GC log whose date stamp is in [from, to), as
 * `awk '/^20.*\+0000: [0-9.]+: \[(GC pause|GC remark|GC cleanup|Full GC)/ && substr($1,1,19) >= F && substr($1,1,19) < T' | wc -l`
 * counts them (every stamp of this log is +0000, so its text compares as UTC).
 */
function gcLogPauses(from: string, to: string): number {
  return fs
    .readFileSync(GC_LOG, "utf8")
    .split("\n")
    .filter((l) => /^20\S+\+0000: [\d.]+: \[(GC pause|GC remark|GC cleanup|Full GC)/.test(l))
    .map((l) => l.slice(0, 19))
    .filter((t) => t >= from && t < to).length;
}

/** GCInspector pause lines of a system.log in [from, to) (`grep -E 'GCInspector.java:[0-9]+ - .* GC in [0-9]+ms'`), times as written ("YYYY-MM-DD HH:MM:SS"). */
function inspectorPauses(file: string, from: string, to: string): number {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .flatMap((l) => {
      const m = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}),\d+\s+GCInspector\.java:\d+ - .* GC in \d+ms/.exec(l);
      return m ? [`${m[1]}T${m[2]}`] : [];
    })
    .filter((t) => t >= from && t < to).length;
}

test("gcStats({ from, to }): the GC log's pauses in the window, as counted on the file; zone-less times are UTC; nodetool-free, so no snapshot note", async () => {
  const from = "2020-07-21T06:00:00";
  const to = "2020-07-21T07:00:00";
  const expected = gcLogPauses(from, to);
  assert.equal(expected, 23, "the window holds pauses (23 by the awk above)");
  const all = await gcStats(GC_BUNDLE);
  const w = await gcStats(GC_BUNDLE, { from: `${from}Z`, to: `${to}Z` });
  const rows = w.rows("pauses") as { origin: string; timestamp: string }[];
  assert.equal(rows.filter((r) => r.origin === "gc-log").length, expected);
  assert.ok(all.count("pauses") > w.count("pauses"), "the whole log has more");
  for (const r of rows) assert.ok(r.timestamp >= `${from}` && r.timestamp < `${to}`, `${r.timestamp} in the window`);
  // No zone means UTC; "+01:00" is the same instant an hour later on the clock.
  const bare = await gcStats(GC_BUNDLE, { from, to });
  assert.equal(bare.count("pauses"), w.count("pauses"));
  const shifted = await gcStats(GC_BUNDLE, { from: "2020-07-21T07:00:00+01:00", to: "2020-07-21T08:00:00+01:00" });
  assert.equal(shifted.count("pauses"), w.count("pauses"));
  // The whole-file safepoint sum is not shown for a window, and says why.
  assert.equal(w.summary.total_stopped_ms, null);
  assert.ok(w.notes.some((n) => /safepoint stopped time is a sum over the whole file; not shown for the window/.test(n)));

  // A window over the GC storm of 07-21 07:10-07:14: GC-log pauses and GCInspector lines both in it.
  const storm = await gcStats(GC_BUNDLE, { from: "2020-07-21T07:10:00Z", to: "2020-07-21T07:14:00Z" });
  const srows = storm.rows("pauses") as { origin: string }[];
  assert.equal(srows.filter((r) => r.origin === "gc-log").length, gcLogPauses("2020-07-21T07:10:00", "2020-07-21T07:14:00"));
  const gcSys = path.join(GC_BUNDLE, "nodes/172.17.0.2/logs/cassandra/system.log");
  assert.equal(srows.filter((r) => r.origin === "gcinspector").length, inspectorPauses(gcSys, "2020-07-21T07:10:00", "2020-07-21T07:14:00"));

  await assert.rejects(gcStats(GC_BUNDLE, { from: "yesterday" }), /gcStats: from "yesterday" is not an ISO-8601 time/);
  await assert.rejects(gcStats(GC_BUNDLE, { from: to, to: from }), /gcStats: the window is empty/);
});

test("report --from/--to: gcStats narrowed to the window's GCInspector pauses; every other section says it is not narrowed", { timeout: 600_000 }, () => {
  const dir = tempDir();
  const html = path.join(dir, "w.html");
  const from = "2020-07-22T13:00:00";
  const to = "2020-07-22T14:00:00";
  const r = cli(["report", DSE68, "--json", "--html", html, "--from", `${from}Z`, "--to", `${to}Z`]);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.deepEqual(m.window.appliesTo, ["logs", "gcStats", "timeline"]);
  const sec = (h: string) => m.sections.find((s: { helper: string }) => s.helper === h);
  // No GC log in this excerpt: every GCInspector line in the window is one pause (3 by the grep above; 10 in the file).
  const expected = inspectorPauses(SYSLOG, from, to);
  assert.equal(expected, 3);
  assert.ok(inspectorPauses(SYSLOG, "2000-01-01T00:00:00", "2100-01-01T00:00:00") > expected);
  assert.equal(sec("gcStats").summary.pauses, expected);
  assert.equal(sec("gcStats").window, null);
  assert.equal(sec("logs").window, null);
  // nodetool-based sections: a snapshot, labelled; the time is the end of the logs (the last line of system.log here).
  const lastStamp = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})/.exec(
    fs
      .readFileSync(SYSLOG, "utf8")
      .trimEnd()
      .split("\n")
      .reverse()
      .find((l) => /^\w+\s+\[/.test(l))!,
  )!;
  assert.match(sec("histograms").window, /^snapshot taken at \S+ .*not narrowed: nodetool output has no time range/);
  assert.ok(sec("histograms").window.includes(`${lastStamp[1]}T${lastStamp[2]}`), `${sec("histograms").window} names ${lastStamp[0]}`);
  for (const s of m.sections) if (s.status === "ran" && !["gcStats", "logs"].includes(s.helper)) assert.match(s.window, /not narrowed: /, s.helper);
  assert.match(fs.readFileSync(html, "utf8"), /<p class="window-note">snapshot taken at [^<]*not narrowed: nodetool output has no time range/);

  // A window with nothing in it, logs nor GC: one line, exit 1, nothing on stdout.
  const empty = cli(["report", DSE68, "--only", "gcStats,logs", "--from", "2019-01-01T00:00:00Z", "--to", "2019-01-02T00:00:00Z"]);
  assert.equal(empty.status, 1);
  assert.equal(empty.stdout, "");
  assert.equal(empty.stderr.trim().split("\n").length, 1, empty.stderr);
  assert.match(empty.stderr, /^cassperf: report: no log event between 2019-01-01T00:00:00Z and 2019-01-02T00:00:00Z; .*; no GC pause between/);
});

test("progress (CASSPERF_PROGRESS=1): stderr lines carry files and MB done that increase and end at the bundle's files and bytes", {
  timeout: 300_000,
}, async () => {
  // Expected: every file of the folder and the sum of their sizes, from fs.stat here.
  const files = fs.readdirSync(DSE68, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const total = files.reduce((a, e) => a + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  const child = spawn(process.execPath, [CLI, "report", DSE68, "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CASSPERF_PROGRESS: "1" },
  });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.on("data", (d) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(code, 0, stderr);
  assert.equal(JSON.parse(stdout).kind, "cassperf-report", "stdout is the report alone");
  const figures = [...stderr.matchAll(/(\d+)\/(\d+) files, ([\d.]+)\/([\d.]+) MB, [\d.]+ MB\/s/g)].map((x) => ({
    files: Number(x[1]),
    filesTotal: Number(x[2]),
    mb: Number(x[3]),
    mbTotal: Number(x[4]),
  }));
  assert.ok(figures.length >= 3, stderr);
  for (let i = 1; i < figures.length; i++) {
    assert.ok(figures[i].mb >= figures[i - 1].mb, `MB never goes back: ${figures[i - 1].mb} then ${figures[i].mb}`);
    assert.ok(figures[i].files >= figures[i - 1].files, "files never go back");
  }
  assert.ok(figures[0].mb < figures.at(-1)!.mb, "MB increase");
  const last = figures.at(-1)!;
  assert.equal(last.mbTotal, Number((total / 1e6).toFixed(1)));
  assert.equal(last.mb, last.mbTotal, "ends at the total");
  assert.equal(last.files, files.length);
  assert.equal(last.filesTotal, files.length);
});

test("exit codes, one rule for every command: 2 usage, 1 failed, 3 findings at or above --fail-on (report), the same 1 and 2 for run and lab", {
  timeout: 300_000,
}, () => {
  // The rule as --help states it, on the top-level usage and report's.
  for (const h of [cli(["--help"]), cli(["report", "--help"]), cli(["compare", "--help"])]) {
    assert.equal(h.status, 0);
    assert.match(h.stdout, /exit codes \(every cassperf command\)/);
    assert.match(h.stdout, /\n {2}1 {4}failed: bad input/);
    assert.match(h.stdout, /\n {2}2 {4}usage/);
    assert.match(h.stdout, /\n {2}3 {4}findings at or above --fail-on/);
  }
  const dir = tempDir();
  // report: a wrong command line is 2, a source that is not there is 1.
  assert.equal(cli(["report", DSE68, "--bogus"]).status, 2);
  assert.equal(cli(["report", DSE68, "--from", "noon"]).status, 2);
  const missing = cli(["report", path.join(dir, "nope")]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^cassperf: report: .*nope does not exist\.$/m);
  // run: the same rule — an unknown option 2, a notebook that is not there 1.
  assert.equal(cli(["run", "--bogus"]).status, 2);
  assert.equal(cli(["run", path.join(dir, "no-such.ipynb")]).status, 1);
  // lab: an unknown option 2, a folder with no lab in it 1.
  assert.equal(cli(["lab", "status", "--bogus"]).status, 2);
  assert.equal(cli(["lab", "status", "--dir", path.join(dir, "nolab")]).status, 1);
  // report --fail-on: 3 when a finding is at or above the level. A pause over 500 ms is critical
  // (gcStats' GC_THRESHOLDS.PAUSE_CRITICAL_MS): the excerpt's GCInspector lines have some, read here.
  const worst = Math.max(...[...fs.readFileSync(SYSLOG, "utf8").matchAll(/GCInspector\.java:\d+ - .* GC in (\d+)ms/g)].map((x) => Number(x[1])));
  assert.ok(worst > 500, `worst GCInspector pause ${worst} ms`);
  const f = cli(["report", DSE68, "--only", "gcStats", "--json", "--fail-on", "critical"]);
  assert.equal(f.status, 3, f.stderr);
  assert.match(f.stderr, /finding\(s\) at or above critical \(--fail-on critical\): exit 3/);
});
