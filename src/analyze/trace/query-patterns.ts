/**
 * queryPatterns(): queries grouped by shape. Literals, numbers, UUIDs and blobs become `?`, so "SELECT * FROM ks.t WHERE id = 42" and "... id = 43" are one pattern;
 * per pattern: count, mean/min/max/p99 latency when known, tombstones and live rows when known,
 * and suggestions from the rules below.
 *
 * Inputs: slow-query and timed-out-query lines and tombstone warnings/failures of the logs
 * (logs()), trace sessions (traces()).
 * Steps: gather samples (logs, traces) -> one row per pattern -> rules (./query-patterns-rules.ts)
 * -> report (chart spec in ../../present/charts/query-patterns.ts).
 */
import { CassperfError } from "../../errors";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import { makeReport, rowsToColumns, type DataFrame, type Report, type Summary, type TypedRows, answerOrExplain } from "../../present/report";
import { patternsSpec } from "../../present/charts/query-patterns";
import type { Source } from "../../cluster/source";
import { logEvents } from "../logs/log-events";
import { extent } from "../../statistics/extent";
import { nearestRank } from "../../statistics/nearest-rank";
import { meanOrNull } from "../../statistics/statistics";
import { TRACE_KINDS, traces } from "./trace";
import { patternFindings, type PatternFacts } from "./query-patterns-rules";

export { PATTERN_RULES, PATTERN_THRESHOLDS } from "./query-patterns-rules";

