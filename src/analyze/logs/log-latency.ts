/**
 * Latency evidence for timeline()'s optional latency lane, from what the source has:
 *  - trace sessions: a recording's traces/sessions.jsonl, or a live cluster's
 *    system_traces.sessions (duration of each traced request, by coordinator);
 *  - bench runs: a recording's bench/<run>.json (p99 per second, client side).
 * Every reader is best-effort: what cannot be read becomes a note, never an error.
 */
import { LiveSource } from "../../cluster/live";
import type { Source } from "../../cluster/source";
import { blockLines, parseSessionsJsonl, type BlockStart, type TraceSessionRow } from "../../parse/trace-rows";
import { TraceSessionsCsvParser } from "../../parse/trace-csv";
import { plural } from "../../present/plural";

/** One latency point. */
export interface LatencyPoint {
  /** The coordinator node for traces; "client (bench <id>)" for bench runs. */
  node: string;
  t: number;
  /** Milliseconds. */
  value: number;
  label: string;
}

/** Most trace sessions read from a live cluster (newest are not guaranteed: system_traces has no order). */
export const LIVE_TRACE_SESSIONS_LIMIT = 10_000;

/**
 * Latency points of a source: trace sessions and bench runs, by time.
 * @example const pts = await latencyPoints(source, notes)
 */
export async function latencyPoints(source: Source, notes: string[]): Promise<LatencyPoint[]> {
  const recorded = await recordedTracePoints(source, notes);
  const bench = await benchLatencyPoints(source, notes);
  const live = await liveTracePoints(source, notes);
  return [...recorded, ...bench, ...live].sort((a, b) => a.t - b.t);
}

/**
 * Latency points of a source's trace sessions (recorded traces/sessions.jsonl, and a live
 * cluster's system_traces.sessions), by time.
 * @example const pts = await traceLatencyPoints(source, notes)
 */
export async function traceLatencyPoints(source: Source, notes: string[]): Promise<LatencyPoint[]> {
  const recorded = await recordedTracePoints(source, notes);
  const live = await liveTracePoints(source, notes);
  return [...recorded, ...live].sort((a, b) => a.t - b.t);
}

/**
 * Trace-session points of a recording's traces/sessions.jsonl (or sessions .csv) files, read block by
 * block with trace()'s own parsers: a line they refuse is counted and the first one named in a note.
 */
async function recordedTracePoints(source: Source, notes: string[]): Promise<LatencyPoint[]> {
  const out: LatencyPoint[] = [];
  const nodeOf = nodeNamer(source);
  const take = (r: TraceSessionRow) => {
    const t = Date.parse(r.started_at);
    if (!Number.isFinite(t) || r.duration === null) return;
    out.push({
      node: nodeOf(r.coordinator),
      t,
      value: r.duration / 1000,
      label: `trace ${r.session_id}: ${(r.parameters?.query ?? r.request ?? "").slice(0, 80)}`,
    });
  };
  for (const f of source.files({ kind: "trace-sessions" })) {
    try {
      if (/\.csv$/i.test(f.rel)) {
        // A cqlsh COPY of system_traces.sessions: quoted fields may span lines, the reader carries them across blocks.
        const p = new TraceSessionsCsvParser(take);
        for await (const block of source.readLineBlocks(f)) p.feed(block);
        const { skipped } = p.end();
        if (skipped.count) notes.push(`${f.rel}: skipped ${plural(skipped.count, "line")}; first at line ${skipped.first?.line}: ${skipped.first?.reason}`);
        continue;
      }
      const at: BlockStart = { linesBefore: 0, skipped: { count: 0 } };
      for await (const block of source.readLineBlocks(f)) {
        parseSessionsJsonl(block, at).rows.forEach(take);
        at.linesBefore += blockLines(block);
      }
      if (at.skipped.count)
        notes.push(`${f.rel}: skipped ${plural(at.skipped.count, "line")}; first at line ${at.skipped.first?.line}: ${at.skipped.first?.reason}`);
    } catch (e) {
      notes.push(`${f.rel}: trace sessions could not be read (${(e as Error).message}); no latency lane from it.`);
    }
  }
  return out;
}

/** Trace-session points of a live cluster's system_traces.sessions (none for a recording). */
async function liveTracePoints(source: Source, notes: string[]): Promise<LatencyPoint[]> {
  if (!(source instanceof LiveSource)) return [];
  const out: LatencyPoint[] = [];
  const nodeOf = nodeNamer(source);
  try {
    const rs = await source.client.execute(
      `SELECT session_id, coordinator, started_at, duration, request, parameters FROM system_traces.sessions LIMIT ${LIVE_TRACE_SESSIONS_LIMIT}`,
    );
    for (const r of rs.rows) {
      const started = r.started_at instanceof Date ? r.started_at.getTime() : NaN;
      const duration = r.duration === null || r.duration === undefined ? NaN : Number(r.duration);
      if (!Number.isFinite(started) || !Number.isFinite(duration)) continue;
      out.push({
        node: nodeOf(r.coordinator ? String(r.coordinator) : null),
        t: started,
        value: duration / 1000,
        label: `trace ${String(r.session_id)}: ${String(r.parameters?.query ?? r.request ?? "").slice(0, 80)}`,
      });
    }
  } catch (e) {
    notes.push(`Latency lane: system_traces.sessions could not be read (${(e as Error).message}).`);
  }
  return out;
}

/**
 * Latency points of a source's recorded bench runs (bench/<run>.json): p99 per second, client side.
 * @example const pts = await benchLatencyPoints(source, notes)
 */
export async function benchLatencyPoints(source: Source, notes: string[]): Promise<LatencyPoint[]> {
  const out: LatencyPoint[] = [];
  for (const f of source.files({ kind: "bench-run" })) {
    try {
      const run = JSON.parse(await source.readText(f)) as {
        id?: string;
        started_at?: string;
        intervals?: { second: number; op: string; p99_ms: number | null }[];
      };
      const t0 = run.started_at ? Date.parse(run.started_at) : NaN;
      if (!Number.isFinite(t0) || !Array.isArray(run.intervals)) continue;
      for (const iv of run.intervals) {
        if (typeof iv.p99_ms !== "number") continue;
        out.push({ node: `client (bench ${run.id ?? f.rel})`, t: t0 + iv.second * 1000, value: iv.p99_ms, label: `bench ${iv.op} p99 ${iv.p99_ms} ms` });
      }
    } catch (e) {
      notes.push(`${f.rel}: bench run could not be read (${(e as Error).message}); no latency lane from it.`);
    }
  }
  return out;
}

/** A coordinator address as a node name: recordings and live sources name nodes by address. */
function nodeNamer(_source: Source): (addr: string | null | undefined) => string {
  return (addr) => (addr ?? "").replace(/^\//, "") || "(unknown coordinator)";
}
