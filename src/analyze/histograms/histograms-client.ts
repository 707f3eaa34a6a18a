/**
 * The client side of histograms(): latency distributions that nodetool does not have.
 *  - trace sessions (a recording's traces/sessions.jsonl, a live cluster's system_traces.sessions):
 *    the duration of each traced request, per coordinator -> metric "trace_duration", table "traces";
 *  - bench runs (a recording's bench/<run>.json, runs made with bench() on a live source): each
 *    operation's percentiles as the client measured them -> metric "client_latency", node "client",
 *    table "bench <run id> <op>".
 * Both are best-effort: what cannot be read becomes a note.
 *
 * Percentiles of trace durations are nearest-rank over the sessions of a coordinator (p = the
 * ceil(p/100 * n)-th smallest); with fewer than MIN_SESSIONS sessions a node gets min/50/max only.
 * Rows have the frame's shape from ../../parse/histogram-rows.ts, so this module never imports ./histograms.ts
 * (which imports it).
 */
import type { HistogramFrameRow } from "../../parse/histogram-rows";
import { LiveSource } from "../../cluster/live";
import type { Source } from "../../cluster/source";
import { validateBenchRun, type BenchRun } from "../../bench/run";
import type { PercentileLabel } from "../../parse/nodetool-tablehistograms";
import { traceLatencyPoints } from "../logs/log-latency";
import { nearestRank } from "../../statistics/nearest-rank";
import { liveBenchRuns } from "../bench/bench";

/** Fewest trace sessions of a node for which p75..p99 are worth printing (below: min, 50, max). */
export const MIN_SESSIONS = 20;

/** A client-side row, in the histograms frame's shape. */
export type ClientRow = HistogramFrameRow;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Trace-session durations per coordinator -> percentile rows (microseconds). */
export function traceDurationRows(durationsMs: Map<string, { values: number[]; last: number }>): ClientRow[] {
  const out: ClientRow[] = [];
  for (const [node, { values, last }] of durationsMs) {
    const us = values.map((v) => v * 1000).sort((a, b) => a - b);
    if (!us.length) continue;
    const labels: [PercentileLabel, number][] =
      us.length >= MIN_SESSIONS
        ? [
            ["min", 0],
            ["50", 50],
            ["75", 75],
            ["95", 95],
            ["98", 98],
            ["99", 99],
            ["max", 100],
          ]
        : [
            ["min", 0],
            ["50", 50],
            ["max", 100],
          ];
    for (const [label, p] of labels) {
      const value = label === "min" ? us[0] : label === "max" ? us[us.length - 1] : nearestRank(us, p / 100);
      out.push({
        node,
        keyspace: null,
        table: "traces",
        metric: "trace_duration",
        percentile: label,
        value,
        unit: "microseconds",
        captured_at: new Date(last).toISOString(),
        origin: `trace sessions (${us.length} coordinated by ${node})`,
      });
    }
  }
  return out;
}

/** A bench run's per-operation percentiles -> rows (microseconds). */
export function benchRows(run: BenchRun, origin: string): ClientRow[] {
  const out: ClientRow[] = [];
  const cols: [PercentileLabel, keyof BenchRun["ops"][number]][] = [
    ["50", "p50_ms"],
    ["95", "p95_ms"],
    ["99", "p99_ms"],
    ["99.9", "p99_9_ms"],
    ["max", "max_ms"],
  ];
  for (const op of run.ops) {
    for (const [label, key] of cols) {
      const v = op[key];
      out.push({
        node: "client",
        keyspace: null,
        table: `bench ${run.id} ${op.op}`,
        metric: "client_latency",
        percentile: label,
        value: typeof v === "number" ? Math.round(v * 1000 * 1000) / 1000 : null,
        unit: "microseconds",
        captured_at: run.started_at ?? null,
        origin,
      });
    }
  }
  return out;
}

/**
 * Client-side rows of a source: trace-session durations per coordinator and bench runs.
 * @example const rows = await clientRows(source, notes)
 */
export async function clientRows(source: Source, notes: string[], target?: { keyspace: string; table: string }): Promise<ClientRow[]> {
  const out: ClientRow[] = [];
  // Trace sessions. With a table, only the sessions whose query names it; bench runs are not per table and are left out.
  const mentions = target ? new RegExp(`\\b"?${escapeRe(target.keyspace)}"?\\s*\\.\\s*"?${escapeRe(target.table)}"?\\b`, "i") : undefined;
  const points = (await traceLatencyPoints(source, notes)).filter((p) => !mentions || mentions.test(p.label));
  const byNode = new Map<string, { values: number[]; last: number }>();
  for (const p of points) {
    const e = byNode.get(p.node) ?? { values: [], last: 0 };
    e.values.push(p.value);
    e.last = Math.max(e.last, p.t);
    byNode.set(p.node, e);
  }
  out.push(...traceDurationRows(byNode));
  if (target) return out;
  for (const f of source.files({ kind: "bench-run" })) {
    try {
      out.push(...benchRows(validateBenchRun(JSON.parse(await source.readText(f)), f.rel), f.rel));
    } catch (e) {
      notes.push(`${f.rel}: bench run could not be read (${(e as Error).message}); no client-side latency from it.`);
    }
  }
  if (source instanceof LiveSource) for (const run of liveBenchRuns(source)) out.push(...benchRows(run, `bench run ${run.id} (this session)`));
  return out;
}
