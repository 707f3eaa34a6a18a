/**
 * Re-record only the bench runs of datasets/lab-3node (bench/<run>.json) on a running lab, leaving
 * every other file of the dataset as it is, and update the manifest's sha256/size entries and notes.
 *
 * Why: the dataset's first two bench runs were recorded before bench()'s fixed-rate fix and held
 * latencies that cannot be true (response-time p50 0.001 ms under a service-time p50 of 0.45 ms);
 * a full `npm run dataset:lab` would also change every log, trace and nodetool output the
 * runbooks' outputs cite. The runs are the same as scripts/dataset-lab.ts makes (keep the two in step):
 * bench("writes", { rate: 1000, concurrency: 4 | 32, duration: 8, warmup: 1 }).
 *
 *   node --import tsx scripts/dataset-bench.ts --lab-dir D [--out datasets/lab-3node]
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as lab from "../src/lab";
import { bench, benchRunToJSON } from "../src/analyze/bench/bench";
import { impossibleLatencies, describeImpossible } from "../src/bench/impossible";

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const say = (s: string) => console.error(`dataset:bench: ${s}`);

async function main(): Promise<number> {
  const root = path.resolve(__dirname, "..");
  const out = path.resolve(arg("out", path.join(root, "datasets", "lab-3node"))!);
  const labDir = arg("lab-dir", process.env.CASSPERF_LAB_DIR);
  if (!labDir || !lab.running({ dir: labDir })) throw new Error("give a running lab with --lab-dir (cassperf lab start --dir D ...)");
  const manifestPath = path.join(out, "cassperf.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  const live = await lab.connect(labDir);
  const runs = [];
  const load = os.loadavg()[0];
  try {
    // The original runs followed a data load and a cassandra-stress run: warm the JVMs the same way (not saved).
    say("warm-up: bench writes, closed loop, 10 s (not saved)");
    await bench("writes", { source: live, concurrency: 16, duration: 10, warmup: 1 });
    for (const [label, concurrency] of [
      ["before", 4],
      ["after", 32],
    ] as const) {
      say(`bench writes at 1,000 op/s, concurrency ${concurrency} (${label})`);
      const r = await bench("writes", { source: live, rate: 1000, concurrency, duration: 8, warmup: 1 });
      const bad = impossibleLatencies(r.run);
      if (bad.length) throw new Error(`the new run holds impossible values: ${bad.map(describeImpossible).join("; ")}`);
      runs.push(benchRunToJSON(r));
    }
  } finally {
    await live.close();
  }
  const benchDir = path.join(out, "bench");
  const old = fs.readdirSync(benchDir).filter((f) => f.endsWith(".json"));
  for (const f of old) {
    fs.rmSync(path.join(benchDir, f));
    delete manifest.files[`bench/${f}`];
  }
  for (const run of runs) {
    const rel = `bench/${run.id.replace(/[^\w.-]+/g, "_")}.json`;
    const buf = Buffer.from(JSON.stringify(run, null, 1));
    fs.writeFileSync(path.join(out, rel), buf);
    manifest.files[rel] = { sha256: crypto.createHash("sha256").update(buf).digest("hex"), bytes: buf.length };
    say(`wrote ${rel}: p50 ${run.summary.p50_ms} ms (service ${run.ops.find((o) => o.op === "all")?.service_p50_ms} ms), p99 ${run.summary.p99_ms} ms`);
  }
  manifest.files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b)));
  const note = `The bench runs (bench/) were re-recorded on ${new Date().toISOString().slice(0, 10)} by scripts/dataset-bench.ts with the same workload on a fresh 3-node Cassandra 2.1.0 lab (${runs[0].config.cluster}), at a 1-minute load average of ${load.toFixed(1)} on ${os.cpus().length} cores (${load > os.cpus().length ? "an overloaded machine: the lab could not keep up with 1,000 op/s, so response times include long queueing; re-run on a quiet machine for representative figures" : "a quiet machine"}), replacing runs ${old.map((f) => f.replace(/\.json$/, "")).join(" and ")} that were measured before bench()'s fixed-rate fix (response-time p50 below service-time p50).`;
  manifest.notes =
    `${String(manifest.notes ?? "").replace(/ The bench runs \(bench\/\) were re-recorded[\s\S]*?fixed-rate fix \(response-time p50 below service-time p50\)\./, "")} ${note}`.trim();
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`dataset:bench: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
