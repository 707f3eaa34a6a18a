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

/** Split CSV text into records of fields (RFC 4180 quoting; quoted fields may span lines). Returns each record with its first line number. */
export function csvRecords(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      quoted = true;
      any = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      any = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      if (any || field !== "") {
        fields.push(field);
        out.push({ fields, line: recordLine });
      }
      fields = [];
      field = "";
      any = false;
      line++;
      recordLine = line;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || field !== "") {
    fields.push(field);
    out.push({ fields, line: recordLine });
  }
  return out;
}

/**
 * Parse a COPY of system_traces.events.
 * @example parseTraceEventsCsv(fs.readFileSync("events.csv", "utf8")).rows.length
 */
export function parseTraceEventsCsv(text: string): Parsed<TraceEventRow> {
  const rows: TraceEventRow[] = [];
  const skipped: Skipped = { count: 0 };
  const records = csvRecords(text ?? "");
  if (records.length === 0) return { rows, skipped };
  let columns: string[];
  let start = 0;
  if (records[0].fields.includes("session_id") && records[0].fields.includes("activity")) {
    columns = records[0].fields.map((f) => f.trim());
    start = 1;
  } else columns = records[0].fields.length === 7 ? EVENT_COLUMNS_40 : EVENT_COLUMNS_21;
  const at = (name: string) => columns.indexOf(name);
  const iSession = at("session_id"),
    iEvent = at("event_id"),
    iActivity = at("activity"),
    iSource = at("source"),
    iElapsed = at("source_elapsed"),
    iThread = at("thread"),
    iPort = at("source_port");
  for (let r = start; r < records.length; r++) {
    const { fields, line } = records[r];
    const elapsedText = iElapsed >= 0 ? (fields[iElapsed] ?? "").trim() : "";
    const elapsed = elapsedText === "" || elapsedText === "null" ? null : Number(elapsedText);
    if (fields.length !== columns.length || !/^[0-9a-f-]{36}$/i.test(fields[iSession] ?? "") || (elapsed !== null && !Number.isFinite(elapsed))) {
      skipped.count++;
      skipped.first ??= { line, text: fields.join(","), reason: `expected ${columns.length} fields: ${columns.join(",")}` };
      continue;
    }
    const badElapsed = traceMicrosProblem("source_elapsed", elapsed);
    if (badElapsed) {
      skip(skipped, line, fields.join(","), badElapsed);
      continue;
    }
    const eventId = iEvent >= 0 ? fields[iEvent] : "";
    const us = timeuuidMicros(eventId);
    rows.push({
      session_id: fields[iSession],
      event_id: eventId,
      event_time: us === undefined ? "" : isoFromMicros(us),
      activity: fields[iActivity] ?? "",
      source: (fields[iSource] ?? "").replace(/^\//, ""),
      source_elapsed: elapsed,
      thread: iThread >= 0 ? fields[iThread] : "",
      ...(iPort >= 0 && /^\d+$/.test(fields[iPort] ?? "") ? { source_port: Number(fields[iPort]) } : {}),
    });
  }
  return { rows, skipped };
}

/**
 * Parse a COPY of system_traces.sessions (WITH HEADER = true).
 * @example parseTraceSessionsCsv(fs.readFileSync("sessions.csv", "utf8")).rows[0].duration
 */
export function parseTraceSessionsCsv(text: string): Parsed<TraceSessionRow> {
  const rows: TraceSessionRow[] = [];
  const skipped: Skipped = { count: 0 };
  const records = csvRecords(text ?? "");
  if (records.length === 0) return { rows, skipped };
  const columns = records[0].fields.map((f) => f.trim());
  if (!columns.includes("session_id") || !columns.includes("coordinator")) {
    skipped.count = records.length;
    skipped.first = { line: 1, text: records[0].fields.join(","), reason: "expected a header line with session_id and coordinator" };
    return { rows, skipped };
  }
  const get = (f: string[], name: string) => (columns.indexOf(name) >= 0 ? (f[columns.indexOf(name)] ?? "") : "");
  for (let r = 1; r < records.length; r++) {
    const f = records[r].fields;
    if (f.length !== columns.length) {
      skipped.count++;
      skipped.first ??= { line: records[r].line, text: f.join(","), reason: `expected ${columns.length} fields` };
      continue;
    }
    const dur = get(f, "duration").trim();
    const badDuration = traceMicrosProblem("duration", dur === "" || dur === "null" ? null : Number(dur));
    if (badDuration) {
      skip(skipped, records[r].line, f.join(","), badDuration);
      continue;
    }
    const params: Record<string, string> = {};
    // cqlsh prints maps as {'k': 'v', ...}
    for (const m of get(f, "parameters").matchAll(/'((?:[^']|'')*)'\s*:\s*'((?:[^']|'')*)'/g)) params[m[1].replace(/''/g, "'")] = m[2].replace(/''/g, "'");
    rows.push({
      session_id: get(f, "session_id"),
      coordinator: get(f, "coordinator").replace(/^\//, ""),
      ...(/^\d+$/.test(get(f, "coordinator_port")) ? { coordinator_port: Number(get(f, "coordinator_port")) } : {}),
      started_at: get(f, "started_at"),
      duration: dur === "" || dur === "null" ? null : Number(dur),
      request: get(f, "request"),
      command: get(f, "command") || "QUERY",
      client: get(f, "client") || null,
      parameters: params,
    });
  }
  return { rows, skipped };
}
