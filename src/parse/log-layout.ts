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
  /** True when lines start with the level (the defaults): the parser can reject other lines by their first character. */
  levelFirst: boolean;
  /** Capture-group index of each field in `regex` (0 when the pattern lacks it): faster than named groups. */
  groups: { level: number; thread: number; date: number; file: number; line: number; msg: number };
}

/**
 * The layouts Cassandra and DSE ship, in detection order. Sources: Cassandra 2.1–5.0
 * conf/logback.xml (file appenders and STDOUT), DSE 6.x conf/logback.xml (adds `%X{service}`),
 * the "old-style" pattern kept commented in those files (Cassandra ≤ 2.0), and the 2.1.0 console
 * pattern seen in ../shared/data/lab (no millis).
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
const WRAPPERS = /%(highlight|black|red|green|yellow|blue|magenta|cyan|white|gray|bold\w*|boldRed|boldGreen|boldYellow|boldBlue|boldMagenta|boldCyan|boldWhite|replace)\(/;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A SimpleDateFormat (as logback's %date takes it) to a regex; ISO8601 is logback's default. */
export function dateFormatToRegex(format: string | undefined): { re: string; timeOnly: boolean } {
  // logback's named formats; anything else is a SimpleDateFormat (a time zone after a comma is dropped).
  const named: Record<string, string> = { ISO8601: "yyyy-MM-dd HH:mm:ss,SSS", ABSOLUTE: "HH:mm:ss,SSS", DATE: "dd MMM yyyy HH:mm:ss,SSS" };
  const f = !format ? named.ISO8601 : named[format] ?? format.replace(/,\s*(?!S+$)[A-Za-z_/+-]+$/, "");
  let re = "";
  for (let i = 0; i < f.length; ) {
    const c = f[i];
    let j = i;
    while (j < f.length && f[j] === c) j++;
    const n = j - i;
    if (c === "'") {
      const end = f.indexOf("'", i + 1);
      re += escapeRe(f.slice(i + 1, end < 0 ? f.length : end));
      i = end < 0 ? f.length : end + 1;
      continue;
    }
    if ("yMdHhmsSk".includes(c)) re += n >= 3 && c === "M" ? "[A-Za-z]+" : `\\d{${c === "y" ? Math.max(2, n) : c === "S" ? n : "1,2"}}`;
    else if (c === " ") re += "[ T]";
    else if (c === ",") re += "[,.]";
    else re += escapeRe(f.slice(i, j));
    i = j;
  }
  return { re, timeOnly: !/y/.test(f) };
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
    for (; k < p.length && depth > 0; k++) if (p[k] === "(") depth++;
    else if (p[k] === ")") depth--;
    p = p.slice(0, m.index) + p.slice(open, k - 1) + p.slice(k);
  }
  let re = "^";
  let timeOnly = false;
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
        case "level": case "le": case "p":
          re += `\\s*${group("level", LEVELS)}`;
          break;
        case "thread": case "t":
          re += group("thread", ".*?");
          break;
        case "date": case "d": {
          const d = dateFormatToRegex(arg);
          timeOnly = d.timeOnly;
          re += group("date", d.re);
          break;
        }
        case "F": case "file":
          re += group("file", "[^\\s:]+?");
          break;
        case "L": case "line":
          re += group("line", "\\d+|\\?");
          break;
        case "msg": case "m": case "message":
          re += group("msg", ".*");
          break;
        case "n":
          re += "$";
          break;
        case "ex": case "exception": case "throwable": case "xEx": case "xException": case "xThrowable": case "rEx": case "nopex": case "nopexception":
          break;
        case "X": case "mdc":
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
  return { name, pattern, regex: new RegExp(re), timeOnly, groups, levelFirst: re.startsWith("^\\s*(?<level>") };
}

/** The known layouts, compiled once. */
export const COMPILED_LAYOUTS: LogLayout[] = KNOWN_LAYOUTS.map((l) => compileLayout(l.pattern, l.name));

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
  let best: LogLayout | undefined;
  let bestHits = 0;
  for (const layout of candidates) {
    let hits = 0;
    for (const l of lines) if (layout.regex.test(l)) hits++;
    if (hits > bestHits) {
      best = layout;
      bestHits = hits;
    }
  }
  return best;
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
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}
