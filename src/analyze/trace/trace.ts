/**
 * trace(), traces() and compareTraces(): where a query's time goes, on every node, in every
 * Cassandra version.
 *
 * - `trace(query, params?, opts)` on a live source runs the query with tracing at the requested
 *   consistency, waits (bounded) until system_traces has the complete session, and analyses it;
 * - `trace(sessionId)` and `traces(filter?)` read sessions from any source: a live cluster's
 *   system_traces, a dataset's traces/*.jsonl, cqlsh TRACING ON output, or a COPY of
 *   system_traces.events;
 * - `compareTraces(a, b)`: the same query before and after (e.g. before/after compaction).
 * Stages come from ONE parse table (../../parse/trace-stages.ts), findings from ONE rule table (./trace-rules.ts;
 * compareTraces' in ./compare-rules.ts), chart specs from ../../present/charts/trace.ts, the
 * consistency level from ../../cluster/consistency.ts.
 * Steps: gather (traceLive: runTraced -> readTraceSession; tracesOf: live system_traces or
 * loadRecorded: readTraceFiles (sessions through a SessionKeeper) -> feedEvents) -> model (./trace-model.ts) ->
 * buildTraceReport: sessionTotals -> traceSummary / qualityNotes -> crossDcPairs -> rules -> charts.
 */
import { parseUtc } from "../../parse/utc-time";
import type { Client } from "cassandra-driver";
import { CassperfError, isCassperfError } from "../../errors";
import { consistencyCode, consistencyLevel } from "../../cluster/consistency";
import { LiveSource } from "../../cluster/live";
import { runOptions } from "../../run-context";
import { helperArgs, resolveSource, type HelperOptions, type SourceInput } from "../../cluster/resolve";
import type { Source, SourceFile } from "../../cluster/source";
import { findRecentSessions, readTraceSession, sessionRowFromDriver, type TraceSessionData } from "../../cluster/trace-read";
import { CqlshTraceLines } from "../../parse/trace-cqlsh";
import { parseFileLines } from "../../cluster/evidence";
import { TraceEventsCsvParser, TraceSessionsCsvParser } from "../../parse/trace-csv";
import {
  blockLines,
  microsFromIso,
  parseEventsJsonl,
  parseSessionsJsonl,
  type BlockStart,
  type Skipped,
  type TraceEventRow,
  type TraceSessionRow,
} from "../../parse/trace-rows";
import { makeReport, type Finding, type Report, type TypedRows, answerOrExplain } from "../../present/report";
import { nearestRank } from "../../statistics/nearest-rank";
import { meanOrNull } from "../../statistics/statistics";
import { compareSpec, durationsSpec, slowestSpec, stagesSpec, waterfallSpec } from "../../present/charts/trace";
import { eventColumns, ms, sessionColumns, TraceModelBuilder, type SessionSummary, type TraceModel } from "./trace-model";
import { runTraceRules } from "./trace-rules";
import { compareTraceFindings, type CompareFacts, type StageChange } from "./compare-rules";
import { STAGES, type Stage } from "../../parse/trace-stages";
import { inflect, plural } from "../../present/plural";

export { STAGE_RULES, STAGES, classifyActivity } from "../../parse/trace-stages";
export { TRACE_RULES, TRACE_THRESHOLDS } from "./trace-rules";
export { COMPARE_RULES, COMPARE_THRESHOLDS } from "./compare-rules";

/** Frames of a trace report. */
export type TraceFrames = "events" | "sessions" | "stages";
/** A row of the `sessions` frame (plus one `<stage>_ms` column per stage: time spent in it). */
export interface TraceSessionFrameRow {
  session_id: string;
  started_at: string;
  coordinator: string;
  duration_ms: number;
  complete: boolean;
  /** null when the session did not record it (Cassandra 2.1). */
  consistency: string | null;
  query: string;
  events: number;
  nodes: number;
  sstables_per_read: number;
  live_rows: number;
  tombstones: number;
  read_repair: boolean;
  speculative_retry: boolean;
  network_ms: number;
  local_ms: number;
  [stageMs: `${string}_ms`]: number;
}

/** A row of the `stages` frame. */
export interface TraceStageFrameRow {
  stage: string;
  ms: number;
  share_pct: number;
  events: number;
}

/** What trace() and traces() return; `rows("sessions")` is typed. */
export type TraceReport = TypedRows<{ sessions: TraceSessionFrameRow; stages: TraceStageFrameRow }> &
  Report<TraceFrames> & {
    /** One row per trace event: session_id, node, thread, at_us, delta_us, t_us, activity, stage, role, sstables, live_rows, tombstones, message_bytes, peer, flags. */
    readonly events: import("danfojs-node").DataFrame;
    /** One row per session: duration, consistency, query, sstables per read, tombstones, time per stage (<stage>_ms). */
    readonly sessions: import("danfojs-node").DataFrame;
    /** Time per stage over all sessions: stage, ms, share_pct, events. */
    readonly stages: import("danfojs-node").DataFrame;
  };

/**
 * {@link TraceReport} under the name every helper's report follows (`<helper>Report`): traces() returns the same report as trace().
 * @example (await traces()).rows("sessions")
 */
export type TracesReport = TraceReport;

