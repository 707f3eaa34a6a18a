/**
 * bench's rule tables (../rule.ts Rule), with BENCH_THRESHOLDS beside them, each threshold with where
 * its number comes from. Every finding a bench report (live run, saved run or cassandra-stress
 * import) shows comes from BENCH_RULES (benchFindings); every finding of compareRuns from
 * COMPARE_RULES (compareFindings), whose noise thresholds live here too.
 */
import type { Finding, Threshold } from "../../present/report";
import type { BenchRun } from "../../bench/run";
import { describeImpossible, impossibleLatencies, IMPOSSIBLE_TOLERANCE, type ImpossibleLatency } from "../../bench/impossible";
import { applyRules, type Rule } from "../rule";

/** The thresholds, in one place. */
export const BENCH_THRESHOLDS = {
  READ_P99_MS: { name: "READ_P99_MS", value: 10, unit: "ms", source: "cassperf's choice: the 10 ms of histograms' READ_P99_MS" },
  ERROR_RATE_WARN: {
    name: "ERROR_RATE_WARN",
    value: 0.001,
    unit: "fraction of operations",
    source: "cassperf's choice: 0.1% of operations failing (a 99.9% success objective)",
  },
  ERROR_RATE_CRITICAL: {
    name: "ERROR_RATE_CRITICAL",
    value: 0.01,
    unit: "fraction of operations",
    source: "cassperf choice: at 1% errors the latency figures describe a failing cluster",
  },
  CLIENT_EVENT_LOOP_P99_MS: {
    name: "CLIENT_EVENT_LOOP_P99_MS",
    value: 20,
    unit: "ms",
    source:
      "cassperf choice: the bench client's event loop delayed by more than 20 ms at p99 (beyond the 10 ms sampling resolution) adds that much to measured latencies — a lab run on 2 cores shows 0-5 ms",
  },
  CLIENT_CPU_CORES: {
    name: "CLIENT_CPU_CORES",
    value: 0.9,
    unit: "cores",
    source: "Node runs the driver and the recorder on one thread: above 0.9 of a core the client, not the cluster, sets the pace",
  },
  TARGET_RATE_MIN_FRACTION: {
    name: "TARGET_RATE_MIN_FRACTION",
    value: 0.95,
    unit: "fraction of target rate",
    source: "cassperf choice: below 95% of the target rate the run measured a different load than asked",
  },
  NOISE_MIN_RELATIVE: {
    name: "NOISE_MIN_RELATIVE",
    value: 0.1,
    unit: "fraction of run a's value",
    source: "cassperf choice: repeated lab runs of the same workload differ by up to ~10% in ops/s and p99",
  },
  NOISE_P_VALUE: {
    name: "NOISE_P_VALUE",
    value: 0.01,
    unit: "two-sided p-value of the per-second permutation test",
    source:
      "compareRuns makes 6 tests per op type: at 0.05, two runs of one workload would show a false difference in 1 of 12 tests about half the time (1 - 0.95^12 = 46%); at 0.01 about 11%",
  },
  NOISE_PERMUTATIONS: {
    name: "NOISE_PERMUTATIONS",
    value: 10_000,
    unit: "shuffles",
    source:
      "simple-statistics' default for permutationTest: resolves a p-value near 0.01 to about ±0.001 (binomial standard error sqrt(0.01 × 0.99 / 10,000)); 50-60 ms per metric for 60 + 60 seconds on 2 shared cores at load average 25",
  },
} satisfies Record<string, Threshold>;

const T = BENCH_THRESHOLDS;
const fmt = (v: number, d = 1) => v.toLocaleString("en-US", { maximumFractionDigits: d });

/** Ops rows by kind, using the config's op kinds when present, else the name. */
function opsOfKind(run: BenchRun, kind: "read" | "write") {
  const kinds = (run.config.opKinds ?? {}) as Record<string, string>;
  return run.ops.filter(
    (o) =>
      o.op !== "all" && o.op !== "total" && (kinds[o.op] ?? (/read|select/i.test(o.op) ? "read" : /write|insert|update/i.test(o.op) ? "write" : "")) === kind,
  );
}

