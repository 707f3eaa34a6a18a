/**
 * system.log / debug.log parser: text -> events, for any Cassandra 2.0–5.0 or DSE layout.
 *
 * Each line either starts an event (it matches the file's layout, see ./log-layout.ts) or
 * continues the previous one. The message of an event is classified by the rule table in
 * ./log-rules.ts. Continuation lines are, in order: rows of an open block (StatusLogger tables in
 * the DSE dialects, the queries under "operations were slow"), stack-trace lines (attached to the
 * previous event, which becomes an "exception" if nothing more specific), or anything else
 * (attached to the previous event and counted). Lines before the first event cannot be attached:
 * they are counted as skipped with their line numbers. Never throws on content.
 *
 * Times: a zone-less log time is read as UTC (logback writes the JVM's local time without a zone;
 * cassperf cannot know that zone, so it never guesses one and never uses the zone of the process
 * it runs in): a zone in the text (`%d{...Z}`/`X`) or in the pattern (`%d{format, Europe/Paris}`
 * from logback.xml) is honoured. Every SimpleDateFormat logback accepts is read by the layout's
 * own parser (./log-layout.ts compileDateFormat). Layouts without a day
 * (`INFO  19:32:51 message`, the 2.1 console) take the day from `baseDate` and roll over at
 * midnight; without a baseDate their times are null. Pure function, no I/O.
 */
import { COMPILED_LAYOUTS, NAMED_DATE_FORMATS, compileDateFormat, detectLayout, looksLikeEventStart, type LogLayout } from "./log-layout";
import {
  EXCEPTION_CLASS,
  FACT_RULES,
  LINE_RULES,
  RULE_GATE,
  gated,
  literalStart,
  QUERY_ROW_RULES,
  STACK_LINE,
  STATUS_ROW_RULES,
  tableFromQuery,
  type BlockKind,
  type EventFields,
  type LogEvent,
} from "./log-rules";

/** Options for {@link parseSystemLog}. */
export interface ParseLogOptions {
  /** Node the file belongs to (copied to every event). */
  node: string;
  /** The file's name as reports cite it (relative path). */
  file: string;
  /** Layout to use; default: detected from the text ({@link detectLayout}). */
  layout?: LogLayout;
  /** Day (YYYY-MM-DD) for layouts whose dates carry only a time of day. */
  baseDate?: string;
  /** Longest message kept per event (longer ones are cut with "…"); default 1,000 characters. */
  maxMessage?: number;
}

/** What {@link parseSystemLog} returns. */
export interface ParsedLog {
  events: LogEvent[];
  /** Lines read. */
  lines: number;
  /** The layout used, or undefined when no line matched any known layout. */
  layout?: LogLayout;
  /** Lines that could not be read: before the first event, or the whole file when the layout is unknown. */
  skipped: { count: number; examples: { line: number; text: string }[] };
  /** Continuation lines attached to the previous event (stack traces, unknown lines). */
  attached: number;
  /** True when the layout had no day and no baseDate was given (times are null). */
  undated: boolean;
}

/** Parse a Cassandra/DSE log date (ISO 8601 with `,` or `.` millis, or a time of day) to epoch ms. */
export function parseLogDate(s: string, baseDayMs: number | undefined): number | null {
  if (s.length >= 19 && s.charCodeAt(4) === 45 /* - */) {
    const frac = /^[,.](\d{1,3})/.exec(s.slice(19));
    const t = Date.UTC(
      +s.slice(0, 4),
      +s.slice(5, 7) - 1,
      +s.slice(8, 10),
      +s.slice(11, 13),
      +s.slice(14, 16),
      +s.slice(17, 19),
      frac ? +frac[1].padEnd(3, "0") : 0,
    );
    // A zone after the time (`Z`, `+09:00`, `+0900`) is honoured; none: UTC.
    const z = /(?:Z|([+-])(\d\d):?(\d\d))$/.exec(s.slice(19));
    const off = z && z[1] ? (z[1] === "-" ? -1 : 1) * (+z[2] * 60 + +z[3]) * 60_000 : 0;
    return Number.isFinite(t) ? t - off : null;
  }
  const m = /^(\d{1,2}):(\d\d):(\d\d)(?:[,.](\d{1,3}))?/.exec(s);
  if (m && baseDayMs !== undefined) return baseDayMs + ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 1000 + (m[4] ? +m[4].padEnd(3, "0") : 0);
  if (m) return null;
  // Anything else: the other shapes logback writes (never Date.parse, which reads zone-less text in the process's local zone).
  for (const f of (fallbackDates ??= FALLBACK_DATES.map((f) => compileDateFormat(f)))) {
    const t = f.parse(s);
    if (t !== null) return t;
  }
  return null;
}