/** Options for a live {@link trace}. */
export interface TraceOptions extends HelperOptions {
  /**
   * The values bound to the query's markers: positional (`?`) or named (`:id`).
   * @example await trace("SELECT * FROM ks.t WHERE id = ?", { params: [1] })
   */
  params?: unknown[] | Record<string, unknown>;
  /**
   * Consistency level by name: ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, LOCAL_ONE, ANY, SERIAL, LOCAL_SERIAL.
   * Default: the driver's (LOCAL_ONE).
   * @example await trace("SELECT * FROM ks.t WHERE id = ?", { params: [1], consistency: "QUORUM" })
   */
  consistency?: string;
  /** Rows per page (the driver's fetchSize). @example { pageSize: 100 } */
  pageSize?: number;
  /** Same as pageSize (the driver's name). */
  fetchSize?: number;
  /** Client-side timeout for the query, ms (the driver's readTimeout). @example { timeoutMs: 2000 } */
  timeoutMs?: number;
  /** How long to wait for the trace session to complete in system_traces, ms. Default 10,000. */
  waitMs?: number;
  /** Run the query N times and analyse every session. Default 1. @example { repeat: 20 } */
  repeat?: number;
  /** Prepare the statement (default: true when params are given). */
  prepare?: boolean;
  /** Node -> datacenter, for the cross-DC rule on recorded sources (live: taken from the driver). */
  datacenters?: Record<string, string>;
}

/** Which sessions {@link traces} returns. Every field given must match. */
export interface TraceFilter {
  /** Sessions started at or after (ISO string or Date). @example { since: "2024-01-15T10:00:00Z" } */
  since?: string | Date;
  /** Sessions started before. */
  until?: string | Date;
  /** Coordinator address(es). @example { coordinator: "127.0.0.1" } */
  coordinator?: string | string[];
  /** Text the request/query contains, or a RegExp it matches. @example { request: /FROM shop.orders/ } */
  request?: string | RegExp;
  /** Only sessions at least this long, ms. @example { minDurationMs: 5 } */
  minDurationMs?: number;
  /** Only sessions at most this long, ms. */
  maxDurationMs?: number;
  /** Only these session ids. */
  sessionId?: string | string[];
  /** At most this many sessions (live: default 1,000; recorded: all). */
  limit?: number;
  /** The source (a source, a path, or omitted for the current source). */
  source?: SourceInput;
  /** Node -> datacenter for the cross-DC rule. */
  datacenters?: Record<string, string>;
}

/**
 * Options of {@link traces}: {@link TraceFilter} under the name every helper's options follow (`<helper>Options`).
 * @example await traces({ minDurationMs: 10 })
 */
export type TracesOptions = TraceFilter;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Trace a query on a live cluster — or, given a session id, analyse that recorded/live session.
 *
 * Returns a report: summary (duration, time per stage, per node, network vs local, sstables,
 * tombstones vs live rows, read repair, speculative retry), findings, frames `events` and
 * `sessions`, charts `waterfall` (and for repeat > 1 `durations`, `slowest`, `stages`).
 * A query that fails returns a report too: the error as a critical finding and the failed
 * request's trace when Cassandra wrote one.
 * @example const t = await trace("SELECT * FROM shop.orders WHERE id = ?", { params: [42], consistency: "QUORUM" })
 * @example t.summary.timePerStageMs
 * @example await trace("SELECT * FROM ks.t WHERE id = 1", { consistency: "ONE", repeat: 10 })
 * @example await trace("2c4c1a80-e1d2-11e4-9a17-a7d3e8a8b2a3")   // a session by id, on any source
 * @example await trace("tracing-on.txt")   // a path (cqlsh TRACING ON text, events CSV, a bundle): its recorded sessions
 */
export async function trace(query: string, options?: TraceOptions): Promise<TraceReport> {
  // The calling rule (../../cluster/resolve.ts helperArgs): a path or a source first is the source (its recorded
  // sessions); otherwise the first argument is the query or a session id, and the bound values are options.params.
  const a = helperArgs<TraceOptions>("trace", query, options, "query");
  const { params, ...rest } = a.options;
  const subject = typeof a.subject === "string" ? a.subject : undefined;
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("trace", ["events", "sessions", "stages"] as const, () => traceOf(subject, params, { ...rest, source: a.source }));
}

/** trace() itself, after the calling rule; trace() turns "the source has no ..." into an empty report. */
async function traceOf(query: string | undefined, params: TraceOptions["params"], options: TraceOptions): Promise<TraceReport> {
  const datacenters = options.datacenters ? { datacenters: options.datacenters } : {};
  // trace("path/to/trace.txt" | bundle | source): the source's recorded sessions.
  if (query === undefined && options.source !== undefined) return traces({ source: options.source, ...datacenters });
  if (query === undefined || query.trim() === "") {
    throw new CassperfError("trace: expected a CQL query string (or a trace session id) as the first argument.", {
      hint: 'trace("SELECT * FROM ks.t WHERE id = ?", { params: [1], consistency: "QUORUM" })',
    });
  }
  // trace(sessionId, opts?)
  if (UUID.test(query.trim()) && params === undefined) {
    const r = await traces({ sessionId: query.trim(), source: options.source, ...datacenters });
    if (r.count("sessions") === 0)
      throw new CassperfError(`trace: no trace session ${query.trim()} in ${(await resolveSource(options.source, "trace")).describe()}.`, {
        hint: "list the sessions it has with traces()",
      });
    return r;
  }
  const source = await resolveSource(options.source, "trace");
  if (!(source instanceof LiveSource)) {
    throw new CassperfError(`trace: running a query needs a live cluster; the source is ${source.describe()}.`, {
      hint: 'connect({ contactPoints: [...] }) first, or analyse recorded sessions with traces() / trace("<session id>")',
    });
  }
  return traceLive(source, query, params ?? [], options);
}

