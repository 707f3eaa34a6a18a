/**
 * Benchmark: stage breakdown over 1,000,000 trace events, cassperf's traces() beside pandas doing
 * the same group-by from the same JSONL, in the same run.
 *
 * Input: the real Cassandra 2.1 lab sessions of test/fixtures/trace/lab21 replayed with new session
 * ids and event ids (timeuuids shifted by 1 s per replay) until there are 1,000,000 events, written
 * as a cassperf dataset (traces/sessions.jsonl + traces/events.jsonl) in a temp folder.
 *
 * Each side runs in its own fresh process, timed from start to answer, with its peak RSS:
 *  - cassperf: traces({ source: dir }) -> summary.timePerStageMs (the whole helper: read, parse,
 *    classify, deltas, per-session summaries, findings);
 *  - pandas (Debian's python3-pandas): pd.read_json(lines=True), the same activity -> stage rules
 *    (STAGE_RULES' regexes, applied per distinct activity), the same deltas (previous event on the
 *    node/thread; task starts from the node's previous event; null elapsed not charged), groupby
 *    stage sum.
 * Both answers are compared stage by stage (they must agree), and the ratio is printed.
 * Targets: cassperf not slower than pandas; cassperf peak RSS under 1.5 GB.
 * Run: npm run bench:trace   (EVENTS=200000 npm run bench:trace for a quicker run)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { parseEventsJsonl, parseSessionsJsonl, timeuuidMicros, isoFromMicros } from "../src/parse/trace-rows";

const FIXTURE = path.join(__dirname, "../test/fixtures/trace/lab21/traces");
const TARGET = Number(process.env.EVENTS ?? 1_000_000);

/** A version-1 uuid with the given epoch microseconds and the clock sequence/node of `like`. */
function timeuuidAt(us: number, like: string): string {
  const t = BigInt(Math.round(us)) * 10n + 0x01b21dd213814000n;
  const low = (t & 0xffffffffn).toString(16).padStart(8, "0");
  const mid = ((t >> 32n) & 0xffffn).toString(16).padStart(4, "0");
  const hi = (((t >> 48n) & 0x0fffn) | 0x1000n).toString(16).padStart(4, "0");
  return `${low}-${mid}-${hi}-${like.slice(19)}`;
}

/** Write the replayed dataset; returns its folder and counts. */
function buildDataset(): { dir: string; events: number; sessions: number; bytes: number } {
  const sessions = parseSessionsJsonl(fs.readFileSync(path.join(FIXTURE, "sessions.jsonl"), "utf8")).rows;
  const events = parseEventsJsonl(fs.readFileSync(path.join(FIXTURE, "events.jsonl"), "utf8")).rows;
  const bySession = new Map<string, typeof events>();
  for (const e of events) (bySession.get(e.session_id) ?? bySession.set(e.session_id, []).get(e.session_id)!).push(e);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cassperf-trace-bench-"));
  fs.mkdirSync(path.join(dir, "traces"));
  fs.writeFileSync(
    path.join(dir, "cassperf.json"),
    JSON.stringify({ format: "cassperf-dataset", version: 1, captured: ["traces"], notes: "trace bench: lab sessions replayed" }),
  );
  const sOut = fs.openSync(path.join(dir, "traces/sessions.jsonl"), "w");
  const eOut = fs.openSync(path.join(dir, "traces/events.jsonl"), "w");
  let n = 0,
    replay = 0,
    ns = 0;
  let buf: string[] = [];
  const flush = () => {
    fs.writeSync(eOut, buf.join(""));
    buf = [];
  };
  let full = true;
  while (full) {
    replay++;
    for (const s of sessions) {
      const ev = bySession.get(s.session_id) ?? [];
      if (n + ev.length > TARGET && n > 0) break;
      const id = randomUUID();
      const shiftUs = replay * 1_000_000;
      fs.writeSync(sOut, JSON.stringify({ ...s, session_id: id, started_at: isoFromMicros(Date.parse(s.started_at) * 1000 + shiftUs) }) + "\n");
      ns++;
      for (const e of ev) {
        const us = timeuuidMicros(e.event_id)! + shiftUs;
        buf.push(JSON.stringify({ ...e, session_id: id, event_id: timeuuidAt(us, e.event_id), event_time: isoFromMicros(us) }) + "\n");
        n++;
      }
      if (buf.length > 20_000) flush();
    }
    full = n + 200 <= TARGET; // stop when the next replay would overshoot by more than a session
  }
  flush();
  fs.closeSync(sOut);
  fs.closeSync(eOut);
  return { dir, events: n, sessions: ns, bytes: fs.statSync(path.join(dir, "traces/events.jsonl")).size };
}

