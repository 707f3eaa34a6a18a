/**
 * Parsed log events of a source: every node's system.log and debug.log (all rotations, .gz/.zip
 * undone by the source), each read with its node's logback pattern when the bundle has
 * conf/logback.xml, else the detected layout. This is the one entry other helpers call
 * (health() and partitionScan reuse large-partition and slow-query events, compactionAdvice
 * reuses tombstone warnings): {@link logEvents}.
 *
 * Duplicates: debug.log repeats every INFO+ line of system.log; an event found in both files of a
 * node is kept once (from system.log), like sperf's UniqEventPerNodeFilter.
 * Console layouts without a day (`INFO  19:32:51 message`) take the day from the same node's GC
 * log (its first ISO-8601 timestamp) unless `date` is given; the note says which.
 */
import { CassperfError } from "../errors";
import { resolveSource, type SourceInput } from "../cluster/resolve";
import { filesInTimeOrder } from "../cluster/evidence";
import type { Source, SourceFile } from "../cluster/source";
import { compileLayout, layoutCoverage, patternFromLogbackXml, detectLayout, type LogLayout } from "../parse/log-layout";
import { parseSystemLog } from "../parse/system-log";
import { parseUtc } from "../parse/utc-time";
import { isCancel, parseCancellable } from "./parse-cancellable";
import { LOG_EVENT_KINDS, type LogEvent, type LogEventKind } from "../parse/log-rules";
import { inflect, plural } from "../present/plural";

export type { LogEvent, LogEventKind };

/** What to read and keep. Every field is optional. */
export interface LogEventsFilter {
  /**
   * Where to read: omitted for the current source, a source, or a path (a bundle, a dataset
   * folder, a loose folder of node folders, an archive, or a single system.log/debug.log).
   */
  source?: SourceInput;
  /** Only these nodes. */
  node?: string | string[];
  /** Keep only these kinds (default: all, including "other"). */
  kinds?: LogEventKind | LogEventKind[];
  /** Which logs: "system", "debug" or "both" (default). */
  logs?: "system" | "debug" | "both";
  /** Keep events at or after this time (ISO-8601 or Date). */
  from?: string | Date;
  /** Keep events at or before this time (ISO-8601 or Date). */
  to?: string | Date;
  /** Day (YYYY-MM-DD) for console layouts whose lines carry only a time of day. */
  date?: string;
  /**
   * The logback pattern the logs were written with (the `<pattern>` of conf/logback.xml), for a
   * bundle without logback.xml whose layout is not one Cassandra/DSE ship. Its %date may use any
   * SimpleDateFormat or a named one (ISO8601, DATE, ABSOLUTE) and a zone (`%d{DATE, Europe/Paris}`);
   * without a zone, times are UTC.
   * @example await logs({ source: "bundle", pattern: "%-5level [%thread] %d{yyyy/MM/dd HH:mm:ss,SSS} %F:%L - %msg%n" })
   */
  pattern?: string;
}

/** Per file: what was read and how. */
export interface LogFileInfo {
  node: string;
  file: string;
  kind: "system-log" | "debug-log";
  layout: string | null;
  lines: number;
  events: number;
  skipped: number;
  bytes: number;
}

/** What {@link logEvents} returns. */
export interface LogEventsResult {
  source: Source;
  /** Events in time order per node (files oldest rotation first), duplicates removed. */
  events: LogEvent[];
  files: LogFileInfo[];
  /** Things the user must know: skipped lines (count + first example with its line), layouts, dates. */
  notes: string[];
  /** Backward clock steps found inside one file: node, file, line, how far back (ms). */
  clockSteps: { node: string; file: string; line: number; back_ms: number; count: number }[];
}

/** A backward step larger than this inside one file is reported as the clock stepping back (log lines are written in order; threads interleave by milliseconds). */
export const CLOCK_BACKWARD_STEP_MS = 5_000;

const asArray = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function toMs(v: string | Date | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  // Zone-less times are UTC, like the log times they are compared with (never the process's zone).
  const t = parseUtc(v);
  if (!Number.isFinite(t)) throw new CassperfError(`logs: ${what} must be an ISO-8601 time (UTC unless it names a zone) or a Date; got ${String(v)}.`);
  return t;
}

/**
 * Parsed events of every system.log/debug.log of a source.
 * @example const { events } = await logEvents({ source: "diag/dse68", kinds: ["large-partition", "slow-query"] })
 */
