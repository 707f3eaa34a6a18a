/**
 * Log line layouts: how the prefix of a Cassandra/DSE log line (level, thread, date, source file
 * and line) is laid out, as a logback pattern compiled to one regular expression.
 *
 * Cassandra writes system.log/debug.log through logback; the pattern lives in conf/logback.xml and
 * may be customised, so we compile any logback pattern (`%-5level [%thread] %date{ISO8601} %F:%L -
 * %msg%n`) into a line regex instead of hard-coding one. The known defaults are in
 * {@link KNOWN_LAYOUTS}; {@link detectLayout} picks the one that matches most of a file's first
 * lines when the bundle has no logback.xml. Pure functions, no I/O.
 */

/** A compiled layout: its name, the logback pattern it came from and the line regex. */
export interface LogLayout {
  /** Short name: "cassandra", "dse", "old-style", "console", "console-seconds" or "logback.xml". */
  name: string;
  /** The logback pattern, e.g. `%-5level [%thread] %date{ISO8601} %F:%L - %msg%n`. */
  pattern: string;
  /** Matches one log line; named groups level, thread, date, file, line, msg (those the pattern has). */
  regex: RegExp;
  /** True when the date carries no day (`%date{HH:mm:ss}`): the day must come from elsewhere. */
  timeOnly: boolean;
  /** The compiled %date (its parser reads any SimpleDateFormat in UTC or the pattern's zone); undefined when the pattern has no date. */
  date?: LogDateFormat;
  /** True when lines start with the level (the defaults): the parser can reject other lines by their first character. */
  levelFirst: boolean;
  /** Capture-group index of each field in `regex` (0 when the pattern lacks it): faster than named groups. */
  groups: { level: number; thread: number; date: number; file: number; line: number; msg: number };
}

/**
 * The layouts Cassandra and DSE ship, in detection order. Sources: Cassandra 2.1–5.0
 * conf/logback.xml (file appenders and STDOUT), DSE 6.x conf/logback.xml (adds `%X{service}`),
 * the "old-style" pattern kept commented in those files (Cassandra ≤ 2.0), and the 2.1.0 console
 * pattern seen in test/fixtures/data/lab (no millis).
 */
export const KNOWN_LAYOUTS: { name: string; pattern: string }[] = [
  { name: "cassandra", pattern: "%-5level [%thread] %date{ISO8601} %F:%L - %msg%n" },
  { name: "dse", pattern: "%-5level [%thread] %date{ISO8601} %X{service} %F:%L - %msg%n" },
  { name: "old-style", pattern: "%5level [%thread] %date{ISO8601} %F (line %L) %msg%n" },
  { name: "console", pattern: "%-5level %date{HH:mm:ss,SSS} %msg%n" },
  { name: "console-seconds", pattern: "%-5level %date{HH:mm:ss} %msg%n" },
];

const LEVELS = "TRACE|DEBUG|INFO|WARN|ERROR|FATAL";