/** Driver options from TraceOptions (validated). */
function driverOptions(o: TraceOptions, hasParams: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { traceQuery: true, prepare: o.prepare ?? hasParams };
  if (o.consistency !== undefined) out.consistency = consistencyCode(consistencyLevel(o.consistency, "trace"));
  const page = o.pageSize ?? o.fetchSize;
  if (page !== undefined) {
    if (!Number.isInteger(page) || page <= 0) throw new CassperfError(`trace: pageSize must be a positive integer; got ${page}.`);
    out.fetchSize = page;
  }
  if (o.timeoutMs !== undefined) {
    if (!(o.timeoutMs > 0)) throw new CassperfError(`trace: timeoutMs must be a positive number of milliseconds; got ${o.timeoutMs}.`);
    out.readTimeout = o.timeoutMs;
  }
  return out;
}

/** A live trace(): run the query `repeat` times with tracing, read the sessions Cassandra wrote, analyse them. */
async function traceLive(source: LiveSource, query: string, values: unknown[] | Record<string, unknown>, o: TraceOptions): Promise<TraceReport> {
  const repeat = o.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new CassperfError(`trace: repeat must be a positive integer; got ${o.repeat}.`);
  const hasParams = Array.isArray(values) ? values.length > 0 : Object.keys(values).length > 0;
  const dopts = driverOptions(o, hasParams);
  const level = o.consistency === undefined ? undefined : consistencyLevel(o.consistency, "trace");
  const client = source.client;
  const waitMs = o.waitMs ?? 10_000;
  const notes: string[] = [];
  const runs = await runTraced(client, query, values, dopts, repeat, notes);
  const data: TraceSessionData[] = [];
  for (const id of runs.ids) data.push(await readTraceSession(client, id, { timeoutMs: waitMs, allowIncomplete: true }));
  const extraFindings: Finding[] = [];
  if (runs.failure) {
    // The driver does not return the trace id of a failed request; Cassandra still traced it.
    const found = await findRecentSessions(client, { sinceMs: runs.failure.at, untilMs: runs.failure.end, query }).catch(() => []);
    for (const s of found)
      if (!runs.ids.includes(s.session_id)) data.push(await readTraceSession(client, s.session_id, { timeoutMs: waitMs, allowIncomplete: true, session: s }));
    extraFindings.push(failureFinding(runs.failure.error, found));
  }
  for (const d of data)
    if (!d.complete) notes.push(`session ${d.session.session_id} did not complete within ${waitMs} ms: its duration is estimated from the last event.`);
  const builder = new TraceModelBuilder();
  for (const d of data) {
    // 2.1 keeps neither the text of a prepared query nor the consistency: we know both.
    d.session.parameters.query ??= query;
    if (level) d.session.parameters.consistency_level ??= level;
    builder.addSession(d.session);
    for (const e of d.events) builder.addEvent(e);
  }
  const dcs = { ...liveDatacenters(client), ...(o.datacenters ?? {}) };
  const title = `${repeat > 1 ? `${repeat} traced runs of` : "Traced"} ${oneLine(query)}${level ? ` at ${level}` : ""}`;
  const report = buildTraceReport(builder.build(), { helper: "trace", title, source: source.describe(), notes, datacenters: dcs, extraFindings });
  if (runs.failure) report.summary.error = `${runs.failure.error.name}: ${runs.failure.error.message}`;
  if (runs.rows.length) report.summary.rowsReturned = runs.rows.length === 1 ? runs.rows[0] : runs.rows;
  return report;
}

/** Run the query `repeat` times with tracing, stopping at the first failure or at the cancel signal: trace ids, rows per run, the failure. */
async function runTraced(
  client: Client,
  query: string,
  values: unknown[] | Record<string, unknown>,
  dopts: Record<string, unknown>,
  repeat: number,
  notes: string[],
): Promise<{ ids: string[]; rows: number[]; failure?: { error: Error; at: number; end: number } }> {
  const ids: string[] = [];
  const rows: number[] = [];
  // The REPL line's / notebook cell's cancel signal: stop between runs and analyse the ones made.
  const { signal, onProgress } = runOptions();
  for (let k = 0; k < repeat; k++) {
    if (signal.aborted) {
      if (k === 0) signal.throwIfAborted();
      notes.push(`Cancelled: partial, ${k} of ${repeat} runs made and analysed.`);
      break;
    }
    if (repeat > 1) onProgress({ done: k, total: repeat, label: "traced runs" });
    const at = Date.now();
    try {
      const rs = await client.execute(query, values as any, dopts as any);
      rows.push(rs.rowLength ?? rs.rows?.length ?? 0);
      if (rs.info.traceId) ids.push(rs.info.traceId.toString());
      else notes.push(`run ${k + 1}: the coordinator returned no trace id (tracing may be unsupported for this statement).`);
    } catch (e) {
      if (isCassperfError(e)) throw e;
      return { ids, rows, failure: { error: e as Error, at, end: Date.now() } };
    }
  }
  return { ids, rows };
}

/** The critical finding of a failed query, pointing at the failed request's trace sessions when Cassandra wrote them. */
function failureFinding(error: Error, found: { session_id: string }[]): Finding {
  const err = error as Error & { code?: number };
  return {
    severity: "critical",
    id: "trace.query-failed",
    title: `The query failed: ${err.name}: ${err.message.split("\n")[0]}`,
    evidence: found.length
      ? `trace of the failure: session ${found.map((s) => s.session_id).join(", ")} (events below)`
      : "Cassandra wrote no trace session for it (it failed before reaching a coordinator, or the trace was not found in system_traces.sessions)",
    action: failureAction(err),
    helper: "trace",
  };
}