/** The rule table. */
export const BENCH_RULES: Rule<BenchRun>[] = [
  {
    id: "bench.impossible-latency",
    severity: "critical",
    thresholds: [IMPOSSIBLE_TOLERANCE],
    check: (run) => {
      const bad = impossibleLatencies(run);
      if (!bad.length) return [];
      return [
        {
          title: `${run.id}: response time below service time (${bad.map((b) => `${b.op} ${b.percentile}`).join(", ")}) — these latencies cannot be true`,
          evidence:
            bad.map(describeImpossible).join("; ") +
            ". A response time is measured from the intended start, before the send, so it is never shorter than the service time.",
          action:
            "Do not use this run's response-time percentiles: it was measured wrongly (e.g. recorded before cassperf's fixed-rate fix). Run it again with the current bench().",
        },
      ];
    },
  },
  {
    id: "bench.peak-write-throughput",
    severity: "info",
    thresholds: [],
    check: (run) => {
      const writes = new Set(opsOfKind(run, "write").map((o) => o.op));
      if (writes.size === 0) return [];
      // Peak over whole seconds only (the last partial second is rated by its length and is noisy).
      const perSecond = new Map<number, number>();
      for (const r of run.intervals) if (writes.has(r.op)) perSecond.set(r.second, (perSecond.get(r.second) ?? 0) + r.ops_per_s);
      const rows = [...perSecond.entries()];
      const whole = rows.length > 1 ? rows.slice(0, -1) : rows;
      if (!whole.length) return [];
      const [sec, peak] = whole.reduce((a, b) => (b[1] > a[1] ? b : a));
      const avg = opsOfKind(run, "write").reduce((s, o) => s + o.ops_per_s, 0);
      return [
        {
          title: `Peak write throughput ${fmt(peak, 0)} op/s (run average ${fmt(avg, 0)} op/s)`,
          evidence: `intervals: second ${sec} of run ${run.id}`,
          action: "Compare with the rate your application needs at peak; rerun with a higher concurrency to find the cluster's ceiling.",
        },
      ];
    },
  },
  {
    id: "bench.read-p99-over-10ms",
    severity: "warning",
    thresholds: [T.READ_P99_MS],
    check: (run) =>
      opsOfKind(run, "read")
        .filter((o) => o.p99_ms !== null && o.p99_ms > T.READ_P99_MS.value)
        .map((o) => ({
          title: `Read p99 ${fmt(o.p99_ms!)} ms is over ${T.READ_P99_MS.value} ms (${o.op})`,
          evidence: `${o.count.toLocaleString("en-US")} ${o.op} operations, merged histogram: p50 ${fmt(o.p50_ms ?? 0)} ms, p99 ${fmt(o.p99_ms!)} ms, max ${fmt(o.max_ms ?? 0)} ms`,
          action: "Look at the read path: trace() a slow read, histograms() for SSTables per read, gcStats() for pauses in the same seconds.",
          helper: "trace",
        })),
  },
  {
    id: "bench.error-rate",
    severity: "warning",
    thresholds: [T.ERROR_RATE_WARN, T.ERROR_RATE_CRITICAL],
    check: (run) => {
      const all = run.ops.find((o) => o.op === "all");
      if (!all || all.count === 0 || all.errors === 0) return [];
      const rate = all.errors / all.count;
      if (rate <= T.ERROR_RATE_WARN.value) return [];
      const types = Object.entries(run.errors_by_type)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
      return [
        {
          severity: rate > T.ERROR_RATE_CRITICAL.value ? "critical" : "warning", // past the second threshold
          title: `${fmt(rate * 100, 2)}% of operations failed (${all.errors.toLocaleString("en-US")} of ${all.count.toLocaleString("en-US")})`,
          evidence: types ? `errors by type: ${types}` : "errors as printed by cassandra-stress",
          action:
            "Timeouts: check the nodes' GC pauses and pending tasks (gcStats(), nodetool tpstats) in the seconds the errors appear in `intervals`; Unavailable: a node was down.",
        },
      ];
    },
  },
  {
    id: "bench.client-bottleneck",
    severity: "warning",
    thresholds: [T.CLIENT_EVENT_LOOP_P99_MS, T.CLIENT_CPU_CORES],
    check: (run) => {
      const c = run.client;
      if (!c) return [];
      const loop = c.event_loop_delay_p99_ms > T.CLIENT_EVENT_LOOP_P99_MS.value;
      const cpu = c.cpu_cores > T.CLIENT_CPU_CORES.value;
      if (!loop && !cpu) return [];
      return [
        {
          title: cpu
            ? "The bench client was the bottleneck: it used a full core, so latencies include time spent waiting in the client"
            : "The bench client's event loop was delayed (the machine is busy, the client got too little CPU): latencies include that delay",
          evidence: `event-loop delay p99 ${fmt(c.event_loop_delay_p99_ms)} ms (threshold ${T.CLIENT_EVENT_LOOP_P99_MS.value} ms), max ${fmt(c.event_loop_delay_max_ms)} ms; client CPU ${fmt(c.cpu_cores, 2)} cores (threshold ${T.CLIENT_CPU_CORES.value})`,
          action: cpu
            ? "Lower concurrency, run the bench from another machine, or run several bench processes and merge their histograms."
            : "Run the bench where it does not compete with the nodes (or other load) for CPU, then compare the runs.",
        },
      ];
    },
  },
  {
    id: "bench.target-rate-not-reached",
    severity: "warning",
    thresholds: [T.TARGET_RATE_MIN_FRACTION],
    check: (run) => {
      const target = run.config.rate as number | undefined;
      if (run.mode !== "fixed-rate" || !target) return [];
      const all = run.ops.find((o) => o.op === "all");
      if (!all) return [];
      const perSecond = new Map<number, number>();
      for (const r of run.intervals) perSecond.set(r.second, (perSecond.get(r.second) ?? 0) + r.ops_per_s);
      const rates = [...perSecond.values()];
      const whole = rates.length > 1 ? rates.slice(0, -1) : rates;
      const best = whole.length ? Math.max(...whole) : all.ops_per_s;
      if (all.ops_per_s >= T.TARGET_RATE_MIN_FRACTION.value * target) return [];
      const never = best < T.TARGET_RATE_MIN_FRACTION.value * target;
      return [
        {
          title: never
            ? `Never reached the target rate: ${fmt(all.ops_per_s, 0)} op/s achieved of ${fmt(target, 0)} op/s asked (best second ${fmt(best, 0)} op/s)`
            : `Fell short of the target rate: ${fmt(all.ops_per_s, 0)} op/s on average of ${fmt(target, 0)} op/s asked`,
          evidence: `fixed-rate run ${run.id}: concurrency ${String(run.config.concurrency)}, ${all.count.toLocaleString("en-US")} operations`,
          action: never
            ? "The cluster (or the client) cannot sustain this rate: raise concurrency if latency × rate exceeds it, or lower the rate."
            : "Look at the seconds where ops_per_s dropped in `intervals`: a stall delayed the schedule.",
        },
      ];
    },
  },
  {
    id: "bench.partial-run",
    severity: "warning",
    thresholds: [],
    check: (run) =>
      run.partial
        ? [
            {
              title: "Partial run: cancelled before its planned end",
              evidence: `measured ${fmt(Number(run.summary.duration_s ?? 0))} s of ${run.config.duration !== undefined ? `${String(run.config.duration)} s` : `${String(run.config.ops)} ops`} planned`,
              action: "Rerun to completion before comparing it with other runs.",
            },
          ]
        : [],
  },
];