/**
 * Date shapes tried when a date is not ISO 8601 or a time of day: logback's DATE and the common slash forms, read as UTC.
 * Compiled on first use (compiling them took ~26 ms of every logs() call's start, measured with --cpu-prof on node 20).
 */
const FALLBACK_DATES = [
  NAMED_DATE_FORMATS.DATE,
  "yyyy/MM/dd HH:mm:ss,SSS",
  "yyyy/MM/dd HH:mm:ss",
  "dd/MM/yyyy HH:mm:ss,SSS",
  "yyyy-MM-dd'T'HH:mm:ss,SSSX",
  "yyyy-MM-dd'T'HH:mm:ssX",
];
let fallbackDates: ReturnType<typeof compileDateFormat>[] | undefined;

const DAY_MS = 86_400_000;

/**
 * Parse one system.log or debug.log text into events.
 * @example parseSystemLog(text, { node: "10.0.0.1", file: "nodes/10.0.0.1/logs/cassandra/system.log" }).events
 */
export function parseSystemLog(text: string, options: ParseLogOptions): ParsedLog {
  const parser = new SystemLogParser(options, text);
  parser.feed(text);
  const result = parser.end();
  return result;
}

/**
 * The same parse, block by block: {@link feed} blocks of whole lines in file order (the blocks of
 * read-stream.ts's readLineBlocks), {@link take} the events that are finished so far (every event
 * before the one that may still collect continuation lines), {@link end} at the end of the file.
 * Line numbers run on across blocks, and an open event (a stack trace, a StatusLogger block, the
 * queries under "operations were slow") continues across a block boundary as in one text.
 * @example const p = new SystemLogParser({ node, file }, firstBlock); for await (const b of blocks) { p.feed(b); use(p.take()); } use(p.end().events)
 */
export class SystemLogParser {
  private readonly result: ParsedLog = { events: [], lines: 0, skipped: { count: 0, examples: [] }, attached: 0, undated: false };
  private readonly layout: LogLayout | undefined;
  private readonly maxMessage: number;
  private baseDayMs: number | undefined;
  private lastTimeOnly = -1;
  private lineNo = 0;
  private current: LogEvent | undefined;
  /** Index of `current` in result.events (events before it are finished). */
  private currentAt = -1;
  private readonly dumpOfThread = new Map<string, number>();
  private block: BlockKind | undefined;
  // Cache: the last date's first 19 characters ("yyyy-MM-dd HH:mm:ss") and its epoch second.
  private lastSecKey = "\u0000";
  private lastSecMs = 0;
  /** "File.java:123" strings made so far, by file then line: see {@link sourceOf}. */
  private readonly sources = new Map<string, Map<string, string>>();
  /** Levels and thread names seen so far: see {@link once}. */
  private readonly names = new Map<string, string>();

  /** `sample`: the file's first block, to detect the layout from when options.layout is absent. */
  constructor(
    private readonly options: ParseLogOptions,
    sample: string,
  ) {
    this.layout = options.layout ?? (sample ? detectLayout(sample) : undefined) ?? undefined;
    this.result.layout = this.layout;
    this.maxMessage = options.maxMessage ?? 1000;
    if (this.layout?.timeOnly) {
      const d = options.baseDate ? Date.parse(options.baseDate.slice(0, 10) + "T00:00:00Z") : NaN;
      if (Number.isFinite(d)) this.baseDayMs = d;
      else this.result.undated = true;
    }
  }

