/**
 * cqlsh `COPY system_traces.events TO 'events.csv' [WITH HEADER = true]` -> trace event rows.
 *
 * Columns are the table's: session_id, event_id, activity, source, source_elapsed, thread
 * (4.0+ adds source_port before thread). With a header line the columns are taken from it;
 * without one, 6 fields mean the 2.1-3.x order and 7 the 4.0+ order. Fields with commas are
 * double-quoted (quotes doubled); null is an empty field. The same reader takes a COPY of
 * system_traces.sessions (header required).
 */
import { skip } from "./gc-types";
import { isoFromMicros, timeuuidMicros, traceMicrosProblem, type Parsed, type Skipped, type TraceEventRow, type TraceSessionRow } from "./trace-rows";

const EVENT_COLUMNS_21 = ["session_id", "event_id", "activity", "source", "source_elapsed", "thread"];
const EVENT_COLUMNS_40 = ["session_id", "event_id", "activity", "source", "source_elapsed", "source_port", "thread"];

/** One CSV record: its fields and the line it starts on (1-based). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/**
 * RFC 4180 records from text fed in blocks of whole lines (as ../cluster/read-stream.ts gives them):
 * a quoted field may span lines and blocks, so the reader carries the record being read from one
 * block to the next. Line numbers are the file's own.
 */
export class CsvRecordReader {
  private fields: string[] = [];
  private field = "";
  private quoted = false;
  private line = 1;
  private recordLine = 1;
  private any = false;

  /** Read one block; each complete record goes to `out`. */
  feed(text: string, out: (r: CsvRecord) => void): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else this.quoted = false;
        } else {
          if (c === "\n") this.line++;
          this.field += c;
        }
        continue;
      }
      if (c === '"') {
        this.quoted = true;
        this.any = true;
      } else if (c === ",") {
        this.fields.push(this.field);
        this.field = "";
        this.any = true;
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        if (this.any || this.field !== "") {
          this.fields.push(this.field);
          out({ fields: this.fields, line: this.recordLine });
        }
        this.fields = [];
        this.field = "";
        this.any = false;
        this.line++;
        this.recordLine = this.line;
      } else {
        this.field += c;
        this.any = true;
      }
    }
  }

  /** The end of the file: a last record without a line end (or an unclosed quote) goes to `out`. */
  end(out: (r: CsvRecord) => void): void {
    if (this.any || this.field !== "") {
      this.fields.push(this.field);
      out({ fields: this.fields, line: this.recordLine });
    }
    this.fields = [];
    this.field = "";
    this.any = false;
  }
}

/** Split CSV text into records of fields (RFC 4180 quoting; quoted fields may span lines). Returns each record with its first line number. */
export function csvRecords(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const reader = new CsvRecordReader();
  const push = (r: CsvRecord) => out.push(r);
  reader.feed(text, push);
  reader.end(push);
  return out;
}

/** A CSV export read block by block into rows: feed() each block, end() at the file's end; a subclass turns each record into a row or a skip. */
abstract class CsvRowParser<Row> {
  private readonly reader = new CsvRecordReader();
  protected readonly skipped: Skipped = { count: 0 };
  private readonly take = (r: CsvRecord) => this.record(r);

  constructor(protected readonly onRow: (row: Row) => void) {}

  /** Read one block of whole lines. */
  feed(text: string): void {
    this.reader.feed(text, this.take);
  }

  /** The end of the file: what was skipped. */
  end(): { skipped: Skipped } {
    this.reader.end(this.take);
    return { skipped: this.skipped };
  }

  protected abstract record(r: CsvRecord): void;
}

/**
 * A COPY of system_traces.events read block by block: the first record decides the columns (a header,
 * or 6/7 fields), every later one becomes a row or a skipped line.
 * @example const p = new TraceEventsCsvParser((row) => rows.push(row)); for await (const b of blocks) p.feed(b); p.end().skipped
 */
export class TraceEventsCsvParser extends CsvRowParser<TraceEventRow> {
  private columns: string[] | undefined;
  private index: Record<"session" | "event" | "activity" | "source" | "elapsed" | "thread" | "port", number> | undefined;

