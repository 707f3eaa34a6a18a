/**
 * Benchmark: logs() end to end (open, stream, parse, merge, summary and findings) on bundles of
 * growing size, each run in its own process so its peak memory (max RSS, worker threads included)
 * is its own, with one worker thread and with one per core. Run: `npm run bench:logs`.
 * Not a timed test: it prints figures. Build first (`npx tsc -p tsconfig.json`): the runs use dist/.
 *
 * Input: the bundle in CASSPERF_BENCH_LOGS when set (a bundle folder or archive), else bundles
 * generated here, deterministically, from real logs in test/fixtures (their PROVENANCE.md): six
 * nodes, three of them a DSE 6.8 node's system.log + debug.log (test/fixtures/logs-stream), three a
 * Cassandra 2.1 node's system.log with GC pauses and a StatusLogger dump
 * (test/fixtures/cassandra21-lab-statuslogger), repeated with each repeat moved one day later so
 * times keep going forward. Sizes: BENCH_SIZES_GB (default "0.3,3"; add 10 when the disk has room:
 * `BENCH_SIZES_GB=0.3,3,10 npm run bench:logs`). Generated bundles go to BENCH_DIR (default the
 * OS temp folder) and are removed after. BENCH_WORKERS (default "1,<cores>") picks the worker counts.
 *
 * Beside sperf (datastax-labs/sperf, Apache 2.0), whole process against whole process, alternating, on the
 * same bundle: `sperf` with no subcommand (its default summary: versions, worst GC pause, cfstats, the
 * StatusLogger/GC recommendations over system.log + debug.log) vs `node -e logs({ source })` over dist/
 * (default workers). Wall clock from spawn to exit; CPU and peak RSS as each process reports them
 * (Python's getrusage, node's cpuUsage/resourceUsage: both count every thread). Bundles: the real dse68
 * diagnostic bundle in test/fixtures/data/diag/dse68 (SPERF_ROUNDS rounds, default 3), then each generated
 * size up to SPERF_MAX_GB (default 0.3; one round). sperf is not on PyPI and ships as a binary, so it is rebuilt from its source outside the
 * repository, in ~/.cache/cassperf/sperf (README, Benchmarks); when that folder is absent the comparison is
 * skipped with one line. Its Python dependencies for the default command are the standard library only; it
 * runs on /usr/bin/python3 (SPERF_PYTHON to change). SPERF=0 skips it.
 * Then one large file: a one-node bundle whose only log is one system.log of BENCH_SINGLE_GB
 * (default 1; 0 skips it) from the DSE 6.8 template, parsed with one worker (no chunks) and with
 * one per core (chunks of a large file, src/analyze/logs/log-chunks.ts), the speedup side by side.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";

const FIX = path.resolve(__dirname, "../test/fixtures");
const DAY = 86_400_000;
const SPERF_DIR = path.join(os.homedir(), ".cache", "cassperf", "sperf");
const SPERF_PYTHON = process.env.SPERF_PYTHON ?? "/usr/bin/python3";
const DSE68 = path.join(FIX, "data", "diag", "dse68");

/** One template: a file of real log lines, the day its dates carry, and where it goes in a node. */
const TEMPLATES = [
  { node: "dse", rel: "logs/cassandra/system.log", file: path.join(FIX, "logs-stream", "dse68-system.log"), day: "2020-07-20" },
  { node: "dse", rel: "logs/cassandra/debug.log", file: path.join(FIX, "logs-stream", "dse68-debug.log"), day: "2020-07-20" },
  { node: "c21", rel: "logs/cassandra/system.log", file: path.join(FIX, "cassandra21-lab-statuslogger", "system.log"), day: "2026-11-25" },
];

