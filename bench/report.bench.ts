/**
 * Benchmark: `cassperf report --html` on the dse68 diagnostic bundle (test/fixtures/data/diag/dse68, a whole copy; SOURCE=<bundle> for another)
 * against the helpers it runs, measured side by side in one process. Target: the report within 2×
 * the helpers' time (charts to SVG, HTML and the atomic write are the overhead).
 *
 *  - helpers: open() + health() (every helper the bundle can answer) + timeline() whole and zoomed on
 *    the incident — exactly the helper calls buildReportModel() makes;
 *  - report:  buildReportModel() + renderCharts() + renderHtml() + writeOutputs() to a temp folder.
 *
 * Runs are interleaved (helpers, report, helpers, ...) so both see the same machine load; each
 * opens the bundle afresh. Prints the first (cold) run and the median of the warm runs, wall and
 * CPU, and the RSS after each. Run: `npm run bench:report` (RUNS=5 by default; SOURCE=path to change).
 *
 * Memory mode, `npm run bench:report -- --memory`: is `cassperf report --html` bounded in memory on a
 * bundle of several hundred MB of logs? For each size in BENCH_REPORT_MB (default "100,400") a bundle
 * is generated from the dse68 bundle (test/fixtures/data/diag/dse68: its nodetool, GC log and config
 * files) on three nodes, each node's system.log and debug.log grown from the real DSE 6.8 templates
 * bench:logs uses (test/fixtures/logs-stream/dse68-{system,debug}.log, each repeat moved one day
 * later so times keep going forward). The built CLI (dist/cli.js; `npx tsc` first) runs in its own
 * process per size and its peak RSS (getrusage maxRSS: worker threads included) is printed beside
 * the bundle's size. Bundles go to BENCH_DIR (default the OS temp folder) and are removed after.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as api from "../src/index";
import { buildReportModel, incidentWindow, renderCharts } from "../src/report/model";
import { renderHtml } from "../src/report/html";
import { writeOutputs } from "../src/report/write";

const SOURCE = process.env.SOURCE ?? path.resolve(__dirname, "../test/fixtures/data/diag/dse68");
const RUNS = Number(process.env.RUNS ?? 5);

interface Sample {
  wall: number;
  cpu: number;
  rssMb: number;
}

async function timed(fn: () => Promise<unknown>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 1e6 };
}

/** The helper calls the report makes, and nothing else. */
async function helpersOnly(): Promise<void> {
  const src = await api.open(SOURCE);
  await api.health(src);
  const tl = await api.timeline({ source: src });
  // The same zoom buildReportModel() picks.
  const zoom = incidentWindow(tl.rows("coincidences"));
  if (zoom) await api.timeline({ source: src, from: zoom.from, to: zoom.to });
}