export async function logEvents(filter: LogEventsFilter = {}): Promise<LogEventsResult> {
  const source = await resolveSource(filter.source, "logs");
  const kinds = asArray(filter.kinds);
  const unknownKind = kinds?.find((k) => !LOG_EVENT_KINDS.includes(k));
  if (unknownKind !== undefined) throw new CassperfError(`logs: kinds has "${String(unknownKind)}", which is not an event kind.`, { hint: `Use any of: ${LOG_EVENT_KINDS.join(", ")}.` });
  const which0 = filter.logs;
  if (which0 !== undefined && !["system", "debug", "both"].includes(which0)) throw new CassperfError(`logs: logs must be "system", "debug" or "both"; got ${JSON.stringify(which0)}.`);
  const kindSet = kinds ? new Set<string>(kinds) : undefined;
  const nodes = asArray(filter.node);
  const from = toMs(filter.from, "from");
  const to = toMs(filter.to, "to");
  const which = filter.logs ?? "both";
  const fileKinds: SourceFile["kind"][] = which === "system" ? ["system-log"] : which === "debug" ? ["debug-log"] : ["system-log", "debug-log"];
  let files = filesInTimeOrder(source, fileKinds);
  const notes: string[] = [];
  if (nodes) {
    const missingNodes = nodes.filter((n) => !source.nodes().includes(n));
    if (missingNodes.length) notes.push(`node ${missingNodes.join(", ")} is not in ${source.describe()} (its nodes: ${source.nodes().join(", ") || "none"}).`);
    files = files.filter((f) => nodes.includes(f.node));
  }
  if (filter.pattern !== undefined && (typeof filter.pattern !== "string" || !filter.pattern.includes("%"))) throw new CassperfError(`logs: pattern must be a logback pattern such as "%-5level [%thread] %date{ISO8601} %F:%L - %msg%n"; got ${JSON.stringify(filter.pattern)}.`);
  const given = filter.pattern ? compileLayout(filter.pattern, "pattern option") : undefined;
  const infos: LogFileInfo[] = [];
  const clockSteps: LogEventsResult["clockSteps"] = [];
  const layouts = new Map<string, LogLayout | null>(); // per node+log name, from logback.xml
  const baseDates = new Map<string, { date?: string; from?: string }>();
  const perNode = new Map<string, { system: LogEvent[][]; debug: LogEvent[][] }>();

  for (const f of files) {
    let text: string;
    try {
      text = await source.readText(f);
    } catch (e) {
      notes.push(`${f.rel}: could not be read (${(e as Error).message}); skipped.`);
      continue;
    }
    const logName = f.kind === "debug-log" ? "debug.log" : "system.log";
    const layout = given ?? (await layoutFor(source, f, logName, text, layouts, notes));
    let baseDate: string | undefined;
    if (layout?.timeOnly) {
      const bd = filter.date ? { date: filter.date, from: "the date option" } : await baseDateFor(source, f.node, baseDates);
      baseDate = bd.date;
      if (baseDate) notes.push(`${f.rel}: lines carry only a time of day (${layout.pattern}); the day ${baseDate} was taken from ${bd.from}. Pass { date: "YYYY-MM-DD" } to override.`);
    }
    // Ctrl-C in the REPL stops a long parse (./parse-cancellable.ts); the files already read are kept.
    let parsed: ReturnType<typeof parseSystemLog>;
    try {
      parsed = await parseCancellable<ReturnType<typeof parseSystemLog>>("parseSystemLog", [text, { node: f.node, file: f.rel, ...(layout ? { layout } : {}), ...(baseDate ? { baseDate } : {}) }]);
    } catch (e) {
      if (!isCancel(e) || !infos.length) throw e;
      notes.push(`Cancelled: partial, ${infos.length} of ${files.length} log files read (stopped in ${f.rel}).`);
      break;
    }
    if (!parsed.layout) notes.push(`${f.rel}: no line matched a known log layout (${parsed.lines} lines skipped; first: line ${parsed.skipped.examples[0]?.line ?? 1}: "${parsed.skipped.examples[0]?.text ?? ""}"). Put the node's conf/logback.xml in the bundle so its pattern can be used.`);
    else if (parsed.skipped.count) notes.push(`${f.rel}: ${plural(parsed.skipped.count, "line")} before the first log event skipped (first: line ${parsed.skipped.examples[0].line}: "${parsed.skipped.examples[0].text}").`);
    if (parsed.undated) notes.push(`${f.rel}: lines carry only a time of day and no day was found (no GC log with dates for node ${f.node}); times are null. Pass { date: "YYYY-MM-DD" }.`);
    infos.push({ node: f.node, file: f.rel, kind: f.kind as LogFileInfo["kind"], layout: parsed.layout?.name ?? null, lines: parsed.lines, events: parsed.events.length, skipped: parsed.skipped.count, bytes: text.length });

    // Clock stepping back inside the file.
    let max = -Infinity;
    let step: LogEventsResult["clockSteps"][number] | undefined;
    for (const e of parsed.events) {
      if (e.ts === null) continue;
      if (e.ts < max - CLOCK_BACKWARD_STEP_MS) {
        if (!step) step = { node: f.node, file: f.rel, line: e.line, back_ms: max - e.ts, count: 0 };
        step.count++;
        step.back_ms = Math.max(step.back_ms, max - e.ts);
      }
      if (e.ts > max) max = e.ts;
    }
    if (step) clockSteps.push(step);

    let bucket = perNode.get(f.node);
    if (!bucket) perNode.set(f.node, (bucket = { system: [], debug: [] }));
    (f.kind === "debug-log" ? bucket.debug : bucket.system).push(parsed.events);
  }

  const events: LogEvent[] = [];
  let duplicates = 0;
  for (const [, b] of perNode) {
    const sys = b.system.flat();
    const dbg = b.debug.flat();
    let kept = dbg;
    if (sys.length && dbg.length) {
      const seen = new Map<string, number>();
      for (const e of sys) {
        const k = dupKey(e);
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
      kept = [];
      for (const e of dbg) {
        const k = dupKey(e);
        const n = seen.get(k);
        if (n) {
          seen.set(k, n - 1);
          duplicates++;
        } else kept.push(e);
      }
    }
    const all = sys.concat(kept);
    // Stable sort by time; undated events keep file order at the end.
    const order = all.map((e, i) => [e, i] as const);
    order.sort((a, b) => (a[0].ts ?? Infinity) - (b[0].ts ?? Infinity) || a[1] - b[1]);
    for (const [e] of order) {
      if (kindSet && !kindSet.has(e.kind)) continue;
      if (from !== undefined && (e.ts === null || e.ts < from)) continue;
      if (to !== undefined && (e.ts === null || e.ts > to)) continue;
      events.push(e);
    }
  }
  if (duplicates) notes.push(`${duplicates.toLocaleString("en-US")} debug.log ${inflect(duplicates, "event")} ${inflect(duplicates, "repeats", "repeat")} a system.log line of the same node and were kept once (from system.log).`);
  return { source, events, files: infos, notes, clockSteps };
}

function dupKey(e: LogEvent): string {
  return `${e.ts}\u0001${e.thread}\u0001${e.source}\u0001${e.kind}\u0001${e.message}`;
}

/** The layout for a file: the node's conf/logback.xml pattern when it reads the file, else detected. */
async function layoutFor(source: Source, f: SourceFile, logName: string, text: string, cache: Map<string, LogLayout | null>, notes: string[]): Promise<LogLayout | undefined> {
  const key = `${f.node}\u0001${logName}`;
  if (!cache.has(key)) {
    let layout: LogLayout | null = null;
    const conf = source.files({ kind: "conf", node: f.node }).find((c) => /(^|\/)logback\.xml$/.test(c.rel));
    if (conf) {
      try {
        const pattern = patternFromLogbackXml(await source.readText(conf), logName);
        if (pattern) layout = compileLayout(pattern, "logback.xml");
      } catch {
        layout = null;
      }
    }
    cache.set(key, layout);
  }
  const fromConf = cache.get(key);
  if (fromConf) {
    if (layoutCoverage(text, fromConf) >= 0.5) return fromConf;
    const detected = detectLayout(text);
    notes.push(`${f.rel}: the ${logName} pattern in the node's logback.xml (${fromConf.pattern}) does not match this file; used the detected ${detected?.name ?? "(none)"} layout instead.`);
    return detected;
  }
  return detectLayout(text);
}

/** The day for console layouts: the first ISO-8601 timestamp of the node's GC log. */
async function baseDateFor(source: Source, node: string, cache: Map<string, { date?: string; from?: string }>): Promise<{ date?: string; from?: string }> {
  const hit = cache.get(node);
  if (hit) return hit;
  let found: { date?: string; from?: string } = {};
  for (const g of filesInTimeOrder(source, ["gc-log"]).filter((x) => x.node === node)) {
    try {
      const text = await source.readText(g);
      const m = /(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d/.exec(text.slice(0, 65536));
      if (m) {
        found = { date: m[1], from: `${g.rel}'s first timestamp` };
        break;
      }
    } catch {
      /* unreadable GC log: try the next */
    }
  }
  cache.set(node, found);
  return found;
}
