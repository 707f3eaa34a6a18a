/**
 * The bench load loop: closed loop (N workers, each sends its next operation when the previous one
 * completes) or fixed rate (operations scheduled at start + k/rate; latency measured from that
 * intended start, so a stall that delays sending is counted — coordinated-omission corrected — and
 * the service time recorded separately). Warm-up, duration or op count, cancel via AbortSignal,
 * progress events, and the client's own health (event-loop delay, CPU) while it ran.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Client } from "cassandra-driver";
import { makeRng } from "./generators";
import { driverExecutor, type OpExecutor } from "./executor";
import { Recorder } from "./recorder";
import type { BenchClientStats, BenchMode } from "./run";
import { opPicker, type Workload } from "./workloads";

/** A progress event (for progress bars). */
export interface BenchProgress {
  /** Work done: measured operations (op-count runs) or measured milliseconds (duration runs). */
  done: number;
  /** Work planned, in the same unit as `done`. */
  total: number;
  /** One line for a bar: phase, ops and rate so far. */
  label: string;
  /** Milliseconds since the load started (warm-up included). */
  elapsedMs: number;
  /** "warmup" until the first measured operation completes, then "measuring". */
  phase: "warmup" | "measuring";
  /** Measured operations completed so far. */
  completed: number;
}

export interface RunnerConfig {
  client: Client;
  /** Sends the operations instead of `client` (the Java driver wire, for native protocol v5); `client` is then unused. */
  executor?: OpExecutor;
  workload: Workload;
  mode: BenchMode;
  /** Closed loop: workers. Fixed rate: most operations in flight. */
  concurrency: number;
  /** Fixed rate: operations per second. */
  rate?: number;
  durationMs?: number;
  opCount?: number;
  warmupMs: number;
  consistency: number;
  prepared: boolean;
  /** Client-side timeout per request (driver readTimeout), ms. */
  timeoutMs?: number;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (p: BenchProgress) => void;
  /** After a cancel, how long to wait for operations in flight before giving up on them. Default 2000 ms. */
  cancelGraceMs?: number;
  /** Fixed rate across threads: this thread's schedule starts this many ms after the run's start. */
  scheduleOffsetMs?: number;
  /** Keep each interval's encoded histograms (so threads' intervals can be merged exactly). */
  keepIntervalHistograms?: boolean;
}

export interface RunnerResult {
  recorder: Recorder;
  startedAt: Date;
  endedAt: Date;
  /** Measured phase length in ms (measurement start to last completion or cancel). */
  measuredMs: number;
  partial: boolean;
  client: BenchClientStats;
  /** Operations sent in the warm-up (not recorded). */
  warmupOps: number;
}

/** Names for the driver's error codes (native protocol spec, section 9). */
const ERROR_CODES: Record<number, string> = {
  0x1000: "Unavailable",
  0x1001: "Overloaded",
  0x1002: "IsBootstrapping",
  0x1003: "TruncateError",
  0x1100: "WriteTimeout",
  0x1200: "ReadTimeout",
  0x1300: "ReadFailure",
  0x1400: "FunctionFailure",
  0x1500: "WriteFailure",
  0x2000: "SyntaxError",
  0x2100: "Unauthorized",
  0x2200: "Invalid",
  0x2300: "ConfigError",
  0x2400: "AlreadyExists",
  0x2500: "Unprepared",
};