async function reportHtml(dir: string, i: number): Promise<number> {
  const model = await buildReportModel(SOURCE);
  await renderCharts(model);
  const html = renderHtml(model);
  await writeOutputs([{ target: path.join(dir, `report-${i}.html`), content: html }], { force: true });
  return Buffer.byteLength(html);
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!fs.existsSync(SOURCE)) throw new Error(`${SOURCE} does not exist (set SOURCE=path to a bundle)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-bench-report-"));
  const helpers: Sample[] = [];
  const report: Sample[] = [];
  let bytes = 0;
  const rss0 = process.memoryUsage().rss / 1e6;
  try {
    for (let i = 0; i < RUNS; i++) {
      helpers.push(await timed(helpersOnly));
      report.push(await timed(async () => (bytes = await reportHtml(dir, i))));
      process.stderr.write(`run ${i + 1}/${RUNS}: helpers ${helpers[i].wall.toFixed(0)} ms, report --html ${report[i].wall.toFixed(0)} ms\n`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const warm = (s: Sample[], k: "wall" | "cpu") => (s.length > 1 ? median(s.slice(1).map((x) => x[k])) : s[0][k]);
  const line = (name: string, s: Sample[]) =>
    `${name.padEnd(16)} cold ${s[0].wall.toFixed(0)} ms wall / ${s[0].cpu.toFixed(0)} ms CPU; ` +
    `warm median ${warm(s, "wall").toFixed(0)} ms wall / ${warm(s, "cpu").toFixed(0)} ms CPU`;
  console.log(`source: ${SOURCE} (${RUNS} interleaved runs; HTML ${(bytes / 1e6).toFixed(2)} MB)`);
  console.log(line("helpers", helpers));
  console.log(line("report --html", report));
  const ratioWall = warm(report, "wall") / warm(helpers, "wall");
  const ratioCpu = warm(report, "cpu") / warm(helpers, "cpu");
  const verdict = ratioWall <= 2 ? "met" : "NOT met";
  console.log(`ratio report/helpers (warm medians): ${ratioWall.toFixed(2)}× wall, ${ratioCpu.toFixed(2)}× CPU — target ≤ 2× ${verdict}`);
  const highest = Math.max(...report.map((r) => r.rssMb), ...helpers.map((h) => h.rssMb));
  console.log(`RSS: ${rss0.toFixed(0)} MB at start, ${highest.toFixed(0)} MB highest after a run, ${report.at(-1)!.rssMb.toFixed(0)} MB after the last`);
}

const FIX = path.resolve(__dirname, "../test/fixtures");
const DAY = 86_400_000;
/** The real log templates (bench:logs' DSE 6.8 pair) and the day their dates carry. */
const LOG_TEMPLATES = [
  { rel: "logs/cassandra/system.log", file: path.join(FIX, "logs-stream", "dse68-system.log"), day: "2020-07-20" },
  { rel: "logs/cassandra/debug.log", file: path.join(FIX, "logs-stream", "dse68-debug.log"), day: "2020-07-20" },
];

/** Write the dse68 bundle on three nodes with about `bytes` bytes of system/debug logs in all; returns the bundle folder. */
function growBundle(dir: string, bytes: number): string {
  const base = path.resolve(__dirname, "../test/fixtures/data/diag/dse68/nodes/172.17.0.2");
  const nodes = ["172.17.0.2", "172.17.0.3", "172.17.0.4"];
  const templates = LOG_TEMPLATES.map((t) => ({ ...t, text: fs.readFileSync(t.file, "utf8") }));
  const cycleBytes = templates.reduce((a, t) => a + Buffer.byteLength(t.text), 0);
  const cycles = Math.max(1, Math.round(bytes / nodes.length / cycleBytes));
  for (const node of nodes) {
    const out = path.join(dir, "nodes", node);
    fs.cpSync(base, out, { recursive: true });
    for (const t of templates) {
      const fd = fs.openSync(path.join(out, t.rel), "w");
      const t0 = Date.parse(`${t.day}T00:00:00Z`);
      let buf: string[] = [];
      let size = 0;
      for (let c = 0; c < cycles; c++) {
        const text = c === 0 ? t.text : t.text.replaceAll(t.day, new Date(t0 + c * DAY).toISOString().slice(0, 10));
        buf.push(text);
        size += text.length;
        if (size > 16 * 2 ** 20) fs.writeSync(fd, buf.join("")), (buf = []), (size = 0);
      }
      fs.writeSync(fd, buf.join(""));
      fs.closeSync(fd);
    }
  }
  return dir;
}

function bytesUnder(dir: string, pattern?: RegExp): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    if (!pattern || pattern.test(p)) n += fs.statSync(p).size;
  }
  return n;
}

/** The child of memory mode: the built CLI as a user runs it, its peak RSS written to `rssFile` on exit. */
function cliChild(rssFile: string, args: string[]): void {
  process.on("exit", () => fs.writeFileSync(rssFile, String(process.resourceUsage().maxRSS / 1024)));
  process.argv = [process.argv[0], path.resolve(__dirname, "../dist/cli.js"), ...args];
  require(path.resolve(__dirname, "../dist/cli.js"));
}

async function memory(): Promise<void> {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  if (!fs.existsSync(path.resolve(__dirname, "../dist/cli.js"))) throw new Error("dist/cli.js is missing: build first (npx tsc -p tsconfig.json)");
  const sizes = (process.env.BENCH_REPORT_MB ?? "100,400").split(",").map(Number);
  console.log(
    `cassperf report --html on generated dse68 bundles, one process per size; ${os.availableParallelism()} cores, load ${os.loadavg()[0].toFixed(1)}`,
  );
  console.log("logs MB | bundle MB | wall s | peak RSS MB | HTML MB");
  for (const mb of sizes) {
    const tmp = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), "cassperf-bench-report-mem-"));
    try {
      const bundle = growBundle(path.join(tmp, "bundle"), mb * 1e6);
      const logs = bytesUnder(bundle, /(system|debug)\.log$/) / 1e6;
      const all = bytesUnder(bundle) / 1e6;
      const rss = path.join(tmp, "rss");
      const html = path.join(tmp, "report.html");
      const t0 = Date.now();
      const p = spawnSync(process.execPath, ["--import", "tsx", __filename, "--cli-child", rss, "report", bundle, "--html", html], {
        encoding: "utf8",
        maxBuffer: 1 << 26,
      });
      const wall = (Date.now() - t0) / 1000;
      if (p.status !== 0) throw new Error(`report failed (exit ${p.status}): ${p.stderr}`);
      const peak = Number(fs.readFileSync(rss, "utf8"));
      const htmlMb = fs.statSync(html).size / 1e6;
      console.log(
        `${logs.toFixed(0).padStart(7)} | ${all.toFixed(0).padStart(9)} | ${wall.toFixed(1).padStart(6)} | ${peak.toFixed(0).padStart(11)} | ${htmlMb.toFixed(2)}`,
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  console.log("bounded: peak RSS should stay about the same while the bundle grows (it must not grow with the logs).");
}

if (process.argv[2] === "--cli-child") cliChild(process.argv[3], process.argv.slice(4));
else
  (process.argv.includes("--memory") ? memory() : main()).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