function failureAction(err: Error): string {
  const m = `${err.name} ${err.message}`;
  if (/Tombstone|tombstone/.test(m))
    return "The read hit tombstone_failure_threshold: see the tombstones finding; reduce deletes/TTL churn in that partition or page with a smaller pageSize.";
  if (/Timeout|timed out/i.test(m))
    return "A replica did not answer in time: look at the waterfall for the node that never responded (GC, disk, overload) and at read_request_timeout_in_ms.";
  if (/Unavailable|Cannot achieve consistency/i.test(m))
    return "Not enough replicas alive for this consistency level: check nodetool status and the keyspace's replication.";
  return "Read the error and the failed request's events below.";
}

function liveDatacenters(client: Client): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of client.hosts.values()) if (h.datacenter) out[h.address.replace(/:\d+$/, "")] = h.datacenter;
  return out;
}

const oneLine = (q: string) => {
  const s = q.replace(/\s+/g, " ").trim();
  return s.length > 80 ? s.slice(0, 77) + "…" : s;
};

/**
 * Analyse trace sessions of any source: a live cluster's system_traces, a dataset's
 * traces/*.jsonl, cqlsh TRACING ON output or a COPY of system_traces.events.
 * @example await traces()                                       // every session of the current source
 * @example await traces({ minDurationMs: 5, coordinator: "127.0.0.1" })
 * @example await traces({ source: "exports/events.csv" })
 */
export async function traces(input?: SourceInput | TracesOptions, options?: TracesOptions): Promise<TracesReport> {
  const { source, options: o } = helperArgs("traces", input, options, "source");
  const filter: TraceFilter = { ...o, source };
  // A source without the evidence gives an empty report that says why (../../present/report.ts answerOrExplain).
  return answerOrExplain("traces", ["events", "sessions", "stages"] as const, () => tracesOf(filter));
}

/** traces() itself; traces() turns "the source has no ..." into an empty report. */
async function tracesOf(filter: TraceFilter | SourceInput = {}): Promise<TraceReport> {
  const f: TraceFilter = typeof filter === "string" || isSourceLike(filter) ? { source: filter as SourceInput } : ((filter ?? {}) as TraceFilter);
  validateFilter(f);
  const source = await resolveSource(f.source, "traces");
  const builder = new TraceModelBuilder();
  const notes: string[] = [];
  let dcs: Record<string, string> = { ...(f.datacenters ?? {}) };
  if (source instanceof LiveSource && f.sessionId !== undefined) {
    // By id: read those sessions directly (no scan of system_traces.sessions).
    dcs = { ...liveDatacenters(source.client), ...dcs };
    for (const id of Array.isArray(f.sessionId) ? f.sessionId : [f.sessionId]) {
      let d: TraceSessionData;
      try {
        d = await readTraceSession(source.client, id, { timeoutMs: 2000, allowIncomplete: true });
      } catch (e) {
        if (isCassperfError(e)) {
          notes.push(`session ${id}: not in system_traces.sessions.`);
          continue;
        }
        throw e;
      }
      if (!sessionMatches(d.session, f)) continue;
      builder.addSession(d.session);
      for (const e of d.events) builder.addEvent(e);
    }
  } else if (source instanceof LiveSource) {
    dcs = { ...liveDatacenters(source.client), ...dcs };
    const limit = f.limit ?? 1000;
    let kept = 0;
    for await (const row of source.client.stream("SELECT * FROM system_traces.sessions", [], { fetchSize: 2000 }) as any) {
      const s = sessionRowFromDriver(row);
      if (!sessionMatches(s, f)) continue;
      // An old session without a duration will never get one: do not wait for it.
      const old = s.duration !== null || Date.now() - Date.parse(s.started_at) > 60_000;
      const d = await readTraceSession(source.client, s.session_id, { timeoutMs: old ? 0 : 1000, allowIncomplete: true, session: s });
      builder.addSession(d.session);
      for (const e of d.events) builder.addEvent(e);
      if (++kept >= limit) {
        notes.push(`stopped at ${limit} sessions (filter.limit).`);
        break;
      }
    }
  } else {
    await loadRecorded(source, f, builder, notes);
  }
  const model = builder.build();
  const n = model.sessions.length;
  const title = n === 1 ? `Trace session ${model.sessions[0].session_id}` : `${n} trace sessions`;
  return buildTraceReport(model, { helper: "traces", title, source: source.describe(), notes, datacenters: dcs, extraFindings: [] });
}

function isSourceLike(v: unknown): boolean {
  return !!v && typeof v === "object" && typeof (v as Source).files === "function";
}

function validateFilter(f: TraceFilter): void {
  for (const k of ["since", "until"] as const) {
    const v = f[k];
    if (v !== undefined && Number.isNaN(parseUtc(v)))
      throw new CassperfError(`traces: filter.${k} must be an ISO-8601 time (UTC unless it names a zone) or a Date; got ${String(v)}.`);
  }
  for (const k of ["minDurationMs", "maxDurationMs", "limit"] as const) {
    const v = f[k];
    if (v !== undefined && !(typeof v === "number" && v >= 0)) throw new CassperfError(`traces: filter.${k} must be a non-negative number; got ${String(v)}.`);
  }
}

