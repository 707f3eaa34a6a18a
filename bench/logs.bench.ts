/**
 * Benchmark: system.log/debug.log parsing throughput (MB/s) on the largest Cassandra log in
 * ../shared/data, beside a bare line count of the same text in the same process (the floor any
 * line-oriented parser pays). Run: `npm run bench:logs`. Not a timed test: it prints figures.
 *
 * Each measure is repeated; the report gives the first (cold) run and the median of the warm runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseSystemLog } from "../src/parse/system-log";

const DATA = path.resolve(__dirname, "../../shared/data");

/** Every system/debug log under ../shared/data, largest first. */
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

function measure(label: string, runs: number, fn: () => number): { cold: number; median: number; result: number } {
  const times: number[] = [];
  let result = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  const r = { cold: times[0], median: warm[Math.floor(warm.length / 2)], result };
  void label;
  return r;
}

const files = logFiles(DATA);
if (!files.length) throw new Error(`no system.log/debug.log under ${DATA}`);
const file = files[0];
const text = fs.readFileSync(file, "utf8");
const mb = Buffer.byteLength(text) / 1e6;
const RUNS = Number(process.env.RUNS ?? 15);

const lines = measure("line count", RUNS, () => countLines(text));
const parse = measure("parse", RUNS, () => parseSystemLog(text, { node: "bench", file: path.relative(DATA, file) }).events.length);

const rate = (ms: number) => (mb / (ms / 1000)).toFixed(1);
console.log(`file: ${path.relative(DATA, file)} (${mb.toFixed(2)} MB, ${lines.result.toLocaleString("en-US")} lines, ${parse.result.toLocaleString("en-US")} events)`);
console.log(`runs: ${RUNS} each, median of the warm runs (first run shown as cold)`);
console.log(`bare line count : ${lines.median.toFixed(1)} ms  = ${rate(lines.median)} MB/s   (cold ${rate(lines.cold)} MB/s)`);
console.log(`parseSystemLog  : ${parse.median.toFixed(1)} ms  = ${rate(parse.median)} MB/s   (cold ${rate(parse.cold)} MB/s)`);
console.log(`ratio           : parsing costs ${(parse.median / lines.median).toFixed(1)}x a bare line count; target >= 50 MB/s: ${Number(rate(parse.median)) >= 50 ? "met" : "NOT met"}`);