/** Replacement rules, in order: each turns a kind of literal into `?`. */
export const NORMALIZE_RULES: { what: string; re: RegExp; to: string }[] = [
  { what: "quoted strings", re: /'(?:[^']|'')*'/g, to: "?" },
  { what: "UUIDs", re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, to: "?" },
  { what: "blobs", re: /\b0x[0-9a-f]+\b/gi, to: "?" },
  { what: "unquoted timestamps as logs print them", re: /\b\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d)?(?:\.\d+)?)?(?:[+-]\d{4}|Z)?/g, to: "?" },
  { what: "IN lists", re: /\bIN\s*\(([^)]*)\)/gi, to: "IN (?)" },
  {
    what: "values after comparison operators (unquoted text/base64 as 3.x logs print them)",
    re: /(\b[\w"]+\s*(?:=|>=|<=|<|>|!=)\s*)(?!\?)(?:\([^)]*\)|[^\s,)]+)/g,
    to: "$1?",
  },
  { what: "numbers", re: /(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g, to: "?" },
  { what: "token() arguments", re: /token\(([^)]*)\)\s*(>=|<=|>|<|=)\s*\?/gi, to: "token($1) $2 ?" },
  { what: 'space around comparison operators ("key= 1" and "key = 1" are one pattern)', re: /\s*(>=|<=|!=|=|<|>)\s*/g, to: " $1 " },
  { what: "white space", re: /\s+/g, to: " " },
];

/** A query's pattern: literals replaced by `?`, white space folded. */
export function queryPattern(query: string): string {
  let q = query.trim().replace(/;$/, "");
  for (const r of NORMALIZE_RULES) q = q.replace(r.re, r.to);
  return q.trim();
}

interface Sample {
  query: string;
  origin: string;
  source: "slow-query" | "timed-out-query" | "tombstone-warning" | "tombstone-failure" | "trace";
  duration_ms?: number;
  times: number;
  tombstones?: number;
  live_rows?: number;
}

/** Options of {@link queryPatterns}. */
export interface QueryPatternsOptions extends HelperOptions {
  /**
   * The traces() report of this same source, read as queryPatterns() would call it (recorded: all
   * sessions; live: the last 1000), when it was already computed (health() passes the one it ran).
   * Default: queryPatterns() calls traces() itself.
   */
  traces?: Report;
}

/** queryPatterns()' headline numbers (`summary`). */
export type QueryPatternsSummary = {
  /** Distinct query shapes (literals replaced by ?). */
  patterns: number;
  /** Queries seen, all patterns (a log line that says "N times" counts N). */
  queries: number;
  /** The most frequent pattern. */
  top_pattern: string | null;
  /** How many times it was seen. */
  top_count: number | null;
};

/**
 * What queryPatterns() returns: frame `patterns` (one {@link PatternRow} per query shape, most
 * frequent first: count, latency, tombstones, where each worst value was seen); chart "patterns";
 * findings from PATTERN_RULES.
 * @example (await queryPatterns()).rows("patterns")[0].pattern
 * @example (await queryPatterns()).summary.top_pattern
 */
export type QueryPatternsReport = TypedRows<{ patterns: PatternRow }> &
  Report<"patterns"> & {
    readonly summary: Summary<QueryPatternsSummary>;
    /** One row per query shape: pattern, count, lines, sources, mean/min/max/p99 ms, tombstones, live rows, example, first_seen. */
    readonly patterns: DataFrame;
  };

/**
 * queryPatterns(): queries from slow-query logs, tombstone warnings and traces, grouped by shape.
 * @example await queryPatterns()                                  // the current source
 * @example (await queryPatterns("logs/system.log")).rows("patterns")
 */
export async function queryPatterns(input?: SourceInput | QueryPatternsOptions, opts?: QueryPatternsOptions): Promise<QueryPatternsReport> {
  const { source, options } = helperArgs("queryPatterns", input, opts, "source");
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("queryPatterns", ["patterns"] as const, () => queryPatternsOf(source, options));
}

/** queryPatterns() itself; queryPatterns() turns "the source has no ..." into an empty report. */
async function queryPatternsOf(input?: SourceInput, options: QueryPatternsOptions = {}): Promise<QueryPatternsReport> {
  const source = await resolveSource(input, "queryPatterns");
  const notes: string[] = [];
  const samples = [...(await logSamples(source, notes)), ...(await traceSamples(source, options, notes))];
  if (!samples.length)
    throw new CassperfError(`queryPatterns: the source (${source.describe()}) has no queries (no slow-query or tombstone lines in its logs, no traces).`, {
      noEvidence: true,
      hint: "add system.log/debug.log or trace sessions",
    });
  const rows = patternRows(samples);
  return makeReport({
    helper: "queryPatterns",
    title: `${rows.length} pattern${rows.length === 1 ? "" : "s"} from ${samples.length} queries`,
    source: source.describe(),
    summary: {
      patterns: rows.length,
      queries: rows.reduce((a, r) => a + r.count, 0),
      top_pattern: rows[0]?.pattern ?? null,
      top_count: rows[0]?.count ?? null,
    } satisfies QueryPatternsSummary,
    findings: patternFindings(rows),
    notes,
    frames: { patterns: rowsToColumns(rows, Object.keys(rows[0])) },
    // None without rows.
    charts: !rows.length ? {} : { patterns: () => patternsSpec(rows) },
  }) as QueryPatternsReport;
}

/** Queries of slow-query / timed-out-query lines and tombstone warnings/failures in the source's logs. */
async function logSamples(source: Source, notes: string[]): Promise<Sample[]> {
  if (!source.files({ kind: ["system-log", "debug-log"] }).length) return [];
  const samples: Sample[] = [];
  const { events, notes: logNotes } = await logEvents({ source, kinds: ["slow-query", "timed-out-query", "tombstone-warning", "tombstone-failure"] });
  notes.push(...logNotes);
  for (const e of events) {
    if (!e.query) continue;
    samples.push({
      query: e.query,
      origin: `${e.file}:${e.line}`,
      source: e.kind as Sample["source"],
      times: (e as { times?: number }).times ?? 1,
      ...((e as { duration_ms?: number }).duration_ms !== undefined ? { duration_ms: (e as { duration_ms?: number }).duration_ms } : {}),
      ...(e.tombstones !== undefined ? { tombstones: e.tombstones } : {}),
      ...(e.live_rows !== undefined ? { live_rows: e.live_rows } : {}),
    });
  }
  return samples;
}

/** Queries of the source's trace sessions (the traces() report given, or read here); a failure becomes a note. */
async function traceSamples(source: Source, options: QueryPatternsOptions, notes: string[]): Promise<Sample[]> {
  const hasTraces = source.kind === "live" || source.files({ kind: [...TRACE_KINDS] }).length > 0;
  if (!hasTraces) return [];
  const samples: Sample[] = [];
  try {
    const rep = options.traces ?? (await traces({ source, ...(source.kind === "live" ? { limit: 1000 } : {}) }));
    for (const s of rep.rows("sessions")) {
      const q = String(s.query ?? "");
      if (!q || /^Execute CQL3 prepared query$/i.test(q)) continue;
      samples.push({
        query: q,
        origin: `trace session ${s.session_id}`,
        source: "trace",
        times: 1,
        duration_ms: Number(s.duration_ms),
        tombstones: Number(s.tombstones ?? 0),
        live_rows: Number(s.live_rows ?? 0),
      });
    }
  } catch (e) {
    notes.push(`traces: ${(e as Error).message}`);
  }
  return samples;
}

/**
 * One row of queryPatterns()' `patterns` frame: a query shape and what was seen of it (the fields of
 * {@link PatternFacts}: pattern, count, mean/max ms, tombstones, first_seen, plus these).
 */
export interface PatternRow extends PatternFacts {
  /** Log lines and trace sessions that showed it (count can be larger: a line may say "N times"). */
  lines: number;
  /** Where it was seen: slow-query, timed-out-query, tombstone-warning, tombstone-failure, trace. */
  sources: string;
  /** Shortest duration seen, ms; null without durations. */
  min_ms: number | null;
  /** 99th percentile duration (nearest rank), ms; null without durations. */
  p99_ms: number | null;
  /** One query of the pattern as written (cut at 300 characters). */
  example: string;
}

/** Samples grouped by pattern -> one row each (count, latency, tombstones, where each worst value was seen), most frequent first. */
function patternRows(samples: Sample[]): PatternRow[] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const p = queryPattern(s.query);
    let g = groups.get(p);
    if (!g) groups.set(p, (g = []));
    g.push(s);
  }
  const rows = [...groups.entries()].map(([pattern, g]) => {
    const durations = g.filter((s) => s.duration_ms !== undefined).map((s) => s.duration_ms!);
    const tombs = g.filter((s) => s.tombstones !== undefined).map((s) => s.tombstones!);
    const live = g.filter((s) => s.live_rows !== undefined).map((s) => s.live_rows!);
    const kinds = [...new Set(g.map((s) => s.source))];
    // Each cited value names the line that holds it (not the pattern's first line, which may be another node's file).
    const at = (pick: (s: Sample) => number | undefined): string | null => {
      let best: Sample | undefined;
      for (const s of g) {
        const v = pick(s);
        if (v !== undefined && (best === undefined || v > pick(best)!)) best = s;
      }
      return best ? best.origin : null;
    };
    return {
      pattern,
      count: g.reduce((a, s) => a + s.times, 0),
      lines: g.length,
      sources: kinds.join(", "),
      mean_ms: meanOrNull(durations),
      min_ms: extent(durations)?.min ?? null,
      max_ms: extent(durations)?.max ?? null,
      max_ms_at: at((s) => s.duration_ms),
      p99_ms: nearestRank(
        [...durations].sort((a, b) => a - b),
        0.99,
      ),
      tombstones_mean: meanOrNull(tombs),
      tombstones_max: extent(tombs)?.max ?? null,
      tombstones_max_at: at((s) => s.tombstones),
      live_rows_mean: meanOrNull(live),
      example: g[0].query.length > 300 ? g[0].query.slice(0, 299) + "…" : g[0].query,
      first_seen: g[0].origin,
    };
  });
  rows.sort((a, b) => b.count - a.count);
  return rows;
}
