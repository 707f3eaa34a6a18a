/**
 * bench:gc — GC-log parsing speed and memory, each figure a ratio measured side by side in ONE run.
 *
 * Input: the file named by CASSPERF_BENCH_GC_LOG (any GC log: plain, .gz or .zip), else a 47 MB JDK 11
 * G1 log generated from the real excerpt of gctoolkit-testdata's jdk11_details.log (bench/inputs.ts).
 * The peak-RSS sizes below are copies of test/fixtures/gc/shared-jdk17-g1-gcstar-safepoint-excerpt.log
 * (300 lines of a real JDK 17 `-Xlog:gc*,safepoint` G1 log, 14 pauses), written whole copy after
 * copy into a temp folder (each copy starts again at uptime 0.014s, as JVM runs appended to one file).
 *
 * In memory (the text), interleaved rounds so machine load hits every step alike:
 *  - "line count (indexOf)": count '\n' with indexOf — the floor of any line-based reader;
 *  - "line iteration (slice)": the same loop materialising each line — the least a line-rule parser does;
 *  - "parseGcLog": the real parser (format detection + dialect), rows included.
 * On disk, interleaved rounds:
 *  - "line count (readline)": node's readline over a file stream — the everyday `wc -l` in Node;
 *  - "gcStats(file)": streamed read + parse + report, end to end (summary and findings; frames are built on demand, not here).
 * Whole process, wall clock: `node -e gcStats(file)` (the build in dist/) vs GCViewer 1.36's batch
 * mode (`java -jar gcviewer-1.36.jar gc.log summary.csv`), from Maven Central into
 * ~/.cache/cassperf/gcviewer (said so when it cannot be had).
 * Peak RSS of gcStats() in a fresh process over logs generated the same way at ~0.3 and ~3 GB
 * (CASSPERF_BENCH_GC_SIZES, in GB, comma separated; "0" skips).
 *
 * Times are CPU time of this process (process.cpuUsage), so other processes on a loaded machine
 * do not inflate them (it does include V8's own GC/compiler threads); wall time is printed too.
 * Targets (issue 24): parseGcLog >= 100 MB/s, gcStats(file) >= 40% of a readline count,
 * gcStats whole process >= 3x GCViewer, peak RSS < 600 MB at every size.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { spawnSync } from "node:child_process";
import { openRecorded } from "../src/cluster/recorded";
import { gcStats } from "../src/analyze/gc/gc-stats";
import { parseGcLog } from "../src/parse/gc-log";
import { gcBenchLog } from "./inputs";

const ROOT = path.resolve(__dirname, "..");
const TEMPLATE = path.join(ROOT, "test/fixtures/gc/shared-jdk17-g1-gcstar-safepoint-excerpt.log");
const ROUNDS = 9;
const DISK_ROUNDS = 3;
const GCVIEWER = { version: "1.36", dir: path.join(os.homedir(), ".cache", "cassperf", "gcviewer") };

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

/** Write whole copies of the template until the file holds at least `bytes`; returns the copies written. */
function generate(file: string, bytes: number): number {
  const template = fs.readFileSync(TEMPLATE);
  const perBatch = Math.max(1, Math.floor((8 * 2 ** 20) / template.length));
  const batch = Buffer.concat(new Array(perBatch).fill(template));
  const copies = Math.ceil(bytes / template.length);
  const fd = fs.openSync(file, "w");
  let n = 0;
  for (; n + perBatch <= copies; n += perBatch) fs.writeSync(fd, batch);
  for (; n < copies; n++) fs.writeSync(fd, template);
  fs.closeSync(fd);
  return copies;
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

/** gcStats(file) in a fresh node process over the build (dist/, else the TypeScript through tsx): wall time, peak RSS, pauses. */
function gcStatsProcess(file: string): { wallMs: number; rssMb: number; pauses: number | undefined; error?: string } {
  const dist = path.join(ROOT, "dist/analyze/gc/gc-stats.js");
  const useDist = fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= fs.statSync(path.join(ROOT, "src/analyze/gc/gc-stats.ts")).mtimeMs;
  const mod = useDist ? dist : path.join(ROOT, "src/analyze/gc/gc-stats");
  const script = `require(${JSON.stringify(mod)}).gcStats(${JSON.stringify(file)}).then((r) => console.log(JSON.stringify({ pauses: r.summary.pauses, rss: process.resourceUsage().maxRSS })))`;
  const w0 = performance.now();
  const child = spawnSync(process.execPath, [...(useDist ? [] : ["--import", "tsx"]), "-e", script], { cwd: ROOT, encoding: "utf8", maxBuffer: 2 ** 26 });
  const wallMs = performance.now() - w0;
  const out = JSON.parse(child.stdout.trim().split("\n").pop() || "{}") as { pauses?: number; rss?: number };
  return { wallMs, rssMb: (out.rss ?? Infinity) / 1024, pauses: out.pauses, ...(child.status ? { error: child.stderr.slice(0, 300) } : {}) };
}

/** GCViewer's jar from Maven Central (cached outside the repo), or why it cannot be had. */
function gcviewerJar(): { jar?: string; why?: string } {
  const jar = path.join(GCVIEWER.dir, `gcviewer-${GCVIEWER.version}.jar`);
  if (fs.existsSync(jar)) return { jar };
  fs.mkdirSync(GCVIEWER.dir, { recursive: true });
  const r = spawnSync("mvn", ["-q", "dependency:copy", `-Dartifact=com.github.chewiebug:gcviewer:${GCVIEWER.version}`, `-DoutputDirectory=${GCVIEWER.dir}`], {
    encoding: "utf8",
    timeout: 300_000,
  });
  if (fs.existsSync(jar)) return { jar };
  return {
    why: `GCViewer ${GCVIEWER.version} could not be fetched from Maven Central (mvn ${r.error ? r.error.message : `exit ${r.status}`}: ${(r.stdout + r.stderr).trim().slice(0, 200)})`,
  };
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-bench-gc-"));
  try {
    await run(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(tmp: string) {
  // Input: the user's GC log, else a 47 MB JDK 11 G1 log generated from the real excerpt of the log the
  // targets were set on (gctoolkit-testdata's jdk11_details: the same lines, tags and pause mix; bench/inputs.ts).
  const input = process.env.CASSPERF_BENCH_GC_LOG ?? gcBenchLog();
  const what = process.env.CASSPERF_BENCH_GC_LOG
    ? input
    : `${path.basename(input)}, generated from test/fixtures/data/gc/jdk11-g1-details-excerpt.gc.log.zip (bench/inputs.ts)`;
  const unzip = await onceAsync(async () => {
    const src = await openRecorded(input!);
    return src.readText(src.files({ kind: "gc-log" })[0] ?? src.files()[0]);
  });
  const text = unzip.value;
  const mb = Buffer.byteLength(text) / 1048576;
  const rate = (ms: number) => mb / (ms / 1000);
  // The on-disk steps read a plain file: a compressed input is written out unpacked first.
  let plain = input;
  if (/\.(gz|zip)$/.test(input)) {
    plain = path.join(tmp, "input-unpacked.log");
    fs.writeFileSync(plain, text);
  }

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

  // On disk, interleaved: readline count, then gcStats(file), DISK_ROUNDS times (one warm-up round of each first).
  await readlineCount(plain);
  await gcStats(plain);
  const disk = { rl: [] as number[], gc: [] as number[], rlWall: [] as number[], gcWall: [] as number[], ratio: [] as number[] };
  let rlLines = 0;
  let e2ePauses = 0;
  for (let k = 0; k < DISK_ROUNDS; k++) {
    const rl = await onceAsync(() => readlineCount(plain));
    const e2e = await onceAsync(() => gcStats(plain));
    rlLines = rl.value;
    e2ePauses = e2e.value.summary.pauses as number;
    disk.rl.push(rl.cpu);
    disk.gc.push(e2e.cpu);
    disk.rlWall.push(rl.wall);
    disk.gcWall.push(e2e.wall);
    disk.ratio.push(rl.cpu / e2e.cpu);
  }

  const load = os.loadavg()[0];
  console.log(
    `bench:gc — ${what}: ${mb.toFixed(1)} MB (read ${unzip.wall.toFixed(0)} ms wall), ${lines.toLocaleString("en-US")} lines; node ${process.version}, ${os.cpus().length} cores, load average ${load.toFixed(1)}`,
  );
  console.log(`  in memory, ${ROUNDS} interleaved rounds, CPU time:        median          best`);
  const row = (name: string, xs: number[], note = "") =>
    console.log(
      `  ${name.padEnd(40)} ${median(xs).toFixed(1).padStart(7)} ms ${rate(median(xs)).toFixed(0).padStart(5)} MB/s ${Math.min(...xs)
        .toFixed(1)
        .padStart(7)} ms ${rate(Math.min(...xs))
        .toFixed(0)
        .padStart(5)} MB/s  ${note}`,
    );
  row("line count (indexOf)", t.count);
  row("line iteration (slice)", t.iter);
  row("parseGcLog", t.parse, `${parsed.pauses.length.toLocaleString("en-US")} pauses, ${parsed.skipped.count} skipped`);
  console.log(`  parseGcLog first (cold JIT) run: ${first.toFixed(0)} ms CPU = ${rate(first).toFixed(0)} MB/s; median wall ${median(t.wall).toFixed(0)} ms`);
  console.log(
    `  parser rate as % of the same round's line count: ${(median(t.rCount) * 100).toFixed(0)}% of indexOf count, ${(median(t.rIter) * 100).toFixed(0)}% of line iteration (median over rounds)`,
  );
  console.log(`  on disk, ${DISK_ROUNDS} interleaved rounds after a warm-up, CPU time (median):`);
  console.log(
    `  ${"line count (readline)".padEnd(40)} ${median(disk.rl).toFixed(0).padStart(7)} ms CPU ${rate(median(disk.rl)).toFixed(0).padStart(5)} MB/s (wall ${median(disk.rlWall).toFixed(0)} ms)  ${rlLines.toLocaleString("en-US")} lines`,
  );
  console.log(
    `  ${"gcStats(file): read+parse+report".padEnd(40)} ${median(disk.gc).toFixed(0).padStart(7)} ms CPU ${rate(median(disk.gc)).toFixed(0).padStart(5)} MB/s (wall ${median(disk.gcWall).toFixed(0)} ms)  ${e2ePauses.toLocaleString("en-US")} pauses = ${(median(disk.ratio) * 100).toFixed(0)}% of the readline count's rate (per round: ${disk.ratio.map((r) => `${(r * 100).toFixed(0)}%`).join(", ")})`,
  );

  // Whole process vs GCViewer, wall clock, alternating (GCViewer, gcStats) three times (an odd count: the median is a run's own figure).
  const gv = gcviewerJar();
  let gvRatio: number | null = null;
  if (gv.jar) {
    const gvWall: number[] = [];
    const csWall: number[] = [];
    let gvOk = true;
    for (let k = 0; k < 3; k++) {
      const w0 = performance.now();
      const r = spawnSync("java", ["-jar", gv.jar, plain, path.join(tmp, "gcviewer-summary.csv")], { encoding: "utf8", maxBuffer: 2 ** 26 });
      gvWall.push(performance.now() - w0);
      if (r.status !== 0 || !fs.existsSync(path.join(tmp, "gcviewer-summary.csv"))) gvOk = false;
      csWall.push(gcStatsProcess(plain).wallMs);
    }
    const summary = gvOk ? fs.readFileSync(path.join(tmp, "gcviewer-summary.csv"), "utf8") : "";
    const gvPauses = /^pauseCount; (\d+)/m.exec(summary)?.[1];
    gvRatio = median(gvWall) / median(csWall);
    console.log(
      `  whole process, wall clock, 3 alternating runs each (median): GCViewer ${GCVIEWER.version} batch ${median(gvWall).toFixed(0)} ms${gvOk ? ` (${gvPauses ?? "?"} pauses in its summary)` : " (FAILED)"}, gcStats ${median(csWall).toFixed(0)} ms = ${gvRatio.toFixed(2)}× faster (per round: ${gvWall.map((g, i) => `${(g / csWall[i]).toFixed(2)}×`).join(", ")})`,
    );
  } else console.log(`  whole process vs GCViewer: not measured — ${gv.why}`);

  // Peak RSS in a fresh process at each size.
  const sizes = (process.env.CASSPERF_BENCH_GC_SIZES ?? "0.3,3")
    .split(",")
    .map(Number)
    .filter((x) => x > 0);
  const peaks: { gb: number; fileMb: number; pauses: number | undefined; rssMb: number; wallMs: number; error?: string }[] = [];
  const at = gcStatsProcess(input);
  peaks.push({ gb: 0, fileMb: mb, pauses: at.pauses, rssMb: at.rssMb, wallMs: at.wallMs, ...(at.error ? { error: at.error } : {}) });
  for (const gb of sizes) {
    const file = path.join(tmp, `gc-${gb}GB.log`);
    generate(file, gb * 2 ** 30);
    const r = gcStatsProcess(file);
    peaks.push({ gb, fileMb: fs.statSync(file).size / 2 ** 20, pauses: r.pauses, rssMb: r.rssMb, wallMs: r.wallMs, ...(r.error ? { error: r.error } : {}) });
    fs.rmSync(file);
  }
  console.log(`  peak RSS of gcStats(file) in a fresh process (logs of other sizes: copies of ${path.basename(TEMPLATE)}):`);
  console.log(`  | GC log | pauses | peak RSS | wall |`);
  console.log(`  |---|---|---|---|`);
  for (const p of peaks)
    console.log(
      `  | ${p.gb ? `${p.fileMb.toFixed(0)} MB (~${p.gb} GB)` : `${p.fileMb.toFixed(0)} MB (the input)`} | ${p.pauses?.toLocaleString("en-US") ?? "?"} | ${p.rssMb.toFixed(0)} MB | ${(p.wallMs / 1000).toFixed(1)} s |${p.error ? ` FAILED: ${p.error}` : ""}`,
    );
  console.log(`  (this bench process, holding the text, ${ROUNDS} parses and reports: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB)`);
  const checks = [
    [`parseGcLog >= 100 MB/s (median)`, rate(median(t.parse)) >= 100],
    [`gcStats(file) >= 40% of readline line count`, median(disk.ratio) >= 0.4],
    [`gcStats whole process >= 3x GCViewer wall clock${gvRatio === null ? " (GCViewer not available)" : ""}`, gvRatio !== null && gvRatio >= 3],
    [`peak RSS < 600 MB at every size`, peaks.every((p) => p.rssMb < 600 && !p.error)],
  ] as const;
  for (const [name, ok] of checks) console.log(`  ${ok ? "met    " : "NOT met"} ${name}`);
  if (sink === 0.5) console.log(sink);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
