/**
 * Trace rows as a cassperf dataset stores them (traces/sessions.jsonl and traces/events.jsonl),
 * and the pure parsing of those JSONL files.
 *
 * The row shape is the contract between record() (which writes it, via readTraceSession in
 * src/cluster/trace-read.ts) and trace()/traces() (which read it): one JSON object per line, the
 * columns of system_traces.sessions / system_traces.events with uuid/inet as strings, timestamps as
 * ISO-8601 and elapsed times in microseconds. Bad lines are skipped and counted (first one kept
 * with its line number) so a partial file still gives a partial answer.
 */
import { parseUtc } from "./utc-time";
import { skip, type Skipped } from "./gc-types";
import { eachLine } from "./text-lines";

/** What a parser skipped: how many lines, and the first one (the GC parsers' tally, shared). */
export type { Skipped };

/** One system_traces.sessions row. */
export interface TraceSessionRow {
  session_id: string;
  /** Address of the coordinator node. */
  coordinator: string;
  /** 4.0+: the coordinator's internode port (system_traces.sessions.coordinator_port). */
  coordinator_port?: number | null;
  /** ISO-8601 start of the session. */
  started_at: string;
  /** Microseconds; null while the session is incomplete (or when it never completed). */
  duration: number | null;
  /** What the session did, e.g. "Execute CQL3 query". */
  request: string;
  /** QUERY / REPAIR / NONE (3.x+; "QUERY" for 2.1). */
  command: string;
  /** Client address (3.x+), or null. */
  client: string | null;
  /** Request parameters: query, consistency_level, page_size ... */
  parameters: Record<string, string>;
}

/** One system_traces.events row. */
export interface TraceEventRow {
  session_id: string;
  /** A timeuuid (cqlsh text exports have none: "cqlsh:<n>"). */
  event_id: string;
  /** ISO-8601 from the timeuuid (microsecond precision when known). */
  event_time: string;
  activity: string;
  /** Address of the node that wrote the event. */
  source: string;
  /** Microseconds since this node joined the session; null when Cassandra did not record it (2.1 writes nulls). */
  source_elapsed: number | null;
  thread: string;
  /** 4.0+: the internode port of the node that wrote the event (system_traces.events.source_port); two nodes may share an address. */
  source_port?: number | null;
}

/** Parsed rows plus what was skipped. */
export interface Parsed<T> {
  rows: T[];
  skipped: Skipped;
}

const GREGORIAN_OFFSET_100NS = 0x01b21dd213814000n;

/**
 * Epoch microseconds of a version-1 (time) UUID, or undefined when it is not one.
 * @example timeuuidMicros("2c4c1a80-e1d2-11e4-9a17-a7d3e8a8b2a3")
 */
export function timeuuidMicros(uuid: string): number | undefined {
  if (uuid.length < 19 || uuid.charCodeAt(14) !== 49 /* version "1" */ || uuid.charCodeAt(8) !== 45 || uuid.charCodeAt(13) !== 45) return undefined;
  const low = parseInt(uuid.slice(0, 8), 16);
  const mid = parseInt(uuid.slice(9, 13), 16);
  const hi = parseInt(uuid.slice(15, 18), 16);
  if (Number.isNaN(low) || Number.isNaN(mid) || Number.isNaN(hi)) return undefined;
  // 100-ns units since 1582-10-15 = (hi << 48 | mid << 32 | low) - offset; split at 2^32 so every
  // step stays exact in a double (no BigInt: this runs once per event).
  const upper = hi * 65536 + mid - OFFSET_UPPER;
  const lower = low - OFFSET_LOWER;
  // (upper * 2^32 + lower) / 10 = q * 2^32 + (r * 2^32 + lower) / 10 with upper = 10q + r: all exact.
  const q = Math.floor(upper / 10);
  const r = upper - q * 10;
  return q * 4294967296 + Math.floor((r * 4294967296 + lower) / 10);
}
const OFFSET_UPPER = Number(GREGORIAN_OFFSET_100NS >> 32n);
const OFFSET_LOWER = Number(GREGORIAN_OFFSET_100NS & 0xffffffffn);

/** ISO-8601 with microseconds from epoch microseconds. */
export function isoFromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // ...T00:00:00.123Z
  const micro = String(Math.floor(us) % 1000).padStart(3, "0");
  return iso.slice(0, -1) + micro + "Z";
}

