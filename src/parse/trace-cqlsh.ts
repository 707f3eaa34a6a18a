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
 * The parser is fed line by line ({@link CqlshTraceLines}) and keeps one session at a time, so a
 * file of thousands of sessions is read block by block; parseCqlshTrace(text) wraps it for a text.
 */
import { skip } from "./gc-types";
import { parseLines, type LineParser } from "./nodetool-common";
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

/** What a {@link CqlshTraceLines} found once every line was fed: how many sessions and events it handed on, and what it skipped. */
export interface CqlshTraceEnd {
  sessions: number;
  events: number;
  skipped: Skipped;
}

/**
 * cqlsh TRACING ON output fed line by line (the nodetool parsers' {@link LineParser} shape), so a file of
 * any size is read block by block (Source.readLineBlocks + feedBlock) without a whole-file string. It keeps
 * one session: its header, its columns and its events, until the next "Tracing session:" line or the end
 * (the last row, "Request complete", gives the duration), then hands the session and its events to
 * `onSession`. Skipped lines are numbered with the `lineNo` fed (the file's own).
 * @example const p = new CqlshTraceLines((s, ev) => rows.push(s)); for await (const b of blocks) n += feedBlock(p, b, n); p.end().skipped
 */
export class CqlshTraceLines implements LineParser<CqlshTraceEnd> {
  private readonly skipped: Skipped = { count: 0 };
  private session: TraceSessionRow | undefined;
  private events: TraceEventRow[] = [];
  private columns: string[] | undefined;
  /** The next row is the session's own (its request and coordinator), not an event. */
  private first = true;
  /** Events numbered in printed order over the whole file ("cqlsh:<n>"). */
  private n = 0;
  private sessionCount = 0;
  private eventCount = 0;

  constructor(private readonly onSession: (session: TraceSessionRow, events: TraceEventRow[]) => void) {}

  feed(line: string, lineNo: number): void {
    const s = SESSION_LINE.exec(line);
    if (s) {
      this.finishSession();
      this.session = { session_id: s[1], coordinator: "", started_at: "", duration: null, request: "", command: "QUERY", client: null, parameters: {} };
      this.columns = undefined;
      this.first = true;
      return;
    }
    const session = this.session;
    if (!session) return;
    if (!this.columns) {
      if (/^\s*activity\s*\|/.test(line)) this.header(session, line, lineNo);
      return;
    }
    const columns = this.columns;
    if (SEPARATOR.test(line)) return;
    if (line.trim() === "") {
      // A blank line after rows ends the table.
      if (!this.first) this.columns = undefined;
      return;
    }
    const parts = line.split("|");
    if (parts.length < columns.length) {
      this.skipped.count++;
      this.skipped.first ??= { line: lineNo, text: line, reason: `expected ${columns.length} columns separated by |` };
      return;
    }
    // The activity may itself contain "|": everything before the last (columns-1) separators.
    const tail = parts.splice(parts.length - (columns.length - 1));
    const cell: Record<string, string> = { activity: parts.join("|").trim() };
    columns.slice(1).forEach((c, k) => (cell[c] = tail[k].trim()));
    const elapsed = cell.source_elapsed === "" || cell.source_elapsed === "null" || cell.source_elapsed === undefined ? null : Number(cell.source_elapsed);
    if (!TIMESTAMP_CELL.test(cell.timestamp ?? "")) {
      skip(this.skipped, lineNo, line, `timestamp ${JSON.stringify(cell.timestamp ?? "")} is not a cqlsh time (yyyy-mm-dd hh:mm:ss.ffffff)`);
      return;
    }
    const badElapsed = traceMicrosProblem(cell.activity === "Request complete" ? "duration" : "source_elapsed", elapsed);
    if (badElapsed) {
      skip(this.skipped, lineNo, line, badElapsed);
      return;
    }
    const time = cqlshTime(cell.timestamp ?? "");
    if (this.first) {
      // The session row: request and coordinator.
      this.first = false;
      session.request = cell.activity;
      session.coordinator = cell.source ?? "";
      session.started_at = time;
      if (cell.client) session.client = cell.client;
      return;
    }
    if (cell.activity === "Request complete") {
      session.duration = elapsed;
      return;
    }
    const th = /^(.*?)\s*\[([^\]]*)\]\s*$/.exec(cell.activity);
    this.events.push({
      session_id: session.session_id,
      event_id: `cqlsh:${++this.n}`,
      event_time: time,
      activity: th ? th[1] : cell.activity,
      source: cell.source ?? "",
      source_elapsed: elapsed,
      thread: th ? th[2] : "",
    });
  }

  end(): CqlshTraceEnd {
    this.finishSession();
    return { sessions: this.sessionCount, events: this.eventCount, skipped: this.skipped };
  }

  /** The table's header line: its columns, or the session skipped when a column cqlsh always prints is missing. */
  private header(session: TraceSessionRow, line: string, lineNo: number): void {
    const columns = line.split("|").map((c) => c.trim().toLowerCase());
    const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
    if (!missing.length) {
      this.columns = columns;
      return;
    }
    // Not cqlsh's table: mapping its rows would put the query text and times in the wrong columns.
    skip(
      this.skipped,
      lineNo,
      line,
      `the header lacks ${missing.join(", ")} (cqlsh prints activity | timestamp | source | source_elapsed [| client]); session ${session.session_id} skipped`,
    );
    this.session = undefined;
    this.events = [];
  }

  /** Hand the session being read (and its events) on, and forget it. */
  private finishSession(): void {
    const session = this.session;
    if (!session) return;
    const events = this.events;
    this.session = undefined;
    this.events = [];
    this.sessionCount++;
    this.eventCount += events.length;
    this.onSession(session, events);
  }
}

/**
 * Parse cqlsh TRACING ON output (one or many sessions): {@link CqlshTraceLines} over a whole text.
 * @example parseCqlshTrace(fs.readFileSync("trace.txt", "utf8")).sessions.length
 */
export function parseCqlshTrace(text: string): CqlshTrace {
  const sessions: TraceSessionRow[] = [];
  const events: TraceEventRow[] = [];
  const p = new CqlshTraceLines((s, ev) => {
    sessions.push(s);
    for (const e of ev) events.push(e);
  });
  const { skipped } = parseLines(p, text ?? "");
  return { sessions, events, skipped };
}