/** All findings for a run (helper "bench" unless a rule names another). */
export function benchFindings(run: BenchRun): Finding[] {
  return applyRules(BENCH_RULES, run, "bench");
}

/** A difference compareRuns found beyond run-to-run noise (one op type, one metric), with what the finding cites. */
export interface BeyondNoise {
  op: string;
  /** The metric's label: "ops/s", "p50", ... "max". */
  label: string;
  higherIsBetter: boolean;
  /** Run a's and run b's whole-run values. */
  a: number;
  b: number;
  diff: number;
  /** NOISE_MIN_RELATIVE of run a's value. */
  band: number;
  /** How "beyond noise" was decided (the 10% band, and the permutation test when there were enough seconds). */
  basis: string;
  worse: boolean;
}

/** What compareRuns' rules see: the two runs, the percentiles refused as impossible, the differences beyond noise in row order. */
export interface Comparison {
  a: BenchRun;
  b: BenchRun;
  impossible: ImpossibleLatency[];
  beyond: BeyondNoise[];
}

const fmtN = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: Math.abs(v) >= 100 ? 0 : 2 });

/** compareRuns' rule table: percentiles refused as impossible, then every difference beyond noise (worse or better, in row order). */
export const COMPARE_RULES: Rule<Comparison>[] = [
  {
    id: "bench.impossible-latency",
    severity: "critical",
    thresholds: [IMPOSSIBLE_TOLERANCE],
    check: ({ impossible }) =>
      impossible.length
        ? {
            title: `${[...new Set(impossible.map((x) => x.run))].join(" and ")}: response time below service time — those percentiles are not compared`,
            evidence: impossible.map(describeImpossible).join("; "),
            action: "Run the affected run again with the current bench() before comparing.",
          }
        : undefined,
  },
  {
    id: "bench.compare-beyond-noise",
    severity: "warning",
    thresholds: [T.NOISE_MIN_RELATIVE, T.NOISE_P_VALUE, T.NOISE_PERMUTATIONS],
    what: 'each difference beyond noise: "bench.compare-worse" (warning) or "bench.compare-better" (info)',
    check: ({ a, b, beyond }) =>
      beyond.map((d) => ({
        id: d.worse ? "bench.compare-worse" : "bench.compare-better",
        severity: d.worse ? ("warning" as const) : ("info" as const),
        title: `${d.op} ${d.label} ${d.worse ? "worse" : "better"} in run b: ${fmtN(d.a)} -> ${fmtN(d.b)}${d.higherIsBetter ? " op/s" : " ms"} (${d.diff > 0 ? "+" : ""}${d.a ? ((d.diff / d.a) * 100).toFixed(1) : "∞"}%)`,
        evidence: `difference ${fmtN(Math.abs(d.diff))} over 10% of run a (${fmtN(d.band)}); ${d.basis}; a = ${a.id}, b = ${b.id}`,
        action: d.worse
          ? "Check what changed between the runs (config, data size, compaction, GC) and rerun both to confirm."
          : "Keep the change if it is the one you made on purpose; rerun to confirm.",
      })),
  },
];

/** compareRuns' findings (helper "bench"). */
export function compareFindings(c: Comparison): Finding[] {
  return applyRules(COMPARE_RULES, c, "bench");
}
