/**
 * bench:gc — GC-log parsing speed and memory on the 47 MB unzipped JDK 11 G1 log
 * (CASSPERF_BENCH_GC_LOG, e.g. gctoolkit-testdata's jdk11_details.log.zip; else generated, bench/inputs.ts), measured side by side in ONE process against a
 * bare line count of the same text/file:
 *
 * In memory (the unzipped text), interleaved rounds so machine load hits every step alike:
 *  - "line count (indexOf)": count '\n' with indexOf — the floor of any line-based reader;
 *  - "line iteration (slice)": the same loop materialising each line — the least a line-rule parser does;
 *  - "parseGcLog": the real parser (format detection + unified dialect), rows included.
 * On disk (the text written to a temp file):
 *  - "line count (readline)": node's readline over a file stream — the everyday `wc -l` in Node;
 *  - "gcStats(file)": read + parse + report, end to end.
 *
 * Times are CPU time of this process (process.cpuUsage), so other processes on a loaded machine
 * do not inflate them (it does include V8's own GC/compiler threads); wall time is printed too.
 * Peak RSS is measured in a fresh child process that does what a user does — gcStats() on the
 * .zip — so the bench's own copies of the text do not count; the bench process's RSS is shown too.
 * Targets (issue 5): >= 100 MB/s, >= 40% of the line-count rate, peak RSS < 400 MB.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { spawnSync } from "node:child_process";
import { openRecorded } from "../src/cluster/recorded";
import { gcStats } from "../src/analyze/gc";
import { parseGcLog } from "../src/parse/gc-log";
import { gcBenchLog } from "./inputs";

const FILE = gcBenchLog(); // CASSPERF_BENCH_GC_LOG, else a 47 MB log generated from a real excerpt (bench/inputs.ts)
const ROUNDS = 9;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function once<T>(fn: () => T): { cpu: number; wall: number; value: T } {
  const c0 = cpuMs();
  const w0 = performance.now();
  const value = fn();
  return { cpu: cpuMs() - c0, wall: performance.now() - w0, value };
}
async function onceAsync<T>(fn: () => Promise<T>): Promise<{ cpu: number; wall: number; value: T }> {
  const c0 = cpuMs();
  const w0 = performance.now();
  const value = await fn();
  return { cpu: cpuMs() - c0, wall: performance.now() - w0, value };
}

function countLines(text: string): number {
  let n = 0;
  let pos = 0;
  for (;;) {
    const i = text.indexOf("\n", pos);
    if (i < 0) break;
    n++;
    pos = i + 1;
  }
  return n;
}

let sink = 0;
function iterateLines(text: string): number {
  let n = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end);
    sink += line.charCodeAt(line.length >> 1) | 0; // use the line so it is really made
    n++;
    pos = end + 1;
  }
  return n;
}

async function readlineCount(file: string): Promise<number> {
  let n = 0;
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const _ of rl) n++;
  return n;
}

async function main() {
  const unzip = await onceAsync(async () => {
    const src = await openRecorded(FILE);
    return src.readText(src.files({ kind: "gc-log" })[0]);
  });
  const text = unzip.value;
  const mb = Buffer.byteLength(text) / 1048576;
  const rate = (ms: number) => mb / (ms / 1000);

  const t = { count: [] as number[], iter: [] as number[], parse: [] as number[], wall: [] as number[], rCount: [] as number[], rIter: [] as number[] };
  let first = 0;
  let lines = 0;
  let parsed!: ReturnType<typeof parseGcLog>;
  for (let k = 0; k < ROUNDS; k++) {
    const a = once(() => countLines(text));
    const b = once(() => iterateLines(text));
    const c = once(() => parseGcLog(text));
    if (k === 0) first = c.cpu;
    lines = a.value;
    parsed = c.value;
    t.count.push(a.cpu);
    t.iter.push(b.cpu);
    t.parse.push(c.cpu);
    t.wall.push(c.wall);
    t.rCount.push(a.cpu / c.cpu);
    t.rIter.push(b.cpu / c.cpu);
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-bench-gc-"));
  const file = path.join(tmp, "gc.log");
  fs.writeFileSync(file, text);
  const rl = await onceAsync(() => readlineCount(file));
  const e2e = await onceAsync(() => gcStats(file));
  fs.rmSync(tmp, { recursive: true, force: true });

  const load = os.loadavg()[0];
  console.log(`bench:gc — ${path.basename(FILE)}: ${mb.toFixed(1)} MB unzipped (unzip ${unzip.wall.toFixed(0)} ms wall), ${lines.toLocaleString("en-US")} lines; node ${process.version}, ${os.cpus().length} cores, load average ${load.toFixed(1)}`);
  console.log(`  in memory, ${ROUNDS} interleaved rounds, CPU time:        median          best`);
  const row = (name: string, xs: number[], note = "") => console.log(`  ${name.padEnd(40)} ${median(xs).toFixed(1).padStart(7)} ms ${rate(median(xs)).toFixed(0).padStart(5)} MB/s ${Math.min(...xs).toFixed(1).padStart(7)} ms ${rate(Math.min(...xs)).toFixed(0).padStart(5)} MB/s  ${note}`);
  row("line count (indexOf)", t.count);
  row("line iteration (slice)", t.iter);
  row("parseGcLog", t.parse, `${parsed.pauses.length.toLocaleString("en-US")} pauses, ${parsed.skipped.count} skipped`);
  console.log(`  parseGcLog first (cold JIT) run: ${first.toFixed(0)} ms CPU = ${rate(first).toFixed(0)} MB/s; median wall ${median(t.wall).toFixed(0)} ms`);
  console.log(`  parser rate as % of the same round's line count: ${(median(t.rCount) * 100).toFixed(0)}% of indexOf count, ${(median(t.rIter) * 100).toFixed(0)}% of line iteration (median over rounds)`);
  console.log(`  on disk (one run each):`);
  console.log(`  ${"line count (readline)".padEnd(40)} ${rl.cpu.toFixed(0).padStart(7)} ms CPU ${rate(rl.cpu).toFixed(0).padStart(5)} MB/s (wall ${rl.wall.toFixed(0)} ms)  ${rl.value.toLocaleString("en-US")} lines`);
  console.log(`  ${"gcStats(file): read+parse+report".padEnd(40)} ${e2e.cpu.toFixed(0).padStart(7)} ms CPU ${rate(e2e.cpu).toFixed(0).padStart(5)} MB/s (wall ${e2e.wall.toFixed(0)} ms)  ${e2e.value.count("pauses").toLocaleString("en-US")} pauses = ${((100 * rl.cpu) / e2e.cpu).toFixed(0)}% of the readline count's rate`);
  const child = spawnSync(process.execPath, ["--import", "tsx", "-e", `require(${JSON.stringify(path.resolve(__dirname, "../src/analyze/gc"))}).gcStats(${JSON.stringify(FILE)}).then((r) => console.log(JSON.stringify({ pauses: r.count("pauses"), rss: process.resourceUsage().maxRSS })))`], { cwd: path.resolve(__dirname, ".."), encoding: "utf8" });
  const childOut = JSON.parse(child.stdout.trim().split("\n").pop() || "{}") as { pauses?: number; rss?: number };
  const peakMb = (childOut.rss ?? Infinity) / 1024;
  console.log(`  peak RSS of gcStats(<the .zip>) in a fresh process: ${peakMb.toFixed(0)} MB (${childOut.pauses ?? "?"} pauses)${child.status ? ` — child failed: ${child.stderr.slice(0, 300)}` : ""}`);
  console.log(`  (this bench process, holding the text, ${ROUNDS} parses and a report: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB)`);
  const checks = [
    [`parseGcLog >= 100 MB/s (median)`, rate(median(t.parse)) >= 100],
    [`parseGcLog >= 40% of indexOf line count`, median(t.rCount) >= 0.4],
    [`gcStats(file) >= 40% of readline line count`, rl.cpu / e2e.cpu >= 0.4],
    [`peak RSS < 400 MB`, peakMb < 400],
  ] as const;
  for (const [what, ok] of checks) console.log(`  ${ok ? "met    " : "NOT met"} ${what}`);
  if (sink === 0.5) console.log(sink);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