/** logback color/style wrappers that only decorate their content: `%highlight(...)`, `%green(...)`. */
const WRAPPERS =
  /%(highlight|black|red|green|yellow|blue|magenta|cyan|white|gray|bold\w*|boldRed|boldGreen|boldYellow|boldBlue|boldMagenta|boldCyan|boldWhite|replace)\(/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Named date formats. logback (ch.qos.logback.classic.pattern.DateConverter) knows ISO8601 (the
 * default) and STRICT; DATE and ABSOLUTE are log4j's names (Cassandra ≤ 1.2 logged through log4j):
 * logback 1.5.18 rejects them ("Could not instantiate SimpleDateFormat with pattern DATE") and
 * writes ISO8601 instead (seen in test/fixtures/logback-layouts), so for those two names both shapes are read.
 */
export const NAMED_DATE_FORMATS: Record<string, string> = {
  ISO8601: "yyyy-MM-dd HH:mm:ss,SSS",
  STRICT: "yyyy-MM-dd'T'HH:mm:ss,SSS",
  DATE: "dd MMM yyyy HH:mm:ss,SSS",
  ABSOLUTE: "HH:mm:ss,SSS",
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** A compiled %date: the regex piece for the line (no capture groups) and a parser to epoch ms. */
export interface LogDateFormat {
  /** The SimpleDateFormat used (named formats resolved). */
  format: string;
  /** The time zone the pattern names (`%d{format, Europe/Paris}`), or undefined: UTC. */
  zone?: string;
  /** Regex source matching one date, without capture groups (for the line regex). */
  re: string;
  /** True when the format has no day (`HH:mm:ss,SSS`): the day must come from elsewhere. */
  timeOnly: boolean;
  /** True for logback's default (yyyy-MM-dd HH:mm:ss,SSS, no zone): the parser's fast path applies. */
  iso: boolean;
  /**
   * The date text to epoch ms, the same whatever the process's TZ: a zone in the text (Z, X) wins,
   * then the pattern's zone, else the time is read as UTC. Time-only formats add the time to
   * `baseDayMs` (null without it). Null when the text does not read.
   */
  parse(text: string, baseDayMs?: number): number | null;
}

/**
 * Compile logback's %date option (a named format or a SimpleDateFormat, optionally followed by
 * `, <time zone>`) into a regex piece and a parser that never uses the process's local zone.
 * @example compileDateFormat("yyyy/MM/dd HH:mm:ss,SSS").parse("2024/01/15 10:00:00,123")  // Date.UTC(2024, 0, 15, 10, 0, 0, 123)
 * @example compileDateFormat("DATE").parse("15 Jan 2024 10:00:00,123")
 */
export function compileDateFormat(option: string | undefined): LogDateFormat {
  // log4j's DATE / ABSOLUTE: logback writes ISO8601 for them; a log4j-written file has the named shape. Read both.
  const named = /^(DATE|ABSOLUTE)(\s*,.*)?$/.exec((option ?? "").trim());
  if (named) {
    const a = compileDateFormat(`ISO8601${named[2] ?? ""}`);
    const b = compileDateFormat(`"${NAMED_DATE_FORMATS[named[1]]}"${named[2] ?? ""}`);
    return {
      format: `${a.format} | ${b.format}`,
      ...(a.zone ? { zone: a.zone } : {}),
      re: `(?:${a.re}|${b.re})`,
      timeOnly: b.timeOnly,
      iso: false,
      parse: (t, base) => a.parse(t, base) ?? b.parse(t, base),
    };
  }
  let format = (option ?? "").trim();
  let zone: string | undefined;
  // `format, Zone`: the last comma-separated part names a zone when it is not the millis of "ss,SSS".
  const z = /^(.*?),\s*([A-Za-z][A-Za-z_/+-]*(?:[+-]\d{1,2}(?::?\d\d)?)?)$/.exec(format);
  if (z && !/^S+$/.test(z[2])) {
    format = z[1].trim();
    zone = z[2];
  }
  format = format.replace(/^"(.*)"$/, "$1");
  if (!format) format = NAMED_DATE_FORMATS.ISO8601;
  else if (format === "ISO8601" || format === "STRICT") format = NAMED_DATE_FORMATS[format];
  if (zone && /^(UTC|GMT|Z|Etc\/UTC)$/i.test(zone)) zone = undefined;
  if (zone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
    } catch {
      zone = undefined; // an unknown zone id: logback itself falls back to the JVM's zone, which we cannot know
    }
  }
  let re = "";
  let cap = "";
  const fields: { letter: string; n: number }[] = [];
  for (let i = 0; i < format.length; ) {
    const c = format[i];
    let j = i;
    while (j < format.length && format[j] === c) j++;
    const n = j - i;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      const lit = escapeRe(format.slice(i + 1, end < 0 ? format.length : end));
      re += lit;
      cap += lit;
      i = end < 0 ? format.length : end + 1;
      continue;
    }
    let piece: string | undefined;
    if (c === "M" && n >= 3) piece = "[A-Za-z]+\\.?";
    else if (c === "E") piece = "[A-Za-z]+\\.?";
    else if (c === "a") piece = "[AaPp][Mm]";
    else if (c === "y") piece = n === 2 ? "\\d{2}" : "\\d{4}";
    else if (c === "S") piece = n >= 3 ? `\\d{${n}}` : "\\d{1,3}";
    else if ("MdHhkKms".includes(c)) piece = "\\d{1,2}";
    else if (c === "Z") piece = "[+-]\\d{4}|Z";
    else if (c === "X") piece = "Z|[+-]\\d{2}(?::?\\d{2})?";
    else if (c === "z") piece = "[A-Za-z]{1,5}|[+-]\\d{2}:?\\d{2}";
    if (piece !== undefined) {
      re += `(?:${piece})`;
      cap += `(${piece})`;
      fields.push({ letter: c, n });
    } else {
      const lit = c === " " ? "[ T]" : c === "," || c === "." ? "[,.]" : escapeRe(format.slice(i, j));
      re += lit;
      cap += lit;
    }
    i = j;
  }
  const whole = new RegExp(`^${cap}`);
  const timeOnly = !fields.some((f) => f.letter === "y");
  const iso = format === NAMED_DATE_FORMATS.ISO8601 && !zone;
  const parse = (text: string, baseDayMs?: number): number | null => {
    const m = whole.exec(text);
    if (!m) return null;
    let y = 1970,
      mo = 0,
      d = 1,
      h = 0,
      mi = 0,
      sec = 0,
      ms = 0,
      pm: boolean | undefined,
      h12 = false,
      offsetMin: number | undefined;
    fields.forEach((f, k) => {
      const v = m[k + 1];
      switch (f.letter) {
        case "y":
          y = f.n === 2 ? 2000 + Number(v) : Number(v);
          break;
        case "M":
          mo = f.n >= 3 ? MONTHS.indexOf(v.slice(0, 3).toLowerCase()) : Number(v) - 1;
          break;
        case "d":
          d = Number(v);
          break;
        case "H":
          h = Number(v);
          break;
        case "k":
          h = Number(v) % 24;
          break;
        case "h":
          h = Number(v) % 12;
          h12 = true;
          break;
        case "K":
          h = Number(v);
          h12 = true;
          break;
        case "m":
          mi = Number(v);
          break;
        case "s":
          sec = Number(v);
          break;
        case "S":
          ms = f.n === 3 ? Number(v) : Number(v.padEnd(3, "0").slice(0, 3));
          break;
        case "a":
          pm = /^p/i.test(v);
          break;
        case "Z":
        case "X":
        case "z": {
          if (/^(Z|UTC|GMT)$/i.test(v)) offsetMin = 0;
          else {
            const o = /^([+-])(\d{2}):?(\d{2})?$/.exec(v);
            if (o) offsetMin = (o[1] === "-" ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] ?? 0));
          }
          break;
        }
      }
    });
    if (h12 && pm) h += 12;
    if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return null;
    let t: number;
    if (timeOnly) {
      if (baseDayMs === undefined) return null;
      t = baseDayMs + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
    } else t = Date.UTC(y, mo, d, h, mi, sec, ms);
    if (!Number.isFinite(t)) return null;
    if (offsetMin !== undefined) return t - offsetMin * 60_000;
    if (zone) return t - zoneOffsetMs(zone, t);
    return t;
  };
  return { format, ...(zone ? { zone } : {}), re, timeOnly, iso, parse };
}