/** Does a session row pass the filter? */
export function sessionMatches(s: TraceSessionRow, f: TraceFilter): boolean {
  if (f.sessionId !== undefined && !(Array.isArray(f.sessionId) ? f.sessionId : [f.sessionId]).includes(s.session_id)) return false;
  if (f.coordinator !== undefined && !(Array.isArray(f.coordinator) ? f.coordinator : [f.coordinator]).includes(s.coordinator.replace(/^\//, ""))) return false;
  if (f.since !== undefined || f.until !== undefined) {
    const t = microsFromIso(s.started_at) / 1000;
    // Zone-less filter times are UTC, like the sessions' started_at (never the process's zone).
    if (f.since !== undefined && !(t >= parseUtc(f.since))) return false;
    if (f.until !== undefined && !(t < parseUtc(f.until))) return false;
  }
  if (f.request !== undefined) {
    const text = `${s.request}\n${s.parameters.query ?? ""}`;
    if (typeof f.request === "string" ? !text.includes(f.request) : !f.request.test(text)) return false;
  }
  if (f.minDurationMs !== undefined && !(s.duration !== null && s.duration / 1000 >= f.minDurationMs)) return false;
  if (f.maxDurationMs !== undefined && !(s.duration !== null && s.duration / 1000 <= f.maxDurationMs)) return false;
  return true;
}

/** File kinds that hold recorded trace sessions or events. */
export const TRACE_KINDS = ["trace-sessions", "trace-events", "trace-events-csv", "trace-cqlsh"] as const;

function skipNote(file: SourceFile, sk: Skipped): string | undefined {
  if (!sk.count) return undefined;
  return `${file.rel}: skipped ${plural(sk.count, "line")}; first at line ${sk.first?.line}: ${sk.first?.reason}: ${sk.first?.text}`;
}

/** Read a recorded source's trace files into the builder, honouring the filter: files -> sessions kept -> their events. */
async function loadRecorded(source: Source, f: TraceFilter, builder: TraceModelBuilder, notes: string[]): Promise<void> {
  const files = source.files({ kind: [...TRACE_KINDS] });
  if (files.length === 0) {
    throw new CassperfError(`traces: the source (${source.describe()}) has no trace sessions.`, {
      noEvidence: true,
      hint: "record(live, dir) captures traces/sessions.jsonl and traces/events.jsonl; cqlsh TRACING ON output or COPY system_traces.events TO 'events.csv' WITH HEADER = true also work",
    });
  }
  const keeper = new SessionKeeper(f, builder);
  const read = await readTraceFiles(source, files, keeper, notes);
  await feedEvents(source, f, keeper.known, read, builder, notes);
}

/** The event files of a source (JSONL and CSV), streamed by {@link feedEvents} once every session is known. */
interface TraceFilesRead {
  jsonlEvents: SourceFile[];
  csvEvents: SourceFile[];
}

/**
 * Read the sessions of every trace file into the keeper (cqlsh's events with their session, as each session's table
 * ends); event files are kept for {@link feedEvents}.
 */
async function readTraceFiles(source: Source, files: SourceFile[], keeper: SessionKeeper, notes: string[]): Promise<TraceFilesRead> {
  const csvEvents: SourceFile[] = [];
  const jsonlEvents: SourceFile[] = [];
  const keep = (s: TraceSessionRow) => void keeper.keep(s);
  for (const file of files) {
    // Every trace file is streamed block by block: JSONL from record() (millions of events), cqlsh COPY CSV (quoted fields
    // may span lines and blocks), cqlsh's terminal output (one session kept at a time).
    if (file.kind === "trace-events" && !/\.csv$/i.test(file.rel)) {
      jsonlEvents.push(file);
      continue;
    }
    if (file.kind === "trace-events-csv" || file.kind === "trace-events") {
      csvEvents.push(file);
      continue;
    }
    if (file.kind === "trace-sessions" && /\.csv$/i.test(file.rel)) {
      const p = new TraceSessionsCsvParser(keep);
      for await (const block of source.readLineBlocks(file)) p.feed(block);
      const n = skipNote(file, p.end().skipped);
      if (n) notes.push(n);
      continue;
    }
    if (file.kind === "trace-sessions" && !/\.csv$/i.test(file.rel)) {
      const at: BlockStart = { linesBefore: 0, skipped: { count: 0 } };
      for await (const block of source.readLineBlocks(file)) {
        for (const r of parseSessionsJsonl(block, at).rows) keeper.keep(r);
        at.linesBefore += blockLines(block);
      }
      const n = skipNote(file, at.skipped);
      if (n) notes.push(n);
      continue;
    }
    if (file.kind === "trace-cqlsh") {
      // A session's events are held until its table ends, then added only when the session is kept.
      const p = new CqlshTraceLines((s, events) => {
        if (keeper.keep(s)) for (const e of events) keeper.builder.addEvent(e);
      });
      const end = await parseFileLines(source, file, p);
      const n = skipNote(file, end.skipped);
      if (n) notes.push(n);
      if (end.sessions === 0) notes.push(`${file.rel}: no "Tracing session:" block found.`);
    }
  }
  return { jsonlEvents, csvEvents };
}

/**
 * Decides session by session, in the order the files hold them, which sessions pass the filter (and the limit), and adds
 * those to the builder; `known` maps each session id read to kept or not, for the events read after.
 */
class SessionKeeper {
  readonly known = new Map<string, boolean>();
  private kept = 0;

  constructor(
    private readonly f: TraceFilter,
    readonly builder: TraceModelBuilder,
  ) {}

  /** Whether `s` is kept (added to the builder). */
  keep(s: TraceSessionRow): boolean {
    const f = this.f;
    const ok = sessionMatches(s, f) && (f.limit === undefined || this.kept < f.limit);
    this.known.set(s.session_id, ok);
    if (ok) {
      this.kept++;
      this.builder.addSession(s);
    }
    return ok;
  }
}

/**
 * Feed the events of kept sessions to the builder; events of sessions with no sessions row (an
 * events-only export) are kept unless a session-level filter excludes them, and counted in a note.
 */
async function feedEvents(source: Source, f: TraceFilter, known: Map<string, boolean>, read: TraceFilesRead, builder: TraceModelBuilder, notes: string[]) {
  const { jsonlEvents, csvEvents } = read;
  const sessionFilter =
    f.coordinator !== undefined ||
    f.since !== undefined ||
    f.until !== undefined ||
    f.request !== undefined ||
    f.minDurationMs !== undefined ||
    f.maxDurationMs !== undefined;
  const wantIds = f.sessionId === undefined ? undefined : new Set(Array.isArray(f.sessionId) ? f.sessionId : [f.sessionId]);
  let orphans = 0;
  const take = (e: TraceEventRow) => {
    const k = known.get(e.session_id);
    if (k === false) return;
    if (k === undefined) {
      if (sessionFilter || (wantIds && !wantIds.has(e.session_id))) return;
      orphans++;
    }
    builder.addEvent(e);
  };
  for (const file of jsonlEvents) {
    const at: BlockStart = { linesBefore: 0, skipped: { count: 0 } };
    for await (const block of source.readLineBlocks(file)) {
      parseEventsJsonl(block, take, at);
      at.linesBefore += blockLines(block);
    }
    const n = skipNote(file, at.skipped);
    if (n) notes.push(n);
  }
  for (const file of csvEvents) {
    const p = new TraceEventsCsvParser(take);
    for await (const block of source.readLineBlocks(file)) p.feed(block);
    const n = skipNote(file, p.end().skipped);
    if (n) notes.push(n);
  }
  if (orphans)
    notes.push(
      `${plural(orphans, "event")} ${inflect(orphans, "belongs", "belong")} to sessions with no sessions row (an events-only export): coordinator taken as the node of each session's earliest event, duration estimated from the last event.`,
    );
}

/** Sums over a report's sessions: time per stage and per node, network vs local, counts and data-quality tallies. */
interface SessionTotals {
  stageUs: Partial<Record<Stage, number>>;
  /** Sum of every stage's time. */
  stageTotal: number;
  /** Events per stage. */
  stageCounts: Partial<Record<Stage, number>>;
  /** Per node: its longest span over the sessions. */
  perNode: Record<string, number>;
  network: number;
  local: number;
  events: number;
  unknown: number;
  nulls: number;
  negatives: number;
  tombstones: number;
  live: number;
  sstables: number;
  sstablesMax: number;
  bytes: number;
  skewed: Set<string>;
}

/** Build the report from a model: totals -> summary and notes -> rules (./trace-rules.ts) -> charts (../../present/charts/trace.ts). */
export function buildTraceReport(
  model: TraceModel,
  opts: { helper: string; title: string; source?: string; notes: string[]; datacenters: Record<string, string>; extraFindings: Finding[] },
): TraceReport {
  const S = model.sessions;
  const t = sessionTotals(model);
  const summary = traceSummary(S, t);
  const notes = [...opts.notes, ...qualityNotes(S, t)];
  const dcs = opts.datacenters;
  const findings = [
    ...opts.extraFindings,
    ...runTraceRules({ sessions: S, datacenters: dcs, crossDc: crossDcPairs(model, dcs), unknownActivities: model.unknownActivities }),
  ];
  // Charts: the waterfall of the one (or slowest) session; distributions for many.
  const slowest = S.slice().sort((a, b) => b.duration_us - a.duration_us)[0] as SessionSummary | undefined;
  const charts: Record<string, () => Record<string, unknown>> = {};
  if (S.length > 1) {
    charts.durations = () => durationsSpec(S);
    charts.slowest = () => slowestSpec(S);
    charts.stages = () => stagesSpec(S);
  }
  if (slowest) charts.waterfall = () => waterfallSpec(model, slowest.session_id);
  return makeReport<TraceFrames>({
    helper: opts.helper,
    title: opts.title,
    ...(opts.source ? { source: opts.source } : {}),
    summary,
    findings,
    frames: {
      events: () => eventColumns(model),
      sessions: () => sessionColumns(model),
      stages: () => {
        const st = STAGES.filter((x) => t.stageCounts[x]);
        return {
          stage: st,
          ms: st.map((x) => ms(t.stageUs[x] ?? 0)),
          share_pct: st.map((x) => (t.stageTotal ? Math.round((1000 * (t.stageUs[x] ?? 0)) / t.stageTotal) / 10 : 0)),
          events: st.map((x) => t.stageCounts[x] ?? 0),
        };
      },
    },
    charts,
    notes,
    previewFrame: S.length > 1 ? "sessions" : "events",
  }) as TraceReport;
}

/** Sum the sessions (and count events per stage over the model). */
function sessionTotals(model: TraceModel): SessionTotals {
  const t: SessionTotals = {
    stageUs: {},
    stageTotal: 0,
    stageCounts: {},
    perNode: {},
    network: 0,
    local: 0,
    events: 0,
    unknown: 0,
    nulls: 0,
    negatives: 0,
    tombstones: 0,
    live: 0,
    sstables: 0,
    sstablesMax: 0,
    bytes: 0,
    skewed: new Set<string>(),
  };
  for (const s of model.sessions) {
    for (const [k, v] of Object.entries(s.stage_us)) t.stageUs[k as Stage] = (t.stageUs[k as Stage] ?? 0) + v;
    for (const [k, v] of Object.entries(s.node_us)) t.perNode[k] = Math.max(t.perNode[k] ?? 0, v);
    t.network += s.network_us;
    t.local += s.local_us;
    t.events += s.events;
    t.unknown += s.unknown_activities;
    t.nulls += s.null_elapsed;
    t.negatives += s.negative_deltas;
    t.tombstones += s.tombstones;
    t.live += s.live_rows;
    t.sstables += s.sstables;
    t.sstablesMax = Math.max(t.sstablesMax, s.sstables_per_read);
    t.bytes += s.message_bytes;
    for (const n of s.skewed_nodes) t.skewed.add(n);
  }
  t.stageTotal = Object.values(t.stageUs).reduce((a, b) => a + (b ?? 0), 0);
  for (let j = 0; j < model.order.length; j++) t.stageCounts[model.stage[model.order[j]]] = (t.stageCounts[model.stage[model.order[j]]] ?? 0) + 1;
  return t;
}

/** The summary: the one session's identity, or duration percentiles over many; then the totals and one-line breakdowns. */
function traceSummary(S: SessionSummary[], t: SessionTotals): Record<string, unknown> {
  const stageMs = Object.fromEntries(STAGES.filter((st) => t.stageUs[st]).map((st) => [st, ms(t.stageUs[st]!)]));
  const ranked = STAGES.filter((st) => t.stageUs[st]).sort((a, b) => t.stageUs[b]! - t.stageUs[a]!);
  const summary: Record<string, unknown> = {};
  if (S.length === 1) {
    const s = S[0];
    Object.assign(summary, {
      sessionId: s.session_id,
      query: s.query,
      consistency: s.consistency || undefined,
      coordinator: s.coordinator,
      durationMs: ms(s.duration_us),
      complete: s.complete,
      nodes: s.nodes,
      replicas: s.replicas.length,
    });
  } else {
    const d = S.map((s) => s.duration_us / 1000).sort((a, b) => a - b);
    Object.assign(summary, {
      sessions: S.length,
      durationP50Ms: Math.round((nearestRank(d, 0.5) ?? 0) * 1000) / 1000,
      durationP99Ms: Math.round((nearestRank(d, 0.99) ?? 0) * 1000) / 1000,
      durationMaxMs: Math.round((d[d.length - 1] ?? 0) * 1000) / 1000,
      incompleteSessions: S.filter((s) => !s.complete).length,
    });
  }
  Object.assign(summary, {
    events: t.events,
    networkMs: ms(t.network),
    localMs: ms(t.local),
    sstablesPerRead: t.sstablesMax,
    sstablesMerged: t.sstables,
    tombstones: t.tombstones,
    liveRows: t.live,
    messageBytes: t.bytes || undefined,
    digestMismatch: S.some((s) => s.digest_mismatch),
    readRepair: S.some((s) => s.read_repair),
    speculativeRetry: S.some((s) => s.speculative_retry),
    unknownActivities: t.unknown,
    nullElapsed: t.nulls,
    negativeDeltas: t.negatives,
    skewedNodes: t.skewed.size ? [...t.skewed] : undefined,
    /** One line a person reads: the stages by time, with their share (objects below are for code). */
    stageBreakdown:
      ranked
        .slice(0, 6)
        .map((st) => `${st} ${ms(t.stageUs[st]!)} ms (${Math.round((100 * t.stageUs[st]!) / t.stageTotal)}%)`)
        .join(", ") || undefined,
    nodeBreakdown:
      Object.entries(t.perNode)
        .sort((a, b) => b[1] - a[1])
        .map(([n, us]) => `${n} ${ms(us)} ms`)
        .join(", ") || undefined,
    timePerStageMs: stageMs,
    perNodeMs: Object.fromEntries(Object.entries(t.perNode).map(([k, v]) => [k, ms(v)])),
  });
  return summary;
}

/** Data-quality notes: no sessions, null elapsed, negative deltas, clock skew, incomplete sessions, missing events, unknown wording. */
function qualityNotes(S: SessionSummary[], t: SessionTotals): string[] {
  const notes: string[] = [];
  const { nulls, negatives, skewed, unknown } = t;
  if (S.length === 0) notes.push("no trace sessions matched.");
  if (nulls)
    notes.push(
      `${plural(nulls, "event")} ${inflect(nulls, "has", "have")} no source_elapsed (Cassandra 2.1 writes null for events that arrive after the session closed): placed on the timeline from their event ids, not charged to any stage (flag "null-elapsed").`,
    );
  if (negatives)
    notes.push(
      `${plural(negatives, "event")} ${inflect(negatives, "has", "have")} a negative delta (elapsed went backwards on a thread: out-of-order event ids or clock skew): charged as 0 (flag "negative-delta").`,
    );
  if (skewed.size)
    notes.push(
      `clock skew: the event ids of ${[...skewed].join(", ")} put them before the coordinator sent to them; their timeline is aligned on the coordinator's send instead (flag "clock-skew").`,
    );
  const incomplete = S.filter((s) => !s.complete).length;
  if (incomplete)
    notes.push(
      `${plural(incomplete, "session")} ${inflect(incomplete, "has", "have")} no duration (never completed, or a sessions row is missing): duration estimated from the last event.`,
    );
  const noEvents = S.filter((s) => s.events === 0).length;
  if (noEvents)
    notes.push(`${plural(noEvents, "session")} ${inflect(noEvents, "has", "have")} no events at all (system_traces.events rows missing or expired).`);
  const silent = S.filter((s) => s.silent_peers.length);
  if (silent.length)
    notes.push(
      `events missing: in ${plural(silent.length, "session")} the coordinator sent to a node that wrote no events (e.g. ${silent[0].silent_peers.join(", ")} in session ${silent[0].session_id}): the node was down, dropped the message, or its trace writes were lost.`,
    );
  if (unknown) notes.push(`${plural(unknown, "event")} ${inflect(unknown, "uses", "use")} wording no stage rule knows: kept with stage "other".`);
  return notes;
}

/** Cross-DC pairs: messages a node sent to a peer in another datacenter (node "\u0000" peer -> count). */
function crossDcPairs(model: TraceModel, dcs: Record<string, string>): Map<string, number> {
  const crossDc = new Map<string, number>();
  if (Object.keys(dcs).length) {
    for (let j = 0; j < model.order.length; j++) {
      const i = model.order[j];
      const p = model.peer[i];
      if (!p || model.stage[i] !== "message-send") continue;
      const a = dcs[model.src.node[i]],
        b = dcs[p];
      if (a && b && a !== b) crossDc.set(model.src.node[i] + "\u0000" + p, (crossDc.get(model.src.node[i] + "\u0000" + p) ?? 0) + 1);
    }
  }
  return crossDc;
}

/**
 * Compare two traces of the same query (e.g. before and after compaction): mean time per stage,
 * duration, sstables per read and tombstones, side by side.
 * @example const before = await trace(q, [], { repeat: 10 }); await compact(); const after = await trace(q, [], { repeat: 10 });
 * @example compareTraces(before, after).chart()
 */
export async function compareTraces(
  a: TraceReport | string,
  b: TraceReport | string,
  labels: [string, string] = ["before", "after"],
): Promise<Report<"stages">> {
  const ra = typeof a === "string" ? await trace(a) : a;
  const rb = typeof b === "string" ? await trace(b) : b;
  checkComparable(ra, "a");
  checkComparable(rb, "b");
  const facts = compareFacts(ra, rb, labels);
  return compareReport(ra, rb, facts, compareTraceFindings(facts));
}

/** compareTraces' arguments must be trace reports (they have a sessions frame). */
function checkComparable(r: TraceReport, name: "a" | "b"): void {
  if (!r || typeof (r as Report).columns !== "function" || !(r as Report).frameNames.includes("sessions" as never)) {
    throw new CassperfError(`compareTraces: argument ${name} must be a report from trace()/traces() or a session id.`);
  }
}

/** Mean of a sessions-frame column (a session without the stage spent 0 ms in it; no sessions at all compare as 0). */
function sessionsMean(r: TraceReport, col: string): number {
  const c = (r.columns("sessions")[col] as (number | null)[]).map((v) => v ?? 0);
  return meanOrNull(c) ?? 0;
}

/** The facts compareTraces' rules and report read: mean ms per stage, largest sstables per read, mean tombstones. */
function compareFacts(ra: TraceReport, rb: TraceReport, labels: [string, string]): CompareFacts {
  const rows: StageChange[] = STAGES.map((st) => ({ stage: st as string, a_ms: sessionsMean(ra, `${st}_ms`), b_ms: sessionsMean(rb, `${st}_ms`) }))
    .filter((r) => r.a_ms || r.b_ms)
    .map((r) => ({ ...r, change_ms: r.b_ms - r.a_ms, change_pct: r.a_ms ? ((r.b_ms - r.a_ms) / r.a_ms) * 100 : null }));
  const maxOf = (xs: number[]) => xs.reduce((m, x) => Math.max(m, x ?? 0), 0);
  return {
    rows,
    labels,
    sessions: [ra.count("sessions"), rb.count("sessions")],
    sstablesPerRead: [maxOf(ra.columns("sessions").sstables_per_read as number[]), maxOf(rb.columns("sessions").sstables_per_read as number[])],
    tombstones: [sessionsMean(ra, "tombstones"), sessionsMean(rb, "tombstones")],
  };
}

/** compareTraces' report: summary side by side, the stages frame and chart. */
function compareReport(ra: TraceReport, rb: TraceReport, facts: CompareFacts, findings: Finding[]): Report<"stages"> {
  const { rows, labels } = facts;
  const [sa, sb] = facts.sstablesPerRead;
  const [ta, tb] = facts.tombstones;
  const da = sessionsMean(ra, "duration_ms"),
    db = sessionsMean(rb, "duration_ms");
  return makeReport({
    helper: "compareTraces",
    title: `${labels[0]} vs ${labels[1]}: ${ra.title} / ${rb.title}`,
    summary: {
      [`${labels[0]}DurationMs`]: Math.round(da * 1000) / 1000,
      [`${labels[1]}DurationMs`]: Math.round(db * 1000) / 1000,
      changeMs: Math.round((db - da) * 1000) / 1000,
      [`${labels[0]}SstablesPerRead`]: sa,
      [`${labels[1]}SstablesPerRead`]: sb,
      [`${labels[0]}Tombstones`]: ta,
      [`${labels[1]}Tombstones`]: tb,
    },
    findings,
    frames: {
      stages: {
        stage: rows.map((r) => r.stage),
        [`${labels[0]}_ms`]: rows.map((r) => r.a_ms),
        [`${labels[1]}_ms`]: rows.map((r) => r.b_ms),
        change_ms: rows.map((r) => r.change_ms),
        change_pct: rows.map((r) => r.change_pct),
      },
    },
    charts: { stages: () => compareSpec(rows, labels) },
    notes: [],
  });
}