  /** Lines read so far. */
  get lines(): number {
    return this.lineNo;
  }

  /** The events finished so far (removed from the parser). */
  take(): LogEvent[] {
    const events = this.result.events;
    if (this.currentAt <= 0) return this.currentAt < 0 && events.length ? events.splice(0) : [];
    const done = events.splice(0, this.currentAt);
    this.currentAt = 0;
    return done;
  }

  /** The end of the file: the remaining events and the file's counts. */
  end(): ParsedLog {
    if (!this.layout) delete this.result.layout;
    this.result.lines = this.lineNo;
    this.currentAt = -1;
    return this.result;
  }

  /** Parse one block of whole lines (the file's last block may end without "\n"). */
  feed(text: string): void {
    if (!text) return;
    const result = this.result;
    const layout = this.layout;
    if (!layout) {
      this.unreadable(text);
      return;
    }
    const maxMessage = this.maxMessage;
    const options = this.options;
    const events = result.events;
    const skip = (line: number, t: string) => {
      result.skipped.count++;
      if (result.skipped.examples.length < 3) result.skipped.examples.push({ line, text: t.length > 200 ? t.slice(0, 200) + "…" : t });
    };
    const re = unnamedRegex(layout);
    const gFile = layout.groups;
    const len = text.length;
    let pos = 0;
    let lineNo = this.lineNo;
    let current = this.current;
    const dumpOfThread = this.dumpOfThread;
    let block = this.block;
    let baseDayMs = this.baseDayMs;
    let lastTimeOnly = this.lastTimeOnly;
    let lastSecKey = this.lastSecKey;
    let lastSecMs = this.lastSecMs;
    const sources = this.sources;
    const names = this.names;

    while (pos < len) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = len;
      let line = text.slice(pos, end);
      pos = end + 1;
      lineNo++;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (line.length === 0) continue;

      const c = line.charCodeAt(0);
      // Event lines start with a level letter (or spaces for %5level).
      const levelLike = c === 73 || c === 68 || c === 87 || c === 69 || c === 84 || c === 70 || c === 32;
      let m = levelLike || !layout.levelFirst ? re.exec(line) : null;
      let gi = gFile;
      if (!m && layout.levelFirst && levelLike && looksLikeEventStart(line)) {
        // A level-led line the file's layout does not read (e.g. DSE's %X{service} filled in on a
        // few lines): read it with the first other known layout that does, with the same kind of date.
        for (const alt of COMPILED_LAYOUTS) {
          if (alt === layout || alt.timeOnly !== layout.timeOnly) continue;
          m = alt.regex.exec(line);
          if (m) {
            gi = alt.groups;
            break;
          }
        }
      }
      if (m) {
        const date = gi.date ? m[gi.date] : "";
        let ts: number | null;
        const dateFormat = gi === gFile ? layout.date : undefined;
        if (dateFormat && !dateFormat.iso) {
          // Any other SimpleDateFormat (`yyyy/MM/dd HH:mm:ss,SSS`, logback's DATE, a zone in the text or the pattern): its own parser, never local time.
          ts = dateFormat.parse(date, baseDayMs);
          if (ts !== null && layout.timeOnly && baseDayMs !== undefined) {
            if (lastTimeOnly >= 0 && ts < lastTimeOnly - DAY_MS / 2) {
              baseDayMs += DAY_MS;
              ts += DAY_MS;
            }
            lastTimeOnly = ts;
          }
        } else if (baseDayMs !== undefined || !layout.timeOnly) {
          if (!layout.timeOnly && date.length >= 19 && date.charCodeAt(4) === 45) {
            if (!sameSecond(date, lastSecKey)) {
              lastSecKey = date.slice(0, 19);
              lastSecMs = parseLogDate(lastSecKey, undefined) ?? NaN;
            }
            ts = Number.isFinite(lastSecMs) ? lastSecMs + (date.length > 20 ? millis(date) : 0) : null;
          } else {
            ts = parseLogDate(date, baseDayMs);
            if (ts !== null && layout.timeOnly && baseDayMs !== undefined) {
              // A time of day earlier than the previous one by more than 12 h: the next day began.
              if (lastTimeOnly >= 0 && ts < lastTimeOnly - DAY_MS / 2) {
                baseDayMs += DAY_MS;
                ts += DAY_MS;
              }
              lastTimeOnly = ts;
            }
          }
        } else ts = null;
        const full = gi.msg ? m[gi.msg] : "";
        const message = full.length > maxMessage ? full.slice(0, maxMessage) + "…" : full;
        const sourceFile = gi.file ? m[gi.file] : undefined;
        const ev: LogEvent = new Event(
          options.node,
          ts,
          gi.level ? once(names, m[gi.level]!) : "",
          gi.thread ? once(names, m[gi.thread]!) : null,
          sourceFile ? sourceOf(sources, sourceFile, gi.line ? m[gi.line]! : "?") : null,
          message,
          options.file,
          lineNo,
        );
        block = undefined;
        classify(ev, full, sourceFile);
        // StatusLogger dumps: the header's line names the dump; one-line rows join their thread's last header.
        if (ev.rule === "statuslogger.header") dumpOfThread.set(ev.thread ?? "", lineNo);
        else if (ev.kind === "statuslogger-pool" || ev.kind === "statuslogger-table") ev.dump = dumpOfThread.get(ev.thread ?? "") ?? lineNo;
        const rule = ev.rule ? RULE_BLOCKS.get(ev.rule) : undefined;
        if (rule) block = rule;
        this.currentAt = events.length;
        events.push(ev);
        current = ev;
        continue;
      }

      // A continuation line.
      if (!current) {
        skip(lineNo, line);
        continue;
      }
      if (block) {
        const row = line.trim();
        const rules = block === "statuslogger" ? STATUS_ROW_RULES : QUERY_ROW_RULES;
        let matched = false;
        for (const r of rules) {
          const rm = r.re.exec(row);
          if (!rm) continue;
          if (block === "slow-queries" && r.kind !== "slow-query") continue;
          if (block === "timed-out-queries" && r.kind !== "timed-out-query") continue;
          const f = r.fields(rm);
          const q = f.query;
          const ev = headerCopy(current, row.length > maxMessage ? row.slice(0, maxMessage) + "…" : row, lineNo);
          ev.kind = r.kind;
          ev.rule = r.id;
          if (block === "statuslogger") ev.dump = current.line;
          assignDefined(ev, f);
          if (q) assignDefined(ev, tableFromQuery(q));
          events.push(ev);
          matched = true;
          break;
        }
        if (matched) continue;
      }
      result.attached++;
      current.extra_lines = (current.extra_lines ?? 0) + 1;
      if (STACK_LINE.test(line)) {
        if (!current.exception) {
          const ex = EXCEPTION_CLASS.exec(line);
          if (ex) current.exception = ex[1];
        }
        if (current.kind === "other") {
          current.kind = "exception";
          current.rule = "exception.stack";
        }
      }
    }
    this.lineNo = lineNo;
    this.current = current;
    this.block = block;
    this.baseDayMs = baseDayMs;
    this.lastTimeOnly = lastTimeOnly;
    this.lastSecKey = lastSecKey;
    this.lastSecMs = lastSecMs;
  }

  /** No known layout: every line is skipped; the first three non-empty ones are kept as examples (cut to 200 characters). */
  private unreadable(text: string): void {
    const result = this.result;
    let n = this.lineNo;
    for (let s = 0; s < text.length; ) {
      let e = text.indexOf("\n", s);
      if (e < 0) e = text.length;
      n++;
      if (e > s && result.skipped.examples.length < 3) result.skipped.examples.push({ line: n, text: text.slice(s, Math.min(e, s + 200)) });
      s = e + 1;
    }
    result.skipped.count += n - this.lineNo;
    this.lineNo = n;
  }
}