/** A short, stable name for a driver error: WriteTimeout, ReadTimeout, ClientTimeout, NoHostAvailable, ... */
function errorName(e: unknown): string {
  const err = e as { name?: string; code?: number };
  if (err?.name === "ResponseError" && typeof err.code === "number") return ERROR_CODES[err.code] ?? `ResponseError 0x${err.code.toString(16)}`;
  if (err?.name === "OperationTimedOutError") return "ClientTimeout";
  if (err?.name === "NoHostAvailableError") return "NoHostAvailable";
  return err?.name ?? "Error";
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Run the measured load. The schema and data set must already exist. */
export async function runLoad(cfg: RunnerConfig): Promise<RunnerResult> {
  const ops = cfg.workload.ops;
  const recorder = new Recorder(
    ops.map((o) => o.name),
    cfg.mode === "fixed-rate",
    cfg.keepIntervalHistograms === true,
  );
  const pick = opPicker(ops);
  const rng = makeRng(cfg.seed);
  const execOptions = ops.map((o) => ({
    prepare: cfg.prepared,
    consistency: cfg.consistency,
    ...(cfg.timeoutMs ? { readTimeout: cfg.timeoutMs } : {}),
    ...(o.hints && !cfg.prepared ? { hints: o.hints } : {}),
  }));
  const callIndex = ops.map(() => 0);
  const executor =
    cfg.executor ??
    driverExecutor(
      cfg.client,
      ops.map((o) => o.cql),
      execOptions,
      errorName,
    );

  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const startedAt = new Date();
  const runStart = performance.now();
  const measureStart = runStart + cfg.warmupMs;
  const endAt = cfg.durationMs !== undefined ? measureStart + cfg.durationMs : Number.POSITIVE_INFINITY;
  // Fixed-rate slots land exactly on these boundaries (rate x duration slots); floating-point error
  // must not move one across (900 or 901 ops for 300/s x 3 s): boundaries are compared with a tolerance.
  const EPS_MS = 1e-6;
  const isWarmup = (origin: number) => origin < measureStart - EPS_MS;
  recorder.start(measureStart);

  let stopped = false;
  let partial = false;
  let measuredIssued = 0;
  let warmupOps = 0;
  const onAbort = () => {
    stopped = true;
    partial = true;
  };
  if (cfg.signal) {
    if (cfg.signal.aborted) onAbort();
    else cfg.signal.addEventListener("abort", onAbort, { once: true });
  }

  const execute = async (k: number, from: number | undefined): Promise<void> => {
    const op = ops[k];
    const values = op.values(callIndex[k]++, rng);
    const { start, end, error } = await executor.execute(k, values);
    // Response time runs from the intended start (coordinated-omission correction) unless the op
    // started early (sub-millisecond waits are not slept): then from its actual start, never below service time.
    const origin = from === undefined ? start : Math.min(from, start);
    // Measured or warm-up is decided by the intended start, as admit() counted it.
    if (!isWarmup(from ?? start)) recorder.record(k, origin, start, end, error);
  };

  /** May another measured op start? Counts it when yes. */
  const admit = (origin: number): boolean => {
    if (stopped) return false;
    if (isWarmup(origin)) {
      warmupOps++;
      return true;
    }
    if (origin >= endAt - EPS_MS) return false;
    if (cfg.opCount !== undefined && measuredIssued >= cfg.opCount) return false;
    measuredIssued++;
    return true;
  };

  let workers: Promise<void>[];
  if (cfg.mode === "closed-loop") {
    const worker = async () => {
      while (admit(performance.now())) await execute(pick(rng.next()), undefined);
    };
    workers = Array.from({ length: cfg.concurrency }, worker);
  } else {
    const interval = 1000 / cfg.rate!;
    const scheduleStart = runStart + (cfg.scheduleOffsetMs ?? 0);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const intended = scheduleStart + next * interval;
        if (!admit(intended)) return;
        next++;
        const wait = intended - performance.now();
        if (wait >= 1) await sleep(wait);
        if (stopped) return;
        await execute(pick(rng.next()), intended);
      }
    };
    workers = Array.from({ length: cfg.concurrency }, worker);
  }

  // Progress events every 250 ms.
  const total = cfg.opCount ?? cfg.durationMs ?? 0;
  const timer = cfg.onProgress
    ? setInterval(() => {
        const now = performance.now();
        const inWarmup = recorder.completed === 0;
        const done = cfg.opCount !== undefined ? recorder.completed : Math.max(0, Math.min(cfg.durationMs ?? 0, now - measureStart));
        const secs = Math.max(0.001, (now - measureStart) / 1000);
        const label = inWarmup
          ? `${cfg.workload.name}: warm-up`
          : `${cfg.workload.name}: ${recorder.completed.toLocaleString("en-US")} ops, ${Math.round(recorder.completed / secs).toLocaleString("en-US")} op/s`;
        try {
          cfg.onProgress!({
            done: Math.round(done),
            total,
            label,
            elapsedMs: Math.round(now - runStart),
            phase: inWarmup ? "warmup" : "measuring",
            completed: recorder.completed,
          });
        } catch {
          /* a progress callback must not break the run */
        }
      }, 250)
    : undefined;

  const all = Promise.all(workers);
  // On cancel, give operations in flight a grace period, then return what was measured.
  const cancelled = new Promise<void>((resolve) => {
    if (!cfg.signal) return;
    const go = () => setTimeout(resolve, cfg.cancelGraceMs ?? 2000);
    if (cfg.signal.aborted) go();
    else cfg.signal.addEventListener("abort", go, { once: true });
  });
  await Promise.race([all, cancelled]);
  if (timer) clearInterval(timer);
  cfg.signal?.removeEventListener("abort", onAbort);
  stopped = true;

  const endNow = performance.now();
  const end = partial ? endNow : Math.max(recorder.lastEnd, measureStart);
  recorder.finish(end);
  eld.disable();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = Math.max(1, endNow - runStart);
  const client: BenchClientStats = {
    event_loop_delay_p99_ms: Math.max(0, Math.round((eld.percentile(99) / 1e6 - 10) * 100) / 100),
    event_loop_delay_max_ms: Math.max(0, Math.round((eld.max / 1e6 - 10) * 100) / 100),
    cpu_cores: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100,
  };
  return { recorder, startedAt, endedAt: new Date(), measuredMs: Math.max(0, end - measureStart), partial, client, warmupOps };
}