/** The worker over the build: the same steps as cassperfWorker, as a `node -e` script requiring dist/analyze/trace/trace.js. */
function workerScript(built: string, dir: string): string {
  return `const t0 = process.hrtime.bigint();
require(${JSON.stringify(built)}).traces({ source: ${JSON.stringify(dir)} }).then((r) => {
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const u = process.resourceUsage();
  const out = { ms, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, peakRssMb: u.maxRSS / 1024, events: r.summary.events, sessions: r.summary.sessions };
  process.stdout.write(JSON.stringify({ ...out, stages: r.summary.timePerStageMs }));
});`;
}

/** The worker: run one side in this fresh process and print JSON. */
async function cassperfWorker(dir: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const { traces } = require("../src/analyze/trace/trace") as typeof import("../src/analyze/trace/trace");
  const r = await traces({ source: dir });
  const stages = r.summary.timePerStageMs as Record<string, number>;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const u = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({
      ms,
      cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000,
      peakRssMb: u.maxRSS / 1024,
      events: r.summary.events,
      sessions: r.summary.sessions,
      stages,
    }),
  );
}

const PANDAS = String.raw`
import json, re, sys, time, resource
t0 = time.time()
import pandas as pd
rules = json.loads(sys.argv[2]); task_start = set(json.loads(sys.argv[3]))
compiled = [(re.compile(src, re.I if 'i' in flags else 0), stage, name) for src, flags, stage, name in rules]
df = pd.read_json(sys.argv[1], lines=True, dtype={"source_elapsed": "float64"})
acts = df["activity"].unique()
def classify(a):
    a2 = a.strip()
    for rx, stage, name in compiled:
        if rx.search(a2): return (stage, name)
    return ("other", "unknown")
m = {a: classify(a) for a in acts}
df["stage"] = df["activity"].map(lambda a: m[a][0])
df["start"] = df["activity"].map(lambda a: m[a][1] in task_start)
at = df["source_elapsed"]
keys_thread = [df["session_id"], df["source"], df["thread"]]
keys_node = [df["session_id"], df["source"]]
# previous elapsed on the same node/thread (null elapsed events skipped), and the node's running max before this event
valid = at.notna()
g = df.assign(at=at)[valid]
tp = g.groupby([g["session_id"], g["source"], g["thread"]])["at"].shift()
nc = g.groupby([g["session_id"], g["source"]])["at"].cummax()
npv = nc.groupby([g["session_id"], g["source"]]).shift().fillna(0.0)
use_node = tp.isna() | (g["start"] & (npv <= g["at"]))
prev = npv.where(use_node, tp)
delta = (g["at"] - prev).clip(lower=0)
out = delta.groupby(g["stage"]).sum() / 1000.0
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"ms": (time.time() - t0) * 1000, "cpuMs": (ru.ru_utime + ru.ru_stime) * 1000, "peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "events": int(len(df)), "stages": {k: round(float(v), 3) for k, v in out.items() if v}}))
`;

