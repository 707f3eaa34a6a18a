/**
 * Reading trace sessions from a live cluster (system_traces) in the dataset row shape.
 *
 * Cassandra writes trace rows asynchronously: a session's row appears, then its `duration` is set
 * when the coordinator finishes, and replica events can land a moment later still. So we poll
 * (bounded) until `duration` is set and the event count stops growing. trace() uses this, and
 * record() reuses it so that recorded datasets hold exactly the rows a live trace() sees.
 */
import type { Client } from "cassandra-driver";
import { CassperfError } from "../errors";
import { isoFromMicros, timeuuidMicros, type TraceEventRow, type TraceSessionRow } from "../parse/trace-rows";

/** Options for {@link readTraceSession}. */
export interface ReadTraceOptions {
  /** How long to wait for the session to complete (duration set), in ms. Default 10,000. */
  timeoutMs?: number;
  /**
   * This session's system_traces.sessions row, already read (e.g. while scanning the table): when
   * its duration is set, it is used as is instead of selecting the row again.
   */
  session?: TraceSessionRow;
  /** Return the incomplete session instead of throwing when it does not complete in time. Default false. */
  allowIncomplete?: boolean;
}

/** A session with its events, as read from system_traces. */
export interface TraceSessionData {
  session: TraceSessionRow;
  events: TraceEventRow[];
  /** True when the session's duration was set when we read it. */
  complete: boolean;
}

/** Poll interval while waiting for a session or its events, ms. */
const POLL_MS = 150;
/**
 * How long to keep re-reading events until their count is stable, ms, for a session that started
 * in the last 10 s (replica events can land after the coordinator is done); 0 for older ones.
 */
const RECENT_SETTLE_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

/** A system_traces.sessions row from the driver -> {@link TraceSessionRow}. */
export function sessionRowFromDriver(r: any): TraceSessionRow {
  const params: Record<string, string> = {};
  const p = r.parameters;
  if (p instanceof Map) for (const [k, v] of p) params[String(k)] = String(v);
  else if (p && typeof p === "object") for (const k of Object.keys(p)) params[k] = String(p[k]);
  return {
    session_id: str(r.session_id),
    coordinator: str(r.coordinator),
    ...(typeof r.coordinator_port === "number" ? { coordinator_port: r.coordinator_port } : {}),
    started_at: r.started_at instanceof Date ? r.started_at.toISOString() : str(r.started_at),
    duration: typeof r.duration === "number" ? r.duration : null,
    request: str(r.request),
    command: r.command === undefined || r.command === null ? "QUERY" : String(r.command),
    client: r.client === undefined || r.client === null ? null : String(r.client),
    parameters: params,
  };
}

/** A system_traces.events row from the driver -> {@link TraceEventRow}. */
export function eventRowFromDriver(r: any): TraceEventRow {
  const id = str(r.event_id);
  const us = timeuuidMicros(id);
  return {
    session_id: str(r.session_id),
    event_id: id,
    event_time: us === undefined ? "" : isoFromMicros(us),
    activity: str(r.activity),
    source: str(r.source),
    source_elapsed: typeof r.source_elapsed === "number" ? r.source_elapsed : null,
    thread: str(r.thread),
    ...(typeof r.source_port === "number" ? { source_port: r.source_port } : {}),
  };
}

/** Read all events of a session (paged). */
async function readEvents(client: Client, sessionId: string): Promise<TraceEventRow[]> {
  const out: TraceEventRow[] = [];
  const q = "SELECT * FROM system_traces.events WHERE session_id = ?";
  for await (const row of client.stream(q, [uuid(sessionId)], { prepare: false, fetchSize: 5000 }) as any) out.push(eventRowFromDriver(row));
  return out;
}

/**
 * The session id as a driver Uuid. Queries on system_traces are sent unprepared: Cassandra 2.1 on
 * JDK 17 fails to PREPARE them (its prepared-statement cache measures objects by reflection that
 * JDK 17 forbids), and an unprepared query needs a typed Uuid, not a string.
 */