/** Write a six-node bundle of about `bytes` bytes of logs (or a one-node bundle of one system.log when `single`); returns its folder. */
function generate(dir: string, bytes: number, single = false): string {
  const nodes = single ? ["10.0.0.1"] : ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"];
  const perNode = bytes / nodes.length;
  for (const [i, node] of nodes.entries()) {
    const kind = i % 2 === 0 ? "dse" : "c21";
    // Nodes of one kind get the same text (same templates, days and cycles): copied by the kernel, not written again (3x faster on a busy machine).
    if (i >= 2) {
      for (const t of TEMPLATES.filter((x) => x.node === kind)) {
        const out = path.join(dir, "nodes", node, t.rel);
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.copyFileSync(path.join(dir, "nodes", nodes[i % 2]!, t.rel), out);
      }
      continue;
    }
    const templates = TEMPLATES.filter((t) => t.node === kind && (!single || t.rel.endsWith("system.log"))).map((t) => ({
      ...t,
      text: fs.readFileSync(t.file, "utf8"),
    }));
    const cycleBytes = templates.reduce((s, t) => s + Buffer.byteLength(t.text), 0);
    const cycles = Math.max(1, Math.round(perNode / cycleBytes));
    for (const t of templates) {
      const out = path.join(dir, "nodes", node, t.rel);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const fd = fs.openSync(out, "w");
      const base = Date.parse(`${t.day}T00:00:00Z`);
      let buf: string[] = [];
      let size = 0;
      for (let c = 0; c < cycles; c++) {
        const day = new Date(base + c * DAY).toISOString().slice(0, 10);
        const text = c === 0 ? t.text : t.text.replaceAll(t.day, day);
        buf.push(text);
        size += text.length;
        if (size > 16 * 2 ** 20) {
          fs.writeSync(fd, buf.join(""));
          buf = [];
          size = 0;
        }
      }
      fs.writeSync(fd, buf.join(""));
      fs.closeSync(fd);
    }
  }
  return dir;
}

function duBytes(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else n += fs.statSync(p).size;
    }
  };
  if (fs.statSync(dir).isDirectory()) walk(dir);
  else n = fs.statSync(dir).size;
  return n;
}

/** The child: one logs() run, its figures as JSON on stdout. */
async function child(source: string, workers: number): Promise<void> {
  // The built library (dist/, `npx tsc`) when there is one, as users run it (worker threads then load plain JS); else the sources.
  const built = path.resolve(__dirname, "../dist/analyze/logs/logs.js");
  const { logs } = require(fs.existsSync(built) ? built : "../src/analyze/logs/logs") as typeof import("../src/analyze/logs/logs");
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = await logs({ source, workers });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  console.log(
    JSON.stringify({
      wall,
      cpu: (c.user + c.system) / 1000,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      events: r.summary.events,
      lines: r.summary.lines,
      kept: r.rows("kinds").length,
      findings: r.findings.length,
    }),
  );
}

function runChild(source: string, workers: number): { wall: number; cpu: number; maxRssMB: number; events: number; lines: number } {
  const p = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", source, String(workers)], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(`child failed: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split("\n").pop()!);
}

interface Whole {
  wall: number;
  cpu: number;
  rssMB: number;
  out: string;
}

/** sperf's default summary on a bundle folder, in a fresh Python process; its own CPU and peak RSS from getrusage. */
function sperfProcess(bundle: string): Whole {
  const code = [
    "import runpy, sys, resource",
    `sys.argv = ["sperf", "-d", ${JSON.stringify(bundle)}]`,
    `runpy.run_path(${JSON.stringify(path.join(SPERF_DIR, "run_default.py"))}, run_name="__main__")`,
    "r = resource.getrusage(resource.RUSAGE_SELF)",
    'print("CASSPERF_RUSAGE %f %d" % (r.ru_utime + r.ru_stime, r.ru_maxrss))',
  ].join("\n");
  const w0 = performance.now();
  const p = spawnSync(SPERF_PYTHON, ["-c", code], { encoding: "utf8", maxBuffer: 1 << 26 });
  const wall = performance.now() - w0;
  const m = /CASSPERF_RUSAGE (\S+) (\d+)/.exec(p.stdout);
  if (p.status !== 0 || !m) throw new Error(`sperf failed on ${bundle} (exit ${p.status}): ${(p.stderr || p.stdout).slice(-400)}`);
  return { wall, cpu: Number(m[1]) * 1000, rssMB: Number(m[2]) / 1024, out: p.stdout.slice(0, m.index) };
}

