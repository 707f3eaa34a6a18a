/**
 * bench with several client threads (worker_threads): each thread runs its own driver client and
 * load loop over its share of the concurrency, rate (interleaved schedule) and op count; the main
 * thread merges their HdrHistograms — whole-run and per-interval — exactly, which is what the
 * histograms are for. One Node thread drives roughly 20-40k simple operations a second and, on a
 * busy machine, gets one thread's share of the CPU: more threads lift both limits.
 *
 * Only what can cross a thread boundary is sent: built-in workloads (a custom workload's generator
 * functions cannot be), and connection settings without functions.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { CassperfError } from "../errors";
import type { ConnectOptions } from "../cluster/live";
import type { BenchClientOptions } from "./client";
import { decodeHistogram, mergeHistograms, percentiles, rowPercentiles, type Histogram } from "./hdr";
import { Recorder } from "./recorder";
import type { BenchInterval } from "./run";
import type { BenchProgress, RunnerConfig, RunnerResult } from "./runner";
import type { WorkloadOptions } from "./workloads";

/** What one thread is told (structured-clone safe). */
export interface ThreadSpec
  extends Pick<
    RunnerConfig,
    "mode" | "concurrency" | "rate" | "scheduleOffsetMs" | "durationMs" | "opCount" | "warmupMs" | "consistency" | "prepared" | "timeoutMs" | "seed"
  > {
  index: number;
  threads: number;
  connect: ConnectOptions;
  client: BenchClientOptions;
  keyspace: string;
  /** A built-in workload by name (a workload object cannot cross the thread boundary). */
  workload: string;
  workloadOptions: WorkloadOptions;
}

/** What one thread sends back. */
export interface ThreadResult {
  ops: { name: string; response: string; service?: string; count: number; errors: number }[];
  intervals: BenchInterval[];
  intervalHistograms: Recorder["intervalHistograms"];
  errorsByType: Record<string, number>;
  warmupOps: number;
  measuredMs: number;
  partial: boolean;
  client: RunnerResult["client"];
  startedAt: string;
  endedAt: string;
}

/** Options that must be plain data to reach a thread. */
function checkCloneable(spec: { workload: string; connect: ConnectOptions }): void {
  if (spec.workload === "custom")
    throw new CassperfError(
      'bench: { threads } works with the built-in workloads; a custom workload\'s value generators are functions and cannot move to another thread. Use threads: 1 (the default) with "custom".',
    );
  if (spec.connect.driverOptions) {
    throw new CassperfError(
      "bench: { threads } needs connection settings that are plain data; this source was connected with driverOptions (they may hold policies and functions). Use threads: 1.",
    );
  }
}

function share(total: number, threads: number, i: number): number {
  return Math.floor(total / threads) + (i < total % threads ? 1 : 0);
}

/** Run the load on `threads` worker threads and merge their recordings. */
export async function runThreads(
  base: Omit<ThreadSpec, "index" | "threads" | "scheduleOffsetMs">,
  threads: number,
  control: { signal?: AbortSignal; onProgress?: (p: BenchProgress) => void; opNames: string[] },
): Promise<RunnerResult> {
  checkCloneable(base);
  const { nodetool: _nodetool, logs: _logs, ...plainConnect } = base.connect;
  const file = path.join(__dirname, `thread-worker${path.extname(__filename)}`);
  const workers: Worker[] = [];
  const progress = new Array<{ completed: number; measuring: boolean }>(threads).fill({ completed: 0, measuring: false });
  const results: Promise<ThreadResult>[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < threads; i++) {
    const spec: ThreadSpec = {
      ...base,
      connect: plainConnect,
      index: i,
      threads,
      concurrency: Math.max(1, share(base.concurrency, threads, i)),
      ...(base.rate !== undefined ? { rate: base.rate / threads, scheduleOffsetMs: (i * 1000) / base.rate } : {}),
      ...(base.opCount !== undefined ? { opCount: share(base.opCount, threads, i) } : {}),
      seed: base.seed * 1000 + i,
    };
    // From TypeScript sources (tests, benchmarks run with tsx) the thread registers tsx first.
    const w = file.endsWith(".ts")
      ? new Worker(`require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(file)});`, { eval: true, workerData: spec })
      : new Worker(file, { workerData: spec });
    workers.push(w);
    let onReady!: () => void;
    ready.push(new Promise<void>((r) => (onReady = r)));
    results.push(
      new Promise<ThreadResult>((resolve, reject) => {
        w.on("message", (m: { type: string; [k: string]: unknown }) => {
          if (m.type === "ready") onReady();
          else if (m.type === "progress") progress[i] = { completed: m.completed as number, measuring: m.measuring as boolean };
          else if (m.type === "done") resolve(m.result as ThreadResult);
          else if (m.type === "error") reject(new CassperfError(`bench thread ${i}: ${String(m.message)}`));
        });
        w.on("error", reject);
        w.on("exit", (code) => reject(new CassperfError(`bench thread ${i} exited (code ${code}) before reporting`)));
      }),
    );
  }
  const abort = () => workers.forEach((w) => w.postMessage({ type: "abort" }));
  control.signal?.addEventListener("abort", abort, { once: true });
  const t0 = Date.now();
  const timer = control.onProgress
    ? setInterval(() => {
        const completed = progress.reduce((n, p) => n + p.completed, 0);
        const measuring = progress.some((p) => p.measuring);
        const total = base.opCount ?? base.durationMs ?? 0;
        const elapsedMs = Date.now() - t0;
        const done = base.opCount !== undefined ? completed : Math.max(0, Math.min(total, elapsedMs - base.warmupMs));
        try {
          control.onProgress!({
            done,
            total,
            label: `${base.workload}: ${completed.toLocaleString("en-US")} ops on ${threads} threads`,
            elapsedMs,
            phase: measuring ? "measuring" : "warmup",
            completed,
          });
        } catch {
          /* a progress callback must not break the run */
        }
      }, 250)
    : undefined;
  try {
    await Promise.race([Promise.all(ready), Promise.all(results)]);
    const startAt = Date.now() + 50;
    workers.forEach((w) => w.postMessage({ type: "go", startAt }));
    if (control.signal?.aborted) abort();
    const done = await Promise.all(results);
    return merge(done, control.opNames, base.mode === "fixed-rate");
  } finally {
    if (timer) clearInterval(timer);
    control.signal?.removeEventListener("abort", abort);
    await Promise.all(workers.map((w) => w.terminate().catch(() => 0)));
  }
}

