/**
 * Benchmark: system.log/debug.log parsing throughput (MB/s) on the largest Cassandra log in
 * CASSPERF_BENCH_LOGS or test/fixtures/data, beside a bare line count of the same text in the same process (the floor any
 * line-oriented parser pays). Run: `npm run bench:logs`. Not a timed test: it prints figures.
 *
 * Each measure is repeated; the report gives the first (cold) run and the median of the warm runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseSystemLog } from "../src/parse/system-log";
import { logsBenchDir } from "./inputs";

const DATA = logsBenchDir(); // CASSPERF_BENCH_LOGS, else test/fixtures/data (bench/inputs.ts)

/** Every system/debug log under DATA, largest first. */
function logFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/(^|[-.])(system|debug)(\.example)?\.log$|statuslogger.*\.log$/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

interface Sample {
  wall: number;
  cpu: number;
}

/** One timed run: wall-clock and CPU (user+system) milliseconds. */
function run(fn: () => number): { sample: Sample; result: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { sample: { wall, cpu: (c.user + c.system) / 1000 }, result };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const files = logFiles(DATA);
if (!files.length) throw new Error(`no system.log/debug.log under ${DATA}`);
const file = files[0];
const text = fs.readFileSync(file, "utf8");
const mb = Buffer.byteLength(text) / 1e6;
const RUNS = Number(process.env.RUNS ?? 15);

// Interleaved, so both measures see the same machine load (other builds may share the cores).
const lineRuns: Sample[] = [];
const parseRuns: Sample[] = [];
let lineCount = 0;
let events = 0;
for (let i = 0; i < RUNS; i++) {
  const a = run(() => countLines(text));
  lineRuns.push(a.sample);
  lineCount = a.result;
  const b = run(() => parseSystemLog(text, { node: "bench", file: path.relative(DATA, file) }).events.length);
  parseRuns.push(b.sample);
  events = b.result;
}
const warm = (xs: Sample[]) => xs.slice(1);
const lines = { wall: median(warm(lineRuns).map((x) => x.wall)), cpu: median(warm(lineRuns).map((x) => x.cpu)), cold: lineRuns[0].wall, result: lineCount };
const parse = { wall: median(warm(parseRuns).map((x) => x.wall)), cpu: median(warm(parseRuns).map((x) => x.cpu)), cold: parseRuns[0].wall, result: events };

const rate = (ms: number) => (mb / (Math.max(ms, 0.001) / 1000)).toFixed(1);
console.log(`file: ${path.relative(DATA, file)} (${mb.toFixed(2)} MB, ${lines.result.toLocaleString("en-US")} lines, ${parse.result.toLocaleString("en-US")} events)`);
console.log(`runs: ${RUNS} each, interleaved; medians of the warm runs (run 1 shown as cold); load average ${require("node:os").loadavg()[0].toFixed(1)} on ${require("node:os").cpus().length} cores`);
console.log(`bare line count : ${lines.wall.toFixed(2)} ms wall = ${rate(lines.wall)} MB/s   (cold ${rate(lines.cold)} MB/s)`);
console.log(`parseSystemLog  : ${parse.wall.toFixed(1)} ms wall = ${rate(parse.wall)} MB/s, ${parse.cpu.toFixed(1)} ms CPU = ${rate(parse.cpu)} MB/s per CPU-second   (cold ${rate(parse.cold)} MB/s)`);
console.log(`ratio           : parsing costs ${(parse.wall / lines.wall).toFixed(0)}x a bare line count (indexOf("\\n") loop)`);
console.log(`target >= 50 MB/s: per CPU-second ${Number(rate(parse.cpu)) >= 50 ? "met" : "NOT met"}; wall-clock ${Number(rate(parse.wall)) >= 50 ? "met" : "NOT met"} (wall-clock needs an idle core: compare the load average)`);