  protected record({ fields, line }: CsvRecord): void {
    if (!this.columns) {
      if (fields.includes("session_id") && fields.includes("activity")) {
        this.columns = fields.map((f) => f.trim());
        this.indexColumns();
        return;
      }
      this.columns = fields.length === 7 ? EVENT_COLUMNS_40 : EVENT_COLUMNS_21;
      this.indexColumns();
    }
    const columns = this.columns;
    const ix = this.index!;
    const elapsedText = ix.elapsed >= 0 ? (fields[ix.elapsed] ?? "").trim() : "";
    const elapsed = elapsedText === "" || elapsedText === "null" ? null : Number(elapsedText);
    if (fields.length !== columns.length || !/^[0-9a-f-]{36}$/i.test(fields[ix.session] ?? "") || (elapsed !== null && !Number.isFinite(elapsed))) {
      this.skipped.count++;
      this.skipped.first ??= { line, text: fields.join(","), reason: `expected ${columns.length} fields: ${columns.join(",")}` };
      return;
    }
    const badElapsed = traceMicrosProblem("source_elapsed", elapsed);
    if (badElapsed) {
      skip(this.skipped, line, fields.join(","), badElapsed);
      return;
    }
    const eventId = ix.event >= 0 ? fields[ix.event] : "";
    const us = timeuuidMicros(eventId);
    this.onRow({
      session_id: fields[ix.session],
      event_id: eventId,
      event_time: us === undefined ? "" : isoFromMicros(us),
      activity: fields[ix.activity] ?? "",
      source: (fields[ix.source] ?? "").replace(/^\//, ""),
      source_elapsed: elapsed,
      thread: ix.thread >= 0 ? fields[ix.thread] : "",
      ...(ix.port >= 0 && /^\d+$/.test(fields[ix.port] ?? "") ? { source_port: Number(fields[ix.port]) } : {}),
    });
  }

  private indexColumns(): void {
    const at = (name: string) => this.columns!.indexOf(name);
    this.index = {
      session: at("session_id"),
      event: at("event_id"),
      activity: at("activity"),
      source: at("source"),
      elapsed: at("source_elapsed"),
      thread: at("thread"),
      port: at("source_port"),
    };
  }
}

/**
 * Parse a COPY of system_traces.events.
 * @example parseTraceEventsCsv(fs.readFileSync("events.csv", "utf8")).rows.length
 */
export function parseTraceEventsCsv(text: string): Parsed<TraceEventRow> {
  const rows: TraceEventRow[] = [];
  const p = new TraceEventsCsvParser((r) => rows.push(r));
  p.feed(text ?? "");
  return { rows, skipped: p.end().skipped };
}

/**
 * A COPY of system_traces.sessions (WITH HEADER = true) read block by block.
 * @example const p = new TraceSessionsCsvParser((row) => rows.push(row)); for await (const b of blocks) p.feed(b); p.end().skipped
 */
export class TraceSessionsCsvParser extends CsvRowParser<TraceSessionRow> {
  private columns: string[] | undefined;
  /** The first record was not a header: every record is skipped. */
  private noHeader = false;

  protected record({ fields: f, line }: CsvRecord): void {
    if (this.noHeader) {
      this.skipped.count++;
      return;
    }
    if (!this.columns) {
      const columns = f.map((x) => x.trim());
      if (!columns.includes("session_id") || !columns.includes("coordinator")) {
        this.noHeader = true;
        this.skipped.count++;
        this.skipped.first = { line: 1, text: f.join(","), reason: "expected a header line with session_id and coordinator" };
        return;
      }
      this.columns = columns;
      return;
    }
    const columns = this.columns;
    const get = (name: string) => (columns.indexOf(name) >= 0 ? (f[columns.indexOf(name)] ?? "") : "");
    if (f.length !== columns.length) {
      this.skipped.count++;
      this.skipped.first ??= { line, text: f.join(","), reason: `expected ${columns.length} fields` };
      return;
    }
    const dur = get("duration").trim();
    const badDuration = traceMicrosProblem("duration", dur === "" || dur === "null" ? null : Number(dur));
    if (badDuration) {
      skip(this.skipped, line, f.join(","), badDuration);
      return;
    }
    const params: Record<string, string> = {};
    // cqlsh prints maps as {'k': 'v', ...}
    for (const m of get("parameters").matchAll(/'((?:[^']|'')*)'\s*:\s*'((?:[^']|'')*)'/g)) params[m[1].replace(/''/g, "'")] = m[2].replace(/''/g, "'");
    this.onRow({
      session_id: get("session_id"),
      coordinator: get("coordinator").replace(/^\//, ""),
      ...(/^\d+$/.test(get("coordinator_port")) ? { coordinator_port: Number(get("coordinator_port")) } : {}),
      started_at: get("started_at"),
      duration: dur === "" || dur === "null" ? null : Number(dur),
      request: get("request"),
      command: get("command") || "QUERY",
      client: get("client") || null,
      parameters: params,
    });
  }
}

/**
 * Parse a COPY of system_traces.sessions (WITH HEADER = true).
 * @example parseTraceSessionsCsv(fs.readFileSync("sessions.csv", "utf8")).rows[0].duration
 */
export function parseTraceSessionsCsv(text: string): Parsed<TraceSessionRow> {
  const rows: TraceSessionRow[] = [];
  const p = new TraceSessionsCsvParser((r) => rows.push(r));
  p.feed(text ?? "");
  return { rows, skipped: p.end().skipped };
}