/** logs() in a fresh node process over the build (dist/), from spawn to exit; its CPU (whole process, startup included) and peak RSS. */
function logsProcess(bundle: string): Whole {
  const built = path.resolve(__dirname, "../dist/analyze/logs/logs.js");
  if (!fs.existsSync(built)) throw new Error("dist/analyze/logs/logs.js is missing: build first (npx tsc -p tsconfig.json)");
  const script = `require(${JSON.stringify(built)}).logs({ source: ${JSON.stringify(bundle)} }).then((r) => { const c = process.cpuUsage(); console.log("CASSPERF_RUSAGE", (c.user + c.system) / 1000, process.resourceUsage().maxRSS, r.summary.events, r.summary.gc_pause_max_ms ?? ""); })`;
  const w0 = performance.now();
  const p = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", maxBuffer: 1 << 26 });
  const wall = performance.now() - w0;
  const m = /CASSPERF_RUSAGE (\S+) (\d+) (.*)/.exec(p.stdout);
  if (p.status !== 0 || !m) throw new Error(`logs() failed on ${bundle} (exit ${p.status}): ${p.stderr.slice(-400)}`);
  return { wall, cpu: Number(m[1]), rssMB: Number(m[2]) / 1024, out: m[3] };
}

/** Alternating rounds of sperf and logs() on one bundle; prints each round and the ratio of the medians. */
function versusSperf(name: string, bundle: string, rounds: number): void {
  const s: Whole[] = [];
  const c: Whole[] = [];
  for (let k = 0; k < rounds; k++) {
    s.push(sperfProcess(bundle));
    c.push(logsProcess(bundle));
  }
  const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mb = duBytes(bundle) / 1e6;
  const worst = /worst gc pause \(system logs\) +(.*)/.exec(s[0].out)?.[1]?.trim() ?? "?";
  const [events, gcMax] = c[0].out.split(" ");
  console.log(
    `${name}: ${mb.toFixed(0)} MB on disk, ${rounds} alternating round(s); sperf ${med(s.map((x) => x.wall)).toFixed(0)} ms wall / ${med(s.map((x) => x.cpu)).toFixed(0)} ms CPU / ${Math.max(...s.map((x) => x.rssMB)).toFixed(0)} MB peak (worst GC pause: ${worst}); logs() ${med(c.map((x) => x.wall)).toFixed(0)} ms wall / ${med(c.map((x) => x.cpu)).toFixed(0)} ms CPU / ${Math.max(...c.map((x) => x.rssMB)).toFixed(0)} MB peak (${Number(events).toLocaleString("en-US")} events, longest GC pause ${gcMax || "?"} ms)`,
  );
  const rw = med(s.map((x) => x.wall)) / med(c.map((x) => x.wall));
  const rc = med(s.map((x) => x.cpu)) / med(c.map((x) => x.cpu));
  console.log(`  logs() vs sperf's default summary: ${rw.toFixed(2)}× by wall clock, ${rc.toFixed(2)}× by CPU — goal ≥ 5× ${rw >= 5 ? "met" : "NOT met"}`);
}

function sperfAvailable(): boolean {
  if (process.env.SPERF === "0") return false;
  if (!fs.existsSync(path.join(SPERF_DIR, "run_default.py"))) {
    console.log(`sperf: not measured — ${SPERF_DIR}/run_default.py is absent (rebuild it from datastax-labs/sperf's source: README, Benchmarks)`);
    return false;
  }
  return true;
}