/**
 * Offset of an IANA zone from UTC (ms) at a wall-clock time given as if it were UTC, through
 * Intl (no dependency on the process's TZ). Two passes settle the hour around a DST change.
 */
export function zoneOffsetMs(zone: string, wallAsUtc: number): number {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const offsetAt = (t: number) => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(new Date(t))) if (part.type !== "literal") p[part.type] = Number(part.value);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute, p.second) - Math.floor(t / 1000) * 1000;
  };
  const first = offsetAt(wallAsUtc);
  return offsetAt(wallAsUtc - first);
}

/** A SimpleDateFormat (as logback's %date takes it) to a regex; ISO8601 is logback's default. */
export function dateFormatToRegex(format: string | undefined): { re: string; timeOnly: boolean } {
  const d = compileDateFormat(format);
  return { re: d.re, timeOnly: d.timeOnly };
}

/**
 * Compile a logback pattern into a line regex with named groups.
 * Unknown conversion words become a lazy `\S*?` so a custom pattern still parses.
 * @example compileLayout("%-5level [%thread] %date{ISO8601} %F:%L - %msg%n").regex.exec(line)?.groups
 */
export function compileLayout(pattern: string, name = "logback.xml"): LogLayout {
  // Drop color wrappers: keep their content, drop the wrapper and its closing parenthesis.
  let p = pattern.trim();
  for (let m = WRAPPERS.exec(p); m; m = WRAPPERS.exec(p)) {
    const open = m.index + m[0].length;
    let depth = 1;
    let k = open;
    for (; k < p.length && depth > 0; k++)
      if (p[k] === "(") depth++;
      else if (p[k] === ")") depth--;
    p = p.slice(0, m.index) + p.slice(open, k - 1) + p.slice(k);
  }
  let re = "^";
  let timeOnly = false;
  let date: LogDateFormat | undefined;
  const used = new Set<string>();
  const group = (g: string, body: string) => {
    if (used.has(g)) return `(?:${body})`;
    used.add(g);
    return `(?<${g}>${body})`;
  };
  for (let i = 0; i < p.length; ) {
    const ch = p[i];
    if (ch === "%") {
      const m = /^%(-?\d*(?:\.-?\d+)?)([a-zA-Z]+)(\{([^}]*)\})?/.exec(p.slice(i));
      if (!m) {
        re += escapeRe(ch);
        i++;
        continue;
      }
      const word = m[2];
      const arg = m[4];
      i += m[0].length;
      switch (word) {
        case "level":
        case "le":
        case "p":
          re += `\\s*${group("level", LEVELS)}`;
          break;
        case "thread":
        case "t":
          re += group("thread", ".*?");
          break;
        case "date":
        case "d": {
          const d = compileDateFormat(arg);
          if (!date) date = d;
          timeOnly = d.timeOnly;
          re += group("date", d.re);
          break;
        }
        case "F":
        case "file":
          re += group("file", "[^\\s:]+?");
          break;
        case "L":
        case "line":
          re += group("line", "\\d+|\\?");
          break;
        case "msg":
        case "m":
        case "message":
          re += group("msg", ".*");
          break;
        case "n":
          re += "$";
          break;
        case "ex":
        case "exception":
        case "throwable":
        case "xEx":
        case "xException":
        case "xThrowable":
        case "rEx":
        case "nopex":
        case "nopexception":
          break;
        case "X":
        case "mdc":
          re += "[^\\s:]*?";
          break;
        default:
          // logger, class, method, contextName, relative, marker, ...: one word, lazily.
          re += "\\S*?";
      }
      continue;
    }
    if (ch === " ") {
      let j = i;
      while (p[j] === " ") j++;
      re += "\\s*";
      i = j;
      continue;
    }
    re += escapeRe(ch);
    i++;
  }
  if (!re.endsWith("$") && used.has("msg")) re += "$";
  // Named groups document the regex; numbered indexes are what the hot loop reads.
  const order = [...re.matchAll(/\(\?<(\w+)>/g)].map((m) => m[1]);
  const at = (g: string) => order.indexOf(g) + 1;
  const groups = { level: at("level"), thread: at("thread"), date: at("date"), file: at("file"), line: at("line"), msg: at("msg") };
  return { name, pattern, regex: new RegExp(re), timeOnly, ...(date ? { date } : {}), groups, levelFirst: re.startsWith("^\\s*(?<level>") };
}