/**
 * The layout's line regex without group names: the same groups by number (what the hot loop reads, layout.groups), but
 * exec() then builds no `groups` object per line (30% less time in the line regex on the test/fixtures logs, node 20).
 * Falls back to the named regex if removing the names would change the group count or a backreference (\k<name>) needs them.
 */
const unnamed = new WeakMap<LogLayout, RegExp>();
function unnamedRegex(layout: LogLayout): RegExp {
  let re = unnamed.get(layout);
  if (!re) {
    const named = layout.regex;
    const plain = new RegExp(named.source.replace(/(?<!\\)\(\?<([A-Za-z_]\w*)>/g, "("), named.flags);
    const groups = (r: RegExp) => new RegExp(`${r.source}|`, r.flags).exec("")!.length;
    re = groups(plain) === groups(named) && !named.source.includes("\\k<") ? plain : named;
    unnamed.set(layout, re);
  }
  return re;
}

/** Which rule ids open a block. */
const RULE_BLOCKS = new Map(LINE_RULES.filter((r) => r.block).map((r) => [r.id, r.block!] as const));

/** Events share one shape (a class) so the hot loop allocates little and V8 keeps them fast (exported: a worker's events are rebuilt as this class, ../analyze/logs/log-node-columns.ts). */
export class Event implements LogEvent {
  kind: LogEvent["kind"] = "other";
  rule = "";
  constructor(
    public node: string,
    public ts: number | null,
    public level: string,
    public thread: string | null,
    public source: string | null,
    public message: string,
    public file: string,
    public line: number,
  ) {}
}

function headerCopy(h: LogEvent, message: string, line: number): LogEvent {
  return new Event(h.node, h.ts, h.level, h.thread, h.source, message, h.file, line);
}

/**
 * True when `date` starts with `key`, the 19 characters "yyyy-MM-dd HH:mm:ss" of an earlier date (`date` has 19 or more):
 * `startsWith` without its cost on a substring of the line (--cpu-prof put a quarter of feed's own time on it), compared from
 * the seconds, which change first.
 */
function sameSecond(date: string, key: string): boolean {
  if (key.length !== 19) return false;
  for (let i = 18; i >= 0; i--) if (date.charCodeAt(i) !== key.charCodeAt(i)) return false;
  return true;
}

/** Levels and thread names kept in {@link once}'s cache, past which a new one is kept per event. */
const NAMES_CACHED = 4096;

/**
 * One string for each level and thread name (a few dozen in a log): the event keeps the first one seen, and the copy the
 * regex cut from this line dies young instead of living (and being copied by the young-generation GC) with the event.
 */
function once(cache: Map<string, string>, s: string): string {
  const seen = cache.get(s);
  if (seen !== undefined) return seen;
  if (cache.size >= NAMES_CACHED) return s;
  const own = detached(s);
  cache.set(own, own);
  return own;
}

/**
 * A copy of `s` that does not hold the text it was cut from: V8 keeps a substring as a view of its parent (here the block of
 * lines), and a cached one would keep every such block for the whole file.
 */
function detached(s: string): string {
  return (" " + s).slice(1);
}

/** Lines of one source file kept in {@link sourceOf}'s cache, past which a new line is joined each time instead. */
const SOURCE_LINES_CACHED = 4096;

/**
 * `file + ":" + line` (an event's source), the same string for every event of one logging call: joined once, then found by
 * file and line. Joining it per event made two cons strings per line, which live as long as the event (young-generation
 * GC copies them) and are flattened again by every reader of the text.
 */
function sourceOf(cache: Map<string, Map<string, string>>, file: string, line: string): string {
  let lines = cache.get(file);
  if (lines === undefined) cache.set(detached(file), (lines = new Map()));
  let s = lines.get(line);
  if (s === undefined) {
    s = file + ":" + line;
    if (lines.size < SOURCE_LINES_CACHED) lines.set(detached(line), (s = detached(s)));
  }
  return s;
}

/** Milliseconds of "yyyy-MM-dd HH:mm:ss,SSS" (1 to 3 digits). */
function millis(date: string): number {
  let v = 0;
  let k = 20;
  for (; k < 23 && k < date.length; k++) v = v * 10 + (date.charCodeAt(k) - 48);
  for (; k < 23; k++) v *= 10;
  return v;
}

/**
 * A rule as classify() tries it: its `contains` text, and the literal text every match of its regex starts the message with
 * (log-rules.ts literalStart), when the regex has one. `startsWith(start)` is checked before `includes(contains)`: both must
 * hold for the rule to match, and the first looks at a few characters where the second reads the whole message. On
 * bench:logs' 0.3 GB bundle, where half of one system.log's messages pass RULE_GATE (flushes), a passing message was
 * searched once per rule, 27 times.
 */
interface TriedRule<R> {
  rule: R;
  start: string | undefined;
}
const tried = <R extends { re: RegExp }>(rules: R[]): TriedRule<R>[] => rules.map((rule) => ({ rule, start: literalStart(rule.re) }));

/** The line rules in table order, and those outside RULE_GATE (./log-rules.ts): all a message the gate rejects can match. */
const ALL_LINE_RULES = tried(LINE_RULES);
const UNGATED_LINE_RULES = tried(LINE_RULES.filter((r) => !gated(r)));
const ALL_FACT_RULES = tried(FACT_RULES);
const UNGATED_FACT_RULES = tried(FACT_RULES.filter((f) => !gated(f)));

/**
 * Classify an event's message with the rule table (first match wins), then the fact rules. When
 * RULE_GATE finds none of the gated rules' `contains` texts in the message, those rules are not
 * tried (they could not match); the rest run in table order.
 */
export function classify(ev: LogEvent, message: string, sourceFile: string | undefined): void {
  const maybe = RULE_GATE.test(message);
  for (const { rule, start } of maybe ? ALL_LINE_RULES : UNGATED_LINE_RULES) {
    if (rule.sources && sourceFile && !rule.sources.includes(sourceFile)) continue;
    if (start !== undefined && !message.startsWith(start)) continue;
    if (rule.contains && !message.includes(rule.contains)) continue;
    const m = rule.re.exec(message);
    if (!m) continue;
    ev.kind = rule.kind;
    ev.rule = rule.id;
    if (rule.fields) assignDefined(ev, rule.fields(m));
    return;
  }
  if (ev.level === "ERROR") {
    ev.kind = "exception";
    ev.rule = "exception.error-level";
    const ex = /([a-z][\w$]*(?:\.[\w$]+)*\.[\w$]*(?:Exception|Error))\b/.exec(message);
    if (ex) ev.exception = ex[1];
  }
  for (const { rule: f, start } of maybe ? ALL_FACT_RULES : UNGATED_FACT_RULES) {
    if (start !== undefined && !message.startsWith(start)) continue;
    if (!message.includes(f.contains)) continue;
    const m = f.re.exec(message);
    if (m) {
      assignDefined(ev, f.fields(m));
      if (!ev.rule) ev.rule = f.id;
      return;
    }
  }
}

/**
 * The fields a rule read, onto the event, in their order, leaving out the undefined ones: what Object.assign of the fields
 * with their undefined keys deleted did, without the delete (which turned every fields object into a slow dictionary) or
 * the key array.
 */
function assignDefined(ev: LogEvent, fields: EventFields): void {
  const to = ev as unknown as Record<string, unknown>;
  const from = fields as Record<string, unknown>;
  for (const k in from) {
    const v = from[k];
    if (v !== undefined) to[k] = v;
  }
}