/** Epoch microseconds of an ISO-8601 timestamp (keeps sub-millisecond digits); NaN when unreadable. */
export function microsFromIso(s: string): number {
  const m = /^(.*?T\d\d:\d\d:\d\d)(?:[.,](\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(s.trim().replace(" ", "T"));
  if (!m) return parseUtc(s) * 1000;
  const base = parseUtc(m[1] + (m[3] ?? "Z"));
  const frac = m[2] ? Number((m[2] + "000000").slice(0, 6)) : 0;
  return base * 1000 + frac;
}

/**
 * The largest source_elapsed and duration system_traces can hold: both are CQL `int` columns of
 * microseconds (Cassandra's TraceKeyspace.java, 2.1 to 5.0), so 2^31 − 1 µs, about 35.8 minutes.
 */
export const TRACE_MICROS_MAX = 2_147_483_647;

/**
 * Why a source_elapsed / duration value is impossible (negative, fractional, over
 * {@link TRACE_MICROS_MAX}, not a number), or undefined when it is fine; null means "not recorded".
 */
export function traceMicrosProblem(column: "source_elapsed" | "duration", v: number | null): string | undefined {
  if (v === null) return undefined;
  if (!Number.isFinite(v)) return `${column} is not a number`;
  if (v < 0 || !Number.isInteger(v) || v > TRACE_MICROS_MAX)
    return `${column} ${v} is impossible: system_traces stores it as a CQL int of microseconds, 0 to ${TRACE_MICROS_MAX}`;
  return undefined;
}

const isStr = (v: unknown): v is string => typeof v === "string";
const isElapsed = (v: unknown): v is number | null => v === null || (typeof v === "number" && Number.isFinite(v));

/** Call `fn(line, lineNumber)` for each non-empty line without building an array of lines (`linesBefore`: lines of the file before this text, for a block of a streamed file). */
export function forEachLine(text: string, fn: (line: string, n: number) => void, linesBefore = 0): void {
  eachLine(
    text,
    (line, n) => {
      if (line.trim() !== "") fn(line, n);
    },
    linesBefore,
  );
}

/** Call `fn(object, line, lineNumber)` for each non-empty line that parses as JSON; the others are skipped as "not JSON". */
function forEachJsonLine(text: string, skipped: Skipped, fn: (o: any, line: string, n: number) => void, linesBefore = 0): void {
  forEachLine(
    text,
    (line, n) => {
      let o: any;
      try {
        o = JSON.parse(line);
      } catch {
        return skip(skipped, n, line, "not JSON");
      }
      fn(o, line, n);
    },
    linesBefore,
  );
}

/**
 * Where a block of a streamed JSONL file starts: the lines before it and the file's skipped tally
 * so far (carried from block to block, so counts and the first skipped line are the file's own).
 */
export interface BlockStart {
  linesBefore: number;
  skipped: Skipped;
}

/** Lines in a block of whole lines (its last line may lack "\n" only at the end of the file). */
export function blockLines(block: string): number {
  let n = 0;
  for (let i = block.indexOf("\n"); i >= 0; i = block.indexOf("\n", i + 1)) n++;
  return block.endsWith("\n") ? n : n + 1;
}

/**
 * Parse traces/sessions.jsonl.
 * @example parseSessionsJsonl(fs.readFileSync("ds/traces/sessions.jsonl", "utf8")).rows[0].coordinator
 */
export function parseSessionsJsonl(text: string, at?: BlockStart): Parsed<TraceSessionRow> {
  const rows: TraceSessionRow[] = [];
  const skipped: Skipped = at?.skipped ?? { count: 0 };
  if (!text) return { rows, skipped };
  forEachJsonLine(
    text,
    skipped,
    (o, line, n) => {
      if (
        !o ||
        !isStr(o.session_id) ||
        !isStr(o.coordinator) ||
        !isStr(o.started_at) ||
        !(o.duration === null || o.duration === undefined || typeof o.duration === "number")
      ) {
        return skip(skipped, n, line, "expected {session_id, coordinator, started_at, duration, ...}");
      }
      const bad = traceMicrosProblem("duration", typeof o.duration === "number" ? o.duration : null);
      if (bad) return skip(skipped, n, line, bad);
      rows.push({
        session_id: o.session_id,
        coordinator: o.coordinator,
        ...(typeof o.coordinator_port === "number" ? { coordinator_port: o.coordinator_port } : {}),
        started_at: o.started_at,
        duration: typeof o.duration === "number" ? o.duration : null,
        request: isStr(o.request) ? o.request : "",
        command: isStr(o.command) ? o.command : "QUERY",
        client: isStr(o.client) ? o.client : null,
        parameters: o.parameters && typeof o.parameters === "object" ? o.parameters : {},
      });
    },
    at?.linesBefore,
  );
  return { rows, skipped };
}

/**
 * Parse traces/events.jsonl. `onRow` (optional) receives each row instead of collecting them, so a
 * caller can fold millions of events into columns without holding row objects.
 * @example parseEventsJsonl(text).rows.filter((e) => e.source === "127.0.0.2")
 */
export function parseEventsJsonl(text: string, onRow?: (row: TraceEventRow) => void, at?: BlockStart): Parsed<TraceEventRow> {
  const rows: TraceEventRow[] = [];
  const skipped: Skipped = at?.skipped ?? { count: 0 };
  if (!text) return { rows, skipped };
  const push = onRow ?? ((r: TraceEventRow) => void rows.push(r));
  forEachJsonLine(
    text,
    skipped,
    (o, line, n) => {
      if (!o || !isStr(o.session_id) || !isStr(o.activity) || !isStr(o.source) || !isElapsed(o.source_elapsed ?? null)) {
        return skip(skipped, n, line, "expected {session_id, event_id, activity, source, source_elapsed, thread}");
      }
      const bad = traceMicrosProblem("source_elapsed", o.source_elapsed ?? null);
      if (bad) return skip(skipped, n, line, bad);
      const eventId = isStr(o.event_id) ? o.event_id : "";
      let eventTime = isStr(o.event_time) ? o.event_time : "";
      if (!eventTime && eventId) {
        const us = timeuuidMicros(eventId);
        if (us !== undefined) eventTime = isoFromMicros(us);
      }
      push({
        session_id: o.session_id,
        event_id: eventId,
        event_time: eventTime,
        activity: o.activity,
        source: o.source,
        source_elapsed: o.source_elapsed ?? null,
        thread: isStr(o.thread) ? o.thread : "",
        ...(typeof o.source_port === "number" ? { source_port: o.source_port } : {}),
      });
    },
    at?.linesBefore,
  );
  return { rows, skipped };
}