/** Merge threads' recordings: counts add, histograms merge, per-interval percentiles from merged interval histograms. */
function merge(parts: ThreadResult[], opNames: string[], fixedRate: boolean): RunnerResult {
  const rec = new Recorder(opNames, fixedRate);
  for (const p of parts) {
    for (const o of p.ops) {
      const s = rec.ops.find((x) => x.name === o.name)!;
      s.response.add(decodeHistogram(o.response));
      if (o.service && s.service) s.service.add(decodeHistogram(o.service));
      s.count += o.count;
      s.errors += o.errors;
      rec.completed += o.count;
    }
    for (const [k, v] of Object.entries(p.errorsByType)) rec.errorsByType[k] = (rec.errorsByType[k] ?? 0) + v;
  }
  const key = (second: number, op: string) => `${second}\u0000${op}`;
  const rows = new Map<string, BenchInterval>();
  for (const p of parts)
    for (const r of p.intervals) {
      const k = key(r.second, r.op);
      const m = rows.get(k);
      if (!m) rows.set(k, { ...r });
      else {
        m.ops += r.ops;
        m.errors += r.errors;
        m.ops_per_s = Math.round((m.ops_per_s + r.ops_per_s) * 10) / 10;
      }
    }
  const hists = new Map<string, { response: Histogram[]; service: Histogram[] }>();
  for (const p of parts)
    for (const h of p.intervalHistograms) {
      const k = key(h.second, h.op);
      const e = hists.get(k) ?? { response: [], service: [] };
      e.response.push(decodeHistogram(h.response));
      if (h.service) e.service.push(decodeHistogram(h.service));
      hists.set(k, e);
    }
  for (const [k, r] of rows) {
    const e = hists.get(k);
    if (!e || !e.response.length) continue;
    Object.assign(r, rowPercentiles(mergeHistograms(e.response)));
    if (e.service.length) r.service_p99_ms = percentiles(mergeHistograms(e.service)).p99_ms;
  }
  rec.intervals.push(...[...rows.values()].sort((a, b) => a.second - b.second || opNames.indexOf(a.op) - opNames.indexOf(b.op)));
  const startedAt = new Date(Math.min(...parts.map((p) => Date.parse(p.startedAt))));
  const endedAt = new Date(Math.max(...parts.map((p) => Date.parse(p.endedAt))));
  return {
    recorder: rec,
    startedAt,
    endedAt,
    measuredMs: Math.max(...parts.map((p) => p.measuredMs)),
    partial: parts.some((p) => p.partial),
    // Each thread has its own event loop: the worst one; process CPU is process-wide, the same in each.
    client: {
      event_loop_delay_p99_ms: Math.max(...parts.map((p) => p.client.event_loop_delay_p99_ms)),
      event_loop_delay_max_ms: Math.max(...parts.map((p) => p.client.event_loop_delay_max_ms)),
      cpu_cores: Math.max(...parts.map((p) => p.client.cpu_cores)),
    },
    warmupOps: parts.reduce((n, p) => n + p.warmupOps, 0),
  };
}