/** The known layouts, compiled once. */
export const COMPILED_LAYOUTS: LogLayout[] = KNOWN_LAYOUTS.map((l) => compileLayout(l.pattern, l.name));

/**
 * Date formats tried with the known layouts' shapes when no known layout reads a file (a
 * logback.xml that changed only the %date, with no logback.xml in the bundle): logback's DATE and
 * STRICT, and the common slash forms.
 */
export const OTHER_DATE_FORMATS = ["yyyy/MM/dd HH:mm:ss,SSS", "DATE", "STRICT", "dd/MM/yyyy HH:mm:ss,SSS", "yyyy-MM-dd HH:mm:ss"];

let variants: LogLayout[] | undefined;
/** The known layouts' shapes with each of OTHER_DATE_FORMATS, compiled on first use; named like "cassandra %d{DATE}". */
export function dateVariantLayouts(): LogLayout[] {
  return (variants ??= KNOWN_LAYOUTS.filter((l) => !l.name.startsWith("console")).flatMap((l) =>
    OTHER_DATE_FORMATS.map((f) => compileLayout(l.pattern.replace("%date{ISO8601}", `%date{${f}}`), `${l.name} %d{${f}}`)),
  ));
}

/** True when a line could start a log event (starts with a level, maybe right-aligned). */
export function looksLikeEventStart(line: string): boolean {
  return /^\s{0,2}(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\b/.test(line);
}

/**
 * Pick the layout matching most of the first event-looking lines of a text (up to `sample`).
 * Returns undefined when none matches any line (an unknown layout).
 * @example detectLayout(text)?.name   // "dse"
 */
export function detectLayout(text: string, candidates: LogLayout[] = COMPILED_LAYOUTS, sample = 200): LogLayout | undefined {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < sample && start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    if (looksLikeEventStart(line)) lines.push(line);
    start = end + 1;
  }
  const pick = (list: LogLayout[]) => {
    let best: LogLayout | undefined;
    let bestHits = 0;
    for (const layout of list) {
      let hits = 0;
      for (const l of lines) if (layout.regex.test(l)) hits++;
      if (hits > bestHits) {
        best = layout;
        bestHits = hits;
      }
    }
    return best;
  };
  // No known layout reads it: the known shapes with other %date formats (only for the default candidates).
  return pick(candidates) ?? (candidates === COMPILED_LAYOUTS ? pick(dateVariantLayouts()) : undefined);
}

