/**
 * cqlsh `TRACING ON` output -> trace session and event rows.
 *
 * What cqlsh prints after each traced statement (2.1; 3.x+ adds a `client` column):
 *
 *   Tracing session: 2c4c1a80-e1d2-11e4-9a17-a7d3e8a8b2a3
 *
 *    activity                                              | timestamp                  | source    | source_elapsed
 *   -------------------------------------------------------+----------------------------+-----------+----------------
 *                                       Execute CQL3 query | 2015-04-13 11:23:31.016000 | 127.0.0.1 |              0
 *    Parsing SELECT * FROM ks.t; [SharedPool-Worker-1]      | 2015-04-13 11:23:31.017000 | 127.0.0.1 |             95
 *                                         Request complete | 2015-04-13 11:23:31.018354 | 127.0.0.1 |           2354
 *
 * The first row is the session (its request), the last ("Request complete") gives the duration;
 * the rows between are events, each with its thread in trailing brackets. A file may hold many
 * sessions. cqlsh prints no event ids: events get "cqlsh:<n>" ids in printed order.
 */
import { skip } from "./gc-types";
import { microsFromIso, isoFromMicros, traceMicrosProblem, type Skipped, type TraceEventRow, type TraceSessionRow } from "./trace-rows";

/** Sessions and events found in cqlsh output. */
export interface CqlshTrace {
  sessions: TraceSessionRow[];
  events: TraceEventRow[];
  skipped: Skipped;
}

const SESSION_LINE = /^\s*Tracing session:\s*([0-9a-f-]{36})/i;
/** The columns every cqlsh version prints (3.x+ adds client); a header without one is not cqlsh's. */
const REQUIRED_COLUMNS = ["activity", "timestamp", "source", "source_elapsed"];
/** A cqlsh timestamp cell: "2015-04-13 11:23:31.016000" or (old) "11:23:31,016". */
const TIMESTAMP_CELL = /^(\d{4}-\d\d-\d\d[ T])?\d\d:\d\d:\d\d([.,]\d+)?([+-]\d{4}|Z)?$/;
const SEPARATOR = /^\s*-+(\+-+)+\s*$/;

/** cqlsh timestamps: "2015-04-13 11:23:31.016000", older "11:23:31,016" (time only: date unknown). */
function cqlshTime(s: string): string {
  const t = s.trim();
  if (/^\d{4}-\d\d-\d\d[ T]\d/.test(t)) {
    const us = microsFromIso(t.replace(" ", "T"));
    return Number.isFinite(us) ? isoFromMicros(us) : t;
  }
  return t;
}

/**
 * Parse cqlsh TRACING ON output (one or many sessions).
 * @example parseCqlshTrace(fs.readFileSync("trace.txt", "utf8")).sessions.length
 */
export function parseCqlshTrace(text: string): CqlshTrace {
  const sessions: TraceSessionRow[] = [];
  const events: TraceEventRow[] = [];
  const skipped: Skipped = { count: 0 };
  if (!text) return { sessions, events, skipped };
  const lines = text.split(/\r?\n/);
  let session: TraceSessionRow | undefined;
  let columns: string[] | undefined;
  let first = true;
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const s = SESSION_LINE.exec(line);
    if (s) {
      session = { session_id: s[1], coordinator: "", started_at: "", duration: null, request: "", command: "QUERY", client: null, parameters: {} };
      sessions.push(session);
      columns = undefined;
      first = true;
      continue;
    }
    if (!session) continue;
    if (!columns) {
      if (/^\s*activity\s*\|/.test(line)) {
        columns = line.split("|").map((c) => c.trim().toLowerCase());
        const missing = REQUIRED_COLUMNS.filter((c) => !columns!.includes(c));
        if (missing.length) {
          // Not cqlsh's table: mapping its rows would put the query text and times in the wrong columns.
          skip(
            skipped,
            i + 1,
            line,
            `the header lacks ${missing.join(", ")} (cqlsh prints activity | timestamp | source | source_elapsed [| client]); session ${session.session_id} skipped`,
          );
          if (sessions[sessions.length - 1] === session) sessions.pop();
          session = undefined;
          columns = undefined;
        }
      }
      continue;
    }
    if (SEPARATOR.test(line)) continue;
    if (line.trim() === "") {
      // A blank line after rows ends the table.
      if (!first) columns = undefined;
      continue;
    }
    const parts = line.split("|");
    if (parts.length < columns.length) {
      skipped.count++;
      skipped.first ??= { line: i + 1, text: line, reason: `expected ${columns.length} columns separated by |` };
      continue;
    }
    // The activity may itself contain "|": everything before the last (columns-1) separators.
    const tail = parts.splice(parts.length - (columns.length - 1));
    const cell: Record<string, string> = { activity: parts.join("|").trim() };
    columns.slice(1).forEach((c, k) => (cell[c] = tail[k].trim()));
    const elapsed = cell.source_elapsed === "" || cell.source_elapsed === "null" || cell.source_elapsed === undefined ? null : Number(cell.source_elapsed);
    if (!TIMESTAMP_CELL.test(cell.timestamp ?? "")) {
      skip(skipped, i + 1, line, `timestamp ${JSON.stringify(cell.timestamp ?? "")} is not a cqlsh time (yyyy-mm-dd hh:mm:ss.ffffff)`);
      continue;
    }
    const badElapsed = traceMicrosProblem(cell.activity === "Request complete" ? "duration" : "source_elapsed", elapsed);
    if (badElapsed) {
      skip(skipped, i + 1, line, badElapsed);
      continue;
    }
    const time = cqlshTime(cell.timestamp ?? "");
    if (first) {
      // The session row: request and coordinator.
      first = false;
      session.request = cell.activity;
      session.coordinator = cell.source ?? "";
      session.started_at = time;
      if (cell.client) session.client = cell.client;
      continue;
    }
    if (cell.activity === "Request complete") {
      session.duration = elapsed;
      continue;
    }
    const th = /^(.*?)\s*\[([^\]]*)\]\s*$/.exec(cell.activity);
    events.push({
      session_id: session.session_id,
      event_id: `cqlsh:${++n}`,
      event_time: time,
      activity: th ? th[1] : cell.activity,
      source: cell.source ?? "",
      source_elapsed: elapsed,
      thread: th ? th[2] : "",
    });
  }
  return { sessions, events, skipped };
}