function uuid(id: string): unknown {
  const cassandra = require("cassandra-driver") as typeof import("cassandra-driver");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    throw new CassperfError(`trace: "${id}" is not a trace session id (a uuid like 2c4c1a80-e1d2-11e4-9a17-a7d3e8a8b2a3).`);
  return cassandra.types.Uuid.fromString(id);
}

/**
 * Read one trace session and its events from a live cluster, waiting (bounded) until the session
 * is complete and its events have settled. Rows are in the dataset shape (traces/*.jsonl).
 * @example const { session, events } = await readTraceSession(live.client, result.info.traceId.toString(), { timeoutMs: 10000 })
 */
export async function readTraceSession(client: Client, sessionId: string, options: ReadTraceOptions = {}): Promise<TraceSessionData> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const started = Date.now();
  // A complete row the caller already read needs no polling select.
  let session: TraceSessionRow | undefined = options.session && options.session.duration !== null ? options.session : undefined;
  while (!session || session.duration === null) {
    const rs = await client.execute("SELECT * FROM system_traces.sessions WHERE session_id = ?", [uuid(sessionId)], { prepare: false });
    if (rs.rows.length) session = sessionRowFromDriver(rs.rows[0]);
    if (session && session.duration !== null) break;
    if (Date.now() - started >= timeoutMs) {
      if (options.allowIncomplete && session) break;
      throw new CassperfError(
        session
          ? `trace session ${sessionId} did not complete within ${timeoutMs} ms: system_traces.sessions has its row but duration is still null (the request may still be running on the coordinator).`
          : `trace session ${sessionId} did not appear in system_traces.sessions within ${timeoutMs} ms.`,
        { hint: "retry with a longer { timeoutMs }, or check that the coordinator is healthy (nodetool tpstats: dropped messages on system_traces writes)" },
      );
    }
    await sleep(POLL_MS);
  }
  // Replica events may land after the coordinator finished: read until the count is stable (bounded).
  let events = await readEvents(client, sessionId);
  const recent = Date.now() - Date.parse(session.started_at) < 10_000;
  const settleMs = recent ? RECENT_SETTLE_MS : 0;
  const settleUntil = Math.max(Date.now() + 2 * POLL_MS, started + Math.min(timeoutMs, settleMs));
  while (settleMs > 0 && Date.now() < started + timeoutMs) {
    await sleep(POLL_MS);
    const again = await readEvents(client, sessionId);
    const stable = again.length === events.length;
    events = again;
    if (stable && Date.now() >= settleUntil) break;
  }
  return { session, events, complete: session.duration !== null };
}

/** Most system_traces.sessions rows findRecentSessions reads. */
const MAX_SCAN = 100_000;

/**
 * Find trace sessions started since `sinceMs` (epoch ms) whose request or query parameter matches
 * `query`. Used when a traced query fails: the driver does not hand back the trace id of an error,
 * but Cassandra still traced it. system_traces.sessions has no time index, so this scans it (bounded).
 * @example await findRecentSessions(live.client, { sinceMs: Date.now() - 5000, query: "SELECT ..." })
 */
export async function findRecentSessions(client: Client, opts: { sinceMs: number; untilMs?: number; query?: string }): Promise<TraceSessionRow[]> {
  const out: TraceSessionRow[] = [];
  let scanned = 0;
  for await (const row of client.stream("SELECT * FROM system_traces.sessions", [], { fetchSize: 2000 }) as any) {
    if (++scanned > MAX_SCAN) break;
    const s = sessionRowFromDriver(row);
    if (Date.parse(s.started_at) < opts.sinceMs - 1000) continue;
    // 2.1 does not keep a prepared query's text: a session without one may be ours too.
    if (opts.query && s.parameters.query !== undefined && s.parameters.query !== opts.query && s.request !== opts.query) continue;
    if (opts.untilMs !== undefined && Date.parse(s.started_at) > opts.untilMs + 1000) continue;
    out.push(s);
  }
  return out.sort((a, b) => a.started_at.localeCompare(b.started_at));
}