/** Share of a text's first event-looking lines a layout matches (0..1; 0 when there are none). */
export function layoutCoverage(text: string, layout: LogLayout, sample = 200): number {
  let seen = 0;
  let hits = 0;
  let start = 0;
  while (seen < sample && start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, "");
    // Level-first layouts: judge the lines that start with a level; others: every line that does not start with blank space.
    if (layout.levelFirst ? looksLikeEventStart(line) : line.length > 0 && !/^\s/.test(line)) {
      seen++;
      if (layout.regex.test(line)) hits++;
    }
    start = end + 1;
  }
  return seen ? hits / seen : 0;
}

/**
 * The logback pattern of the appender writing `logName` (system.log or debug.log) in a
 * logback.xml text; commented-out patterns are ignored. Undefined when the file has none.
 * @example patternFromLogbackXml(xml, "debug.log")  // "%-5level [%thread] %date{ISO8601} %X{service} %F:%L - %msg%n"
 */
export function patternFromLogbackXml(xml: string, logName: string): string | undefined {
  const clean = xml.replace(/<!--[\s\S]*?-->/g, "");
  const appenders = clean.match(/<appender\b[\s\S]*?<\/appender>/g) ?? [];
  const base = logName.replace(/\.log.*$/, "");
  for (const a of appenders) {
    const file = /<file>([^<]*)<\/file>/.exec(a)?.[1] ?? "";
    if (!new RegExp(`(^|[/}])${escapeRe(base)}\\.log$`).test(file.trim())) continue;
    const pattern = /<pattern>([\s\S]*?)<\/pattern>/.exec(a)?.[1];
    if (pattern) return decodeXml(pattern.trim());
  }
  return undefined;
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