async function main(): Promise<void> {
  const cores = os.availableParallelism();
  const given = process.env.CASSPERF_BENCH_LOGS;
  const sizes = given
    ? [NaN]
    : (process.env.BENCH_SIZES_GB ?? "0.3,3")
        .split(",")
        .map(Number)
        .filter((gb) => gb > 0);
  console.log(`logs() end to end, one process per run; ${cores} cores, load average ${os.loadavg()[0].toFixed(1)} at start`);
  const sperf = sperfAvailable();
  if (sperf && !given) versusSperf("dse68 (test/fixtures/data/diag/dse68)", DSE68, Number(process.env.SPERF_ROUNDS ?? 3));
  console.log("bundle            | MB on disk | lines        | events       | workers | wall s | MB/s  | CPU s  | peak RSS MB");
  for (const gb of sizes) {
    const tmp = given ? undefined : fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "cassperf-bench-logs-"));
    try {
      const source = given ?? generate(tmp!, gb * 1e9);
      const mb = duBytes(source) / 1e6;
      const sperfMaxGb = Number(process.env.SPERF_MAX_GB ?? 0.3);
      if (sperf && !given && gb > sperfMaxGb)
        console.log(`sperf: not run on generated ${gb} GB (over SPERF_MAX_GB=${sperfMaxGb}: it takes ~90 s of CPU per GB)`);
      else if (sperf && fs.statSync(source).isDirectory()) versusSperf(given ? path.basename(given) : `generated ${gb} GB`, source, given ? 3 : 1);
      for (const workers of (process.env.BENCH_WORKERS ?? `1,${cores}`)
        .split(",")
        .map(Number)
        .filter((w) => w > 0)) {
        const r = runChild(source, workers);
        const name = given ? path.basename(given) : `generated ${gb} GB`;
        console.log(
          `${name.padEnd(17)} | ${mb.toFixed(0).padStart(10)} | ${r.lines.toLocaleString("en-US").padStart(12)} | ${r.events.toLocaleString("en-US").padStart(12)} | ${String(workers).padStart(7)} | ${(r.wall / 1000).toFixed(1).padStart(6)} | ${(mb / (r.wall / 1000)).toFixed(1).padStart(5)} | ${(r.cpu / 1000).toFixed(1).padStart(6)} | ${r.maxRssMB.toFixed(0).padStart(11)}`,
        );
      }
    } finally {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  console.log("goal: peak RSS under 600 MB at every size (flat); speedup = wall(1 worker) / wall(one per core).");

  // One large file: chunked (one worker per core) against unchunked (one worker), in the same run.
  const singleGb = Number(process.env.BENCH_SINGLE_GB ?? "1");
  if (given || !(singleGb > 0)) return;
  const tmp = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "cassperf-bench-logs-single-"));
  try {
    const source = generate(tmp, singleGb * 1e9, true);
    const mb = duBytes(source) / 1e6;
    const one = runChild(source, 1);
    const all = runChild(source, cores);
    for (const [workers, r] of [
      [1, one],
      [cores, all],
    ] as const)
      console.log(
        `one system.log ${singleGb} GB | ${mb.toFixed(0)} MB | ${r.lines.toLocaleString("en-US")} lines | workers ${workers} | ` +
          `wall ${(r.wall / 1000).toFixed(1)} s | ${(mb / (r.wall / 1000)).toFixed(1)} MB/s | CPU ${(r.cpu / 1000).toFixed(1)} s | peak RSS ${r.maxRssMB.toFixed(0)} MB`,
      );
    if (one.events !== all.events || one.lines !== all.lines) throw new Error(`chunked and unchunked parses differ: ${JSON.stringify({ one, all })}`);
    console.log(`single-file speedup from chunks: ${(one.wall / all.wall).toFixed(2)}x on ${cores} cores (same events and lines)`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") void child(process.argv[3], Number(process.argv[4]));
// `node --import tsx bench/logs.bench.ts --generate <dir> <GB>`: write one generated bundle and keep it (for profiling one change at a time).
else if (process.argv[2] === "--generate")
  console.log(generate(fs.mkdirSync(process.argv[3], { recursive: true }) ?? process.argv[3], Number(process.argv[4]) * 1e9));
else void main();
