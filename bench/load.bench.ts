/**
 * bench:load — cassperf's bench("writes", { concurrency: 32 }) against the bundled
 * cassandra-stress (Apache Cassandra 2.1.0's) `write n=... -rate threads=32`, run alternately on
 * the same node in the same run, so machine noise hits both alike. Reports op rate and p99 of each
 * round, the per-round (paired) ratios and their median, and each tool's median. Target: bench's op
 * rate at least equal to cassandra-stress's (median paired ratio >= 1).
 *
 *   npm run bench:load
 *   BENCH_NODE=127.0.0.1 BENCH_ROUNDS=3 BENCH_OPS=30000 npm run bench:load
 *
 * The node: BENCH_NODE, else the first of CASSPERF_LAB_NODES, else 127.0.0.1. Both tools connect to
 * that node; cassandra-stress 2.1.0 has no coordinator whitelist (its `-node whitelist` came later),
 * so on a multi-node ring both spread requests over the ring from there (bench with its driver's
 * default policy). Same data shape: 5 blob columns of 34 bytes (stress 2.1's defaults), RF 1,
 * consistency ONE, prepared statements. Each tool writes to its own keyspace (Keyspace1 for stress,
 * cassperf_bench for bench). cassandra-stress warms up its fresh JVM by its own rule (up to 50,000
 * writes, not counted); bench warms up for 2 s (not counted).
 */
import { spawnSync } from "node:child_process";
import { connect } from "../src/index";
import { bench } from "../src/analyze/bench/bench";
import { parseStress } from "../src/parse/cassandra-stress";
import { cassandraHome, javaBinary, stressArgv } from "../src/lab/java";

const NODE = process.env.BENCH_NODE ?? process.env.CASSPERF_LAB_NODES?.split(",")[0] ?? "127.0.0.1";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OPS = Number(process.env.BENCH_OPS ?? 30000);
const THREADS = 32;

interface Result {
  tool: "bench" | "cassandra-stress";
  round: number;
  ops_per_s: number;
  p99_ms: number;
  p50_ms: number;
  ops: number;
  errors: number;
}

function runStress(round: number): Result {
  const args = ["write", `n=${OPS}`, "cl=ONE", "-rate", `threads=${THREADS}`, "-mode", "native", "prepared", "cql3", "-node", NODE];
  const p = spawnSync(javaBinary(), stressArgv(cassandraHome(), args), { encoding: "utf8", maxBuffer: 64 * 2 ** 20, timeout: 600_000 });
  const parsed = parseStress(p.stdout ?? "");
  const run = parsed.runs[parsed.runs.length - 1];
  if (p.status !== 0 || !run || run.summary.ops_per_s === undefined) {
    throw new Error(`cassandra-stress failed (exit ${p.status}): ${(p.stderr || p.stdout || "").trim().split("\n").slice(-5).join(" | ")}`);
  }
  return {
    tool: "cassandra-stress",
    round,
    ops_per_s: run.summary.ops_per_s,
    p99_ms: run.summary.p99_ms ?? NaN,
    p50_ms: run.summary.p50_ms ?? NaN,
    ops: run.summary.total_partitions ?? OPS,
    errors: run.summary.total_errors ?? 0,
  };
}

async function main() {
  const live = await connect({ contactPoints: [NODE], localDataCenter: "datacenter1" });
  const ring = live.nodes();
  console.log(
    `bench:load — node ${NODE} (ring: ${ring.join(", ")}), ${ROUNDS} rounds of ${OPS.toLocaleString("en-US")} writes each, ${THREADS} threads / concurrency, CL ONE, prepared`,
  );
  const results: Result[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      // Alternate which tool goes first, so neither always runs on a fresher or more compacted node.
      const order = round % 2 === 1 ? ["cassandra-stress", "bench"] : ["bench", "cassandra-stress"];
      for (const tool of order) {
        if (tool === "cassandra-stress") {
          const r = runStress(round);
          results.push(r);
        } else {
          const rep = await bench("writes", { concurrency: THREADS, ops: OPS, warmup: 2, consistency: "ONE", prepared: true, seed: round });
          const s = rep.summary as Record<string, number>;
          results.push({ tool: "bench", round, ops_per_s: s.ops_per_s, p99_ms: s.p99_ms, p50_ms: s.p50_ms, ops: s.ops, errors: s.errors });
          if (rep.findings.some((f) => f.id === "bench.client-bottleneck"))
            console.log(
              `  round ${round}: bench reports its client as a bottleneck: event-loop p99 ${s.client_event_loop_p99_ms} ms, CPU ${s.client_cpu_cores} cores`,
            );
        }
        const last = results[results.length - 1];
        console.log(
          `  round ${round} ${last.tool.padEnd(16)} ${Math.round(last.ops_per_s).toLocaleString("en-US").padStart(7)} op/s   p50 ${last.p50_ms.toFixed(1).padStart(6)} ms   p99 ${last.p99_ms.toFixed(1).padStart(6)} ms   ${last.ops.toLocaleString("en-US")} ops, ${last.errors} errors`,
        );
      }
    }
  } finally {
    await live.close();
  }
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const of = (tool: Result["tool"], k: "ops_per_s" | "p99_ms") => median(results.filter((r) => r.tool === tool).map((r) => r[k]));
  const bRate = of("bench", "ops_per_s");
  const sRate = of("cassandra-stress", "ops_per_s");
  const bP99 = of("bench", "p99_ms");
  const sP99 = of("cassandra-stress", "p99_ms");
  // Paired: each round ran both tools back to back, so the per-round ratio cancels most machine noise.
  const paired = [...new Set(results.map((r) => r.round))].map((round) => {
    const b = results.find((r) => r.round === round && r.tool === "bench")!;
    const st = results.find((r) => r.round === round && r.tool === "cassandra-stress")!;
    return { round, rate: b.ops_per_s / st.ops_per_s, p99: b.p99_ms / st.p99_ms };
  });
  console.log("");
  console.log(
    `per-round ratio bench/stress: op rate ${paired.map((p) => p.rate.toFixed(2)).join(", ")}; p99 ${paired.map((p) => p.p99.toFixed(2)).join(", ")}`,
  );
  const pr = median(paired.map((p) => p.rate));
  console.log(
    `median paired op-rate ratio: ${pr.toFixed(2)} (target >= 1.00: ${pr >= 1 ? "met" : "NOT met"}); median paired p99 ratio ${median(paired.map((p) => p.p99)).toFixed(2)}`,
  );
  console.log(
    `median op rate: bench ${Math.round(bRate).toLocaleString("en-US")} op/s, cassandra-stress ${Math.round(sRate).toLocaleString("en-US")} op/s -> ratio of medians ${(bRate / sRate).toFixed(2)}`,
  );
  console.log(`median p99:     bench ${bP99.toFixed(1)} ms, cassandra-stress ${sP99.toFixed(1)} ms -> ratio ${(bP99 / sP99).toFixed(2)}`);
  console.log(`(p99 of both: closed loop with ${THREADS} workers, service time; bench's from its merged HdrHistogram, stress's as it printed)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