/** Debian's python3 (python3-pandas lives there; a pyenv shim earlier on PATH may lack it). PYTHON overrides. */
const PYTHON = process.env.PYTHON ?? (fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

async function main(): Promise<void> {
  if (process.argv[2] === "--worker") return cassperfWorker(process.argv[3]);
  if (process.argv[2] === "--build-only") return void console.log(buildDataset().dir);
  const { STAGE_RULES } = require("../src/parse/trace-stages") as typeof import("../src/parse/trace-stages");
  const { TASK_START_RULES } = require("../src/analyze/trace/trace-model") as typeof import("../src/analyze/trace/trace-model");
  console.log(`trace bench: building ${TARGET.toLocaleString("en-US")} events from the real lab sessions ...`);
  const tb = Date.now();
  const ds = buildDataset();
  console.log(
    `  ${ds.events.toLocaleString("en-US")} events in ${ds.sessions.toLocaleString("en-US")} sessions, events.jsonl ${(ds.bytes / 2 ** 20).toFixed(0)} MB (built in ${((Date.now() - tb) / 1000).toFixed(1)} s)`,
  );
  try {
    // The build in dist/ (as `npx cassperf` runs it: `npm run bench:trace` builds first), else the sources through tsx.
    const built = path.join(__dirname, "../dist/analyze/trace/trace.js");
    const useDist = fs.existsSync(built) && fs.statSync(built).mtimeMs >= fs.statSync(path.join(__dirname, "../src/analyze/trace/trace.ts")).mtimeMs;
    const ours = spawnSync(process.execPath, useDist ? ["-e", workerScript(built, ds.dir)] : ["--import", "tsx", __filename, "--worker", ds.dir], {
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
      env: { ...process.env, TZ: "UTC" },
    });
    if (ours.status !== 0) throw new Error(`cassperf worker failed: ${ours.stderr}`);
    const a = JSON.parse(ours.stdout);
    const rules = JSON.stringify(STAGE_RULES.map((r) => [r.pattern.source, r.pattern.flags, r.stage, r.name]));
    const py = spawnSync(PYTHON, ["-c", PANDAS, path.join(ds.dir, "traces/events.jsonl"), rules, JSON.stringify([...TASK_START_RULES])], {
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
    });
    if (py.status !== 0) throw new Error(`pandas failed: ${py.stderr}`);
    const b = JSON.parse(py.stdout);
    // The two answers must agree.
    const stages = [...new Set([...Object.keys(a.stages), ...Object.keys(b.stages)])].sort();
    let worst = 0;
    for (const s of stages) worst = Math.max(worst, Math.abs((a.stages[s] ?? 0) - (b.stages[s] ?? 0)) / Math.max(1, b.stages[s] ?? 0));
    console.log("");
    console.log(`  stage breakdown (ms, summed over all events)   cassperf        pandas`);
    for (const s of stages) console.log(`    ${s.padEnd(44)} ${String(a.stages[s] ?? 0).padStart(12)}  ${String(b.stages[s] ?? 0).padStart(12)}`);
    console.log("");
    const load = os.loadavg()[0];
    console.log(
      `  cassperf traces():  wall ${(a.ms / 1000).toFixed(2)} s, CPU ${(a.cpuMs / 1000).toFixed(2)} s, peak RSS ${a.peakRssMb.toFixed(0)} MB  (${a.events.toLocaleString("en-US")} events, ${a.sessions.toLocaleString("en-US")} sessions, full report; over dist/ when built, else tsx compiling the sources)`,
    );
    console.log(
      `  pandas ${spawnSync(PYTHON, ["-c", "import pandas; print(pandas.__version__)"], { encoding: "utf8" }).stdout.trim()}:        wall ${(b.ms / 1000).toFixed(2)} s, CPU ${(b.cpuMs / 1000).toFixed(2)} s, peak RSS ${b.peakRssMb.toFixed(0)} MB  (${b.events.toLocaleString("en-US")} events, group-by only)`,
    );
    console.log(
      `  ratio: cassperf is ${(b.ms / a.ms).toFixed(2)}x pandas' speed by wall clock, ${(b.cpuMs / a.cpuMs).toFixed(2)}x by CPU time (load average ${load.toFixed(1)} on ${os.cpus().length} cores: wall clocks are noisy when the machine is shared); answers agree to ${(worst * 100).toFixed(4)}% (largest relative difference per stage)`,
    );
    console.log(
      `  targets: not slower than pandas -> ${a.cpuMs <= b.cpuMs ? "met" : "MISSED"} by CPU time, ${a.ms <= b.ms ? "met" : "MISSED"} by wall clock; peak RSS < 1.5 GB -> ${a.peakRssMb < 1536 ? "met" : "MISSED"}`,
    );
    if (worst > 1e-6) console.log("  WARNING: the two stage breakdowns differ");
  } finally {
    if (process.env.TRACE_BENCH_KEEP) console.log(`  dataset kept in ${ds.dir}`);
    else fs.rmSync(ds.dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
