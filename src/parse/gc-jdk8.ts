/**
 * JDK 8 (and 7) `-XX:+PrintGCDetails` GC logs — G1, CMS/ParNew, Parallel, Serial — pure text -> rows.
 *
 * A JDK 8 event spans many lines and other output interleaves with it: PrintHeapAtGC blocks,
 * tenuring distributions, CMS free-list statistics, G1's phase tree, CMS concurrent phases from
 * another thread, `Total time for which application threads were stopped` from
 * PrintGCApplicationStoppedTime. So the parser is a small state machine driven by a table of
 * line rules ({@link LINE_RULES}): an event opens on `[GC` / `[Full GC` after the
 * `date: uptime: ` prefix, collects the lines that carry numbers (`->` sizes or `secs`), and
 * closes on its `[Times: ... real=... secs]` line (or when the next event/safepoint line
 * arrives, for logs without Times). The closed event's text is then read once: kind and cause
 * from its head, the pause as the last `, N secs]` before `[Times:`, heap from G1's `Heap:` or
 * the whole-heap `a->b(c)` that is not a generation's.
 *
 * The next stopped-time line after a pause is that pause's safepoint: it goes to `stopped_ms`,
 * kept apart from `pause_ms` and `real_ms` (a DSE 6.8 node logged 44.7 ms pause, real=1.06 s,
 * 1.066 s stopped).
 */
import { jvmArgSettings } from "./jvm-args";
import { emptyColumns, intern, withPauseObjects, type GcBlockParser, type GcParseColumns } from "./gc-pauses";
import { emptyParse, hotspotTime, kebab, parenGroups, skip, STOPPED_TIME, toMb, type GcCycle, type GcParse, type GcPause, type ParseOptions } from "./gc-types";

/**
 * The line prefix: `2020-07-20T09:09:26.817+0000: 2.753: ` — each part optional
 * (-XX:+PrintGCDateStamps without PrintGCTimeStamps writes only the date; neither flag writes
 * nothing), the uptime with a decimal comma in some locales (`785,047: `), then -XX:+PrintGCID's `#12: `.
 */
const PREFIX = /^(?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.,]\d+[+-]\d{4}): ?)?(?:(\d+[.,]\d+): )?(?:#\d+: )?/;
/** The second half of two interleaved prefixes: `2017-06-22T16:03:36.126+0530: 79244.87279244.872: : `. */
const DOUBLED_PREFIX = /^(?:\d{4}-\d\d-\d\dT[\d:.,]+[+-]\d{4}: ?)?(\d+[.,]\d{3})(?:\d+[.,]\d{3})?: (?:: )?/;
const G1_CONCURRENT = /^\[GC (concurrent-[a-z-]+?)(-start|-end|-abort|-reset-for-overflow)?(?:, ?(\d+(?:[.,]\d+)?) secs?)?\]/;
const CMS_CONCURRENT = /^\[(CMS-concurrent-[a-z-]+?)(-start)?(?:: (\d+(?:[.,]\d+)?)\/(\d+(?:[.,]\d+)?) secs)?\]/;
/** JDK 8 Shenandoah: `[Pause Init Mark (process weakrefs), 0.436 ms]`, `[Pause Final Mark 1447M->684M(2048M), 2.279 ms]`. */
const SHENANDOAH_PAUSE =
  /^\[Pause ([A-Za-z ]+?)(?: \(([^)]*)\))?(?: (\d+(?:[.,]\d+)?)([BKMG])->(\d+(?:[.,]\d+)?)([BKMG])\((\d+(?:[.,]\d+)?)([BKMG])\))?, (\d+(?:[.,]\d+)?) ms\]/;
const SHENANDOAH_CONCURRENT =
  /^\[(Concurrent [a-z ]+?)(?: \([^)]*\))?(?: \d+(?:[.,]\d+)?[BKMG]->\d+(?:[.,]\d+)?[BKMG]\(\d+(?:[.,]\d+)?[BKMG]\))?, (\d+(?:[.,]\d+)?) ms\]/;
const REAL = /real=(\d+(?:\.\d+)?) secs/;
const G1_HEAP = /Heap: (\d+(?:\.\d+)?)([BKMG])\((\d+(?:\.\d+)?)([BKMG])\)->(\d+(?:\.\d+)?)([BKMG])\((\d+(?:\.\d+)?)([BKMG])\)/;
const HEAP_CHANGE = /(\d+(?:\.\d+)?)([BKMG])?->(\d+(?:\.\d+)?)([BKMG])?\((\d+(?:\.\d+)?)([BKMG])?\)/g;

/**
 * Text another thread (or the VM) printed in the middle of a GC event's line: a CMS or G1
 * concurrent phase with its own `[Times: ...]`, a G1Ergonomics note, or a JVM warning
 * (`[CMSJava HotSpot(TM) Server VM warning: bailing out to foreground collection`). Cut out
 * before the event is read, so an embedded `[Times:` never ends the event it interrupts.
 */
const EMBEDDED =
  /(?:\d{4}-\d\d-\d\dT[\d:.,]+[+-]\d{4}: ?)?(?:\d+[.,]\d+: )?(?:#\d+: )?\[(?:CMS-concurrent-|GC concurrent-)[^\]]*\](?: \[Times: [^\]]*\])?|(?:\d+[.,]\d+: )?\[G1Ergonomics [^\]]*\]|(?:Java HotSpot\(TM\)|OpenJDK)[^\n]*? warning: .*$/g;

/**
 * What a line's body (after its optional `date: uptime: ` prefix) means, tested in order.
 * `event` opens a pause; `continuation` belongs to the open event.
 */
type LineKind = "stopped" | "g1-concurrent" | "cms-concurrent" | "shenandoah-pause" | "shenandoah-concurrent" | "event" | "continuation" | "ignore";
const LINE_RULES: { what: string; test: (body: string) => boolean; kind: LineKind }[] = [
  { what: "PrintGCApplicationStoppedTime", test: (b) => b.startsWith("Total time for which"), kind: "stopped" },
  { what: "PrintGCApplicationConcurrentTime", test: (b) => b.startsWith("Application time:"), kind: "ignore" },
  { what: "G1 concurrent phase", test: (b) => b.startsWith("[GC concurrent-"), kind: "g1-concurrent" },
  { what: "CMS concurrent phase", test: (b) => b.startsWith("[CMS-concurrent-"), kind: "cms-concurrent" },
  { what: "Shenandoah pause (JDK 8)", test: (b) => b.startsWith("[Pause "), kind: "shenandoah-pause" },
  { what: "Shenandoah concurrent phase (JDK 8)", test: (b) => b.startsWith("[Concurrent "), kind: "shenandoah-concurrent" },
  { what: "a collection (GC pause, GC (cause), Full GC, GC remark, GC cleanup)", test: (b) => b.startsWith("[GC") || b.startsWith("[Full GC"), kind: "event" },
  {
    what: "PrintHeapAtGC block, PrintClassHistogram header, G1Ergonomics note",
    test: (b) => b.startsWith("{Heap") || b.startsWith("[Class Histogram") || b.startsWith("[G1Ergonomics"),
    kind: "ignore",
  },
  { what: "a generation inside an open event ([ParNew, [CMS, [PSYoungGen, [DefNew, [Rescan)", test: (b) => b.charCodeAt(0) === 91, kind: "continuation" },
];

/** Header, PrintHeapAtGC, tenuring, FLS statistics, class histogram and Shenandoah notes outside events: recognised, not used. */
const NOISE_PREFIXES = [
  "{Heap",
  "Heap",
  "}",
  "Desired survivor",
  "- age",
  "Statistics for",
  "---",
  "Total Free Space",
  "Max   Chunk",
  "Number of Blocks",
  "Av.  Block",
  "Tree      Height",
  "/proc/meminfo",
  "CMS: abort preclean",
  " ",
  "\t",
  "Java HotSpot",
  "OpenJDK",
  "Memory:",
  "CommandLine flags:",
  ", ",
  ": ",
  "Total ",
  "num ",
  "Before GC:",
  "After GC:",
  "Regions:",
  "Humongous object threshold",
  "Max TLAB size",
  "GC threads",
  "Reference processing",
  "Heuristics",
  "Shenandoah heuristics",
  "Pacer",
  "Initialize Shenandoah",
  "Trigger:",
  "Free:",
  "Evacuation Reserve",
  "Adaptive CSet",
  "Collectable Garbage",
  "Immediate Garbage",
  "Periodic GC",
  "Uncommitted",
  "Cancelling GC",
  "Failed to allocate",
  "Concurrent marking triggered",
  "No shared spaces",
  "garbage-first heap",
  "region size",
  // JDK 8 Shenandoah's per-cycle statistics table (column 0, no brackets: never a pause line).
  "All times are wall-clock",
  "all workers.",
  "Pause ",
  "Concurrent ",
];

interface OpenEvent {
  line: number;
  stamp: string | null;
  uptime: number | null;
  parts: string[];
  lines: number;
  /** The line of the remark this event runs inside (-XX:+CMSScavengeBeforeRemark), else null. */
  within: number | null;
  /** Had a scavenge nested in it already. */
  nested: boolean;
}

const num = (s: string) => Number(s.replace(",", "."));

/**
 * Parse a JDK 6/7/8 PrintGCDetails log.
 * @example parseJdk8Gc(fs.readFileSync("gc.log.0.current", "utf8")).pauses.filter((p) => p.type === "full").length
 */
export function parseJdk8Gc(text: string, opts: ParseOptions = {}): GcParse {
  const p = jdk8GcParser(opts);
  p.push(text);
  return withPauseObjects(p.end());
}

/**
 * The JDK 6-8 parser fed block by block (see {@link GcBlockParser}): an event open at a block's
 * end (its `[Times:` not read yet, a concurrent phase or warning printed inside it) stays open.
 * @example const p = jdk8GcParser(); for await (const b of readLineBlocks("gc.log.0.current")) p.push(b); p.end().pauses.length
 */
export function jdk8GcParser(opts: ParseOptions = {}): GcBlockParser {
  const r = emptyColumns(emptyParse("jdk8"), opts);
  const table = r.pauses;
  const maxLines = opts.maxLines ?? Infinity;
  let open = null as OpenEvent | null;
  /** A CMS remark waiting for its end line while the scavenge it started runs (CMSScavengeBeforeRemark). */
  let outer = null as OpenEvent | null;
  /** Row of the last pause, waiting for its stopped-time line; -1 for none. */
  let awaitingStop = -1;
  let stopped = 0;
  const concurrentStart = new Map<string, number>();
  let lineNo = 0;
  let first = true;
  /** The first 50 pauses' names (the collector when no header names it). */
  const firstNames: string[] = [];

  const finish = (ev: OpenEvent) => {
    const p = readEvent(ev, r);
    if (p) {
      const i = table.push(p);
      if (firstNames.length < 50) firstNames.push(p.name);
      if (ev.within === null) awaitingStop = i;
    } else skip(r.skipped, ev.line, ev.parts[0], "a GC event without its pause time (cut mid-event?)");
  };
  /** Close the open event (and a remark it ran inside, if that never ended). */
  const close = () => {
    if (open) finish(open);
    open = null;
    if (outer) finish(outer);
    outer = null;
  };
  /** Close the innermost open event; a remark it ran inside becomes the open event again. */
  const closeInner = () => {
    if (open) finish(open);
    open = outer;
    outer = null;
  };
  const cycleFrom = (body: string, uptime: number | null, stamp: string | null, line: number): void => {
    if (body.startsWith("[GC concurrent-")) {
      const g = G1_CONCURRENT.exec(body);
      if (!g) return;
      const name = g[1];
      if (g[2] === "-start") {
        if (uptime !== null) concurrentStart.set(name, uptime);
      } else if (g[2] !== "-reset-for-overflow") {
        const start = concurrentStart.get(name);
        const ms = g[3] !== undefined ? num(g[3]) * 1000 : start !== undefined && uptime !== null ? (uptime - start) * 1000 : null;
        r.cycles.push(cycleRow(intern(name), ms, g[2] === "-abort", line, uptime, stamp));
      }
    } else {
      const g = CMS_CONCURRENT.exec(body);
      if (!g || g[2] === "-start" || g[4] === undefined) return;
      r.cycles.push(cycleRow(intern(g[1]), num(g[4]) * 1000, false, line, uptime, stamp));
    }
  };
  /** Cut embedded concurrent phases / warnings out of an event line, keeping the phases as cycles. */
  const clean = (s: string, line: number): string => {
    if (s.indexOf("concurrent-") < 0 && s.indexOf("warning") < 0 && s.indexOf("G1Ergonomics") < 0) return s;
    return s.replace(EMBEDDED, (frag) => {
      const m = PREFIX.exec(frag)!;
      const body = frag.slice(m[0].length);
      if (body.startsWith("[CMS-concurrent-") || body.startsWith("[GC concurrent-"))
        cycleFrom(body, m[2] !== undefined ? num(m[2]) : null, m[1] !== undefined ? hotspotTime(m[1]) : null, line);
      return "";
    });
  };
  /** Append a line to the open event; close it when the line carries the event's own `[Times:`. */
  const append = (s: string, useful: boolean) => {
    if (!open) return;
    open.lines++;
    if (useful || isUseful(s)) open.parts.push(s);
    if (s.indexOf("[Times:") >= 0) closeInner();
    else if (open.within !== null && s.indexOf(" secs]") >= 0 && balanced(open.parts))
      closeInner(); // a scavenge without [Times: ends on its own closing bracket
    else if (open && open.lines > 2000) {
      skip(r.skipped, open.line, open.parts[0], "a GC event that never ended (no [Times: or next event within 2,000 lines)");
      open = outer;
      outer = null;
    }
  };

  const push = (text: string) => {
    let pos = first && text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte order mark
    first = false;
    const n = text.length;
    while (pos < n && lineNo < maxLines) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = n;
      lineNo++;
      const raw = text.charCodeAt(end - 1) === 13 ? text.slice(pos, end - 1) : text.slice(pos, end);
      pos = end + 1;
      if (raw.length === 0) continue;
      const c0 = raw.charCodeAt(0);

      // The optional `date: uptime: ` prefix.
      let body = raw;
      let uptime: number | null = null;
      let stamp: string | null = null;
      if (c0 >= 48 && c0 <= 57) {
        const m = PREFIX.exec(raw)!;
        if (m[0].length === 0) {
          if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GC log file/.test(raw)) continue;
          if (open) append(clean(raw, lineNo), false);
          else skip(r.skipped, lineNo, raw, "expected `uptime: [GC ...` or a stopped-time line");
          continue;
        }
        body = raw.slice(m[0].length);
        let up = m[2];
        const c1 = body.charCodeAt(0);
        if (c1 >= 48 && c1 <= 57) {
          // Two threads' prefixes interleaved: `date: date: 79244.87279244.872: : [Full GC …` (the uptime written twice).
          const d = DOUBLED_PREFIX.exec(body);
          if (d) {
            up ??= d[1];
            body = body.slice(d[0].length);
          }
        }
        if (up !== undefined) {
          uptime = num(up);
          if (r.lastUptime !== null && uptime < r.lastUptime - 1) r.jvmRestarts++;
          if (r.firstUptime === null) r.firstUptime = uptime;
          r.lastUptime = uptime;
        }
        if (m[1] !== undefined) {
          stamp = hotspotTime(m[1]);
          if (stamp) {
            if (r.firstTimestamp === null) r.firstTimestamp = stamp;
            r.lastTimestamp = stamp;
          }
        }
      } else if (c0 !== 91 /* [ */ && !raw.startsWith("Total time for which") && !raw.startsWith("Application time:")) {
        // Not a prefixed or bracketed line: a part of the open event, or header/noise.
        if (open) {
          append(clean(raw, lineNo), false);
          continue;
        }
        if (raw.startsWith("CommandLine flags:")) {
          readFlags(raw, r);
          continue;
        }
        if (raw.startsWith("Java HotSpot") || raw.startsWith("OpenJDK")) {
          const v = /JRE \(([^)]+)\)/.exec(raw);
          if (v) r.info.jvmVersion = v[1];
          continue;
        }
        if (raw.startsWith("Memory:")) {
          const v = /physical (\d+)k/.exec(raw);
          if (v) r.info.ramMb = Math.round(Number(v[1]) / 1024);
          continue;
        }
        if (/^, \d+[.,]\d+ secs\]/.test(raw)) {
          // The closing figures of an event whose first line is not in the file (a rotated file or
          // an excerpt that starts mid-event): a pause happened, but its kind cannot be read.
          skip(r.skipped, lineNo, raw, "the end of a GC event whose first line is not in this file (it starts mid-event): the pause's kind is unknown");
          continue;
        }
        if (NOISE_PREFIXES.some((p) => raw.startsWith(p))) continue;
        skip(r.skipped, lineNo, raw, "not a JDK 8 GC log line");
        continue;
      }

      let kind: LineKind | undefined;
      for (const rule of LINE_RULES) {
        if (rule.test(body)) {
          kind = rule.kind;
          break;
        }
      }
      switch (kind) {
        case "stopped": {
          close();
          const s = STOPPED_TIME.exec(body.indexOf(",") >= 0 && /: \d+,\d+ seconds/.test(body) ? body.replace(/(\d),(\d)/g, "$1.$2") : body);
          if (!s) {
            skip(r.skipped, lineNo, raw, "a stopped-time line without its seconds");
            break;
          }
          const ms = Number(s[1]) * 1000;
          stopped += ms;
          r.safepoints++;
          if (awaitingStop >= 0) table.setNum(awaitingStop, "stopped_ms", Math.round(ms * 1000) / 1000);
          awaitingStop = -1;
          break;
        }
        case "g1-concurrent":
        case "cms-concurrent": {
          // Another thread's phase, printed while an event may be open: never ends that event; what
          // follows it on the line (`… secs] (to-space exhausted), 0.33 secs] [Times: …]`) is the event's.
          if (!open) {
            cycleFrom(body, uptime, stamp, lineNo);
            break;
          }
          const rest = clean(raw, lineNo);
          if (rest.trim()) append(rest, false);
          break;
        }
        case "shenandoah-pause": {
          close();
          const p = shenandoahPause(body, lineNo, uptime, stamp);
          if (p) {
            awaitingStop = table.push(p);
            r.info.collector ??= "Shenandoah";
          } else if (!/, start\]$/.test(body)) skip(r.skipped, lineNo, raw, "a Shenandoah pause line without its `, N ms]`");
          break;
        }
        case "shenandoah-concurrent": {
          const g = SHENANDOAH_CONCURRENT.exec(body);
          if (g) r.cycles.push(cycleRow(intern(g[1]), num(g[2]), false, lineNo, uptime, stamp));
          break;
        }
        case "event": {
          const ev: OpenEvent = { line: lineNo, stamp, uptime, parts: [], lines: 0, within: null, nested: false };
          if (open && outer === null && !open.nested && isWaitingRemark(open)) {
            // -XX:+CMSScavengeBeforeRemark: the remark's scavenge runs inside the remark's pause.
            open.nested = true;
            outer = open;
            ev.within = outer.line;
          } else close();
          open = ev;
          const text = clean(body, lineNo);
          // JDK 7 -XX:+CMSScavengeBeforeRemark writes the remark's head and its whole scavenge on one
          // line: `[GC[YG occupancy: …]…: [GC…: [ParNew: …], N secs] [Times: …]`. Split it there.
          const yg = text.indexOf("YG occupancy");
          const inner = yg > 0 ? text.indexOf("[GC", yg) : -1;
          if (inner > 0) {
            append(text.slice(0, inner).replace(/(\d{4}-\d\d-\d\dT[\d:.,]+[+-]\d{4}: ?)?(\d+[.,]\d+: )?$/, ""), true);
            open!.nested = true;
            outer = open;
            open = { line: lineNo, stamp, uptime, parts: [], lines: 0, within: lineNo, nested: false };
            append(text.slice(inner), true);
          } else append(text, true);
          break;
        }
        case "continuation":
          if (open) append(clean(body, lineNo), true);
          else skip(r.skipped, lineNo, raw, "a generation's line outside any GC event");
          break;
        case "ignore":
          break;
        default:
          if (open) append(clean(body, lineNo), false);
          else skip(r.skipped, lineNo, raw, "not a JDK 8 GC log line");
      }
    }
  };
  const end = (): GcParseColumns => {
    close();
    r.lines = lineNo;
    if (r.safepoints > 0) r.safepointStoppedMs = Math.round(stopped * 1000) / 1000;
    if (!r.info.collector) r.info.collector = collectorFromEvents(firstNames);
    return r;
  };
  return { push, end };
}

/** Every `[` of the event's text closed: the event's own figures are complete. */
function balanced(parts: string[]): boolean {
  let depth = 0;
  for (const p of parts)
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c === 91) depth++;
      else if (c === 93) depth--;
    }
  return depth <= 0;
}

/** A CMS remark whose end line (`[1 CMS-remark: ...], N secs]`) has not come yet. */
function isWaitingRemark(ev: OpenEvent): boolean {
  const head = ev.parts[0] ?? "";
  if (head.indexOf("YG occupancy") < 0 && head.indexOf("CMS Final Remark") < 0) return false;
  return !ev.parts.some((p) => p.indexOf(" secs]") >= 0);
}

function isUseful(s: string): boolean {
  return (
    s.indexOf("->") >= 0 ||
    s.indexOf("secs") >= 0 ||
    s.indexOf("failure") >= 0 ||
    s.indexOf("failed") >= 0 ||
    s.indexOf("(initial-mark)") >= 0 ||
    s.indexOf("(mixed)") >= 0
  );
}

function shenandoahPause(body: string, line: number, uptime: number | null, stamp: string | null): GcPause | null {
  const m = SHENANDOAH_PAUSE.exec(body);
  if (!m) return null;
  return {
    timestamp: stamp,
    uptime_s: uptime,
    type: `shenandoah-${kebab(m[1])}`,
    name: `Pause ${m[1]}`,
    cause: m[2] ?? null,
    pause_ms: num(m[9]),
    real_ms: null,
    stopped_ms: null,
    heap_before_mb: m[3] !== undefined ? toMb(m[3].replace(",", "."), m[4]) : null,
    heap_after_mb: m[5] !== undefined ? toMb(m[5].replace(",", "."), m[6]) : null,
    heap_total_mb: m[7] !== undefined ? toMb(m[7].replace(",", "."), m[8]) : null,
    to_space_exhausted: false,
    humongous: false,
    concurrent_mode_failure: false,
    gc_id: null,
    within_line: null,
    line,
  };
}

/** The "CommandLine flags:" header: heap size and collector read by the one JVM-arguments parser (./jvm-args.ts). */
function readFlags(line: string, r: GcParseColumns): void {
  r.info.flags = intern(line.slice("CommandLine flags:".length).trim());
  const settings = jvmArgSettings(r.info.flags.split(/\s+/));
  if (settings.heap_max_mb !== undefined && settings.heap_max_mb !== null) r.info.heapMaxMb = Math.round(settings.heap_max_mb);
  if (settings.collector) r.info.collector = settings.collector;
}

function collectorFromEvents(names: string[]): string | undefined {
  return names.some((n) => n.startsWith("GC pause") || n === "GC remark") ? "G1" : undefined;
}

/** G1 JDK 6-8 words in `GC pause (...)` that say what kind of pause it is, not why it ran. */
const G1_QUALIFIERS = new Set(["young", "mixed", "partial", "initial-mark", "to-space exhausted", "to-space overflow"]);

/**
 * What kind of pause a closed event is, read from its head and (for words JDK 7 prints on a
 * continuation line, like `(initial-mark)`) its whole text. One vocabulary for every JDK:
 * G1's initial-mark young pause is `young-concurrent-start` here, in unified JDK 9-11
 * (`Pause Initial Mark`, `Pause Young (Initial Mark)`) and JDK 12+ (`Pause Young (Concurrent Start)`).
 */
function typeOf(head: string, text: string, nested: boolean): { type: string; name: string; cause: string | null } {
  if (nested) {
    const cause = parenGroups(head.slice(3))[0] ?? null;
    return { type: "young", name: "GC (CMSScavengeBeforeRemark)", cause: cause ?? "CMS Final Remark" };
  }
  if (head.startsWith("[Full GC")) return { type: "full", name: "Full GC", cause: parenGroups(head.slice(8))[0] ?? null };
  if (head.startsWith("[GC pause")) {
    const groups = parenGroups(head.slice(9));
    const quals = groups.filter((g) => G1_QUALIFIERS.has(g));
    const cause = groups.find((g) => !G1_QUALIFIERS.has(g)) ?? null;
    for (const q of ["initial-mark", "mixed"]) if (!quals.includes(q) && text.indexOf(`(${q})`) >= 0) quals.push(q);
    const type = quals.includes("mixed") || quals.includes("partial") ? "mixed" : quals.includes("initial-mark") ? "young-concurrent-start" : "young";
    return { type, name: `GC pause (${quals.filter((q) => !q.startsWith("to-space")).join(") (")})`, cause };
  }
  if (head.startsWith("[GC remark")) return { type: "remark", name: "GC remark", cause: null };
  if (head.startsWith("[GC cleanup")) return { type: "cleanup", name: "GC cleanup", cause: null };
  let cause: string | null = parenGroups(head.slice(3))[0] ?? null;
  if (cause === "CMS Initial Mark" || text.indexOf("CMS-initial-mark") >= 0) return { type: "initial-mark", name: "GC (CMS Initial Mark)", cause: null };
  if (cause === "CMS Final Remark" || text.indexOf("CMS-remark") >= 0) return { type: "remark", name: "GC (CMS Final Remark)", cause: null };
  if (/\[(CMS|Tenured|PSOldGen|ParOldGen)\b|\[CMSCMS/.test(text)) {
    // A young collection that fell back to collecting the old generation (promotion failed).
    return { type: "full", name: "GC (promotion failed)", cause };
  }
  if (cause !== null && /^\d/.test(cause)) cause = null;
  return { type: "young", name: "GC", cause };
}

/** Read one closed event. Returns null when no pause time is found. */
function readEvent(ev: OpenEvent, r: GcParseColumns): GcPause | null {
  const head = ev.parts[0];
  if (head === undefined) return null;
  let text = ev.parts.join("");
  // A decimal comma locale (`0,0665670 secs`, `4985,5M(11,5G)`): digits either side of a comma.
  if (/\d,\d+ secs\]/.test(text)) text = text.replace(/(\d),(\d)/g, "$1.$2");
  const timesAt = text.indexOf("[Times:");
  const area = timesAt >= 0 ? text.slice(0, timesAt) : text;
  const secsAt = area.lastIndexOf(" secs]");
  if (secsAt < 0) return null;
  const numAt = Math.max(area.lastIndexOf(" ", secsAt - 1), area.lastIndexOf(",", secsAt - 1));
  const pauseS = Number(area.slice(numAt + 1, secsAt));
  if (!Number.isFinite(pauseS) || area.slice(numAt + 1, secsAt).trim() === "") return null;

  const { type, name, cause } = typeOf(head, text, ev.within !== null);
  const cmf = text.includes("concurrent mode failure") || text.includes("promotion failed");
  const real = REAL.exec(text);

  let before: number | null = null;
  let after: number | null = null;
  let total: number | null = null;
  const g1 = G1_HEAP.exec(area);
  if (g1) {
    before = toMb(g1[1], g1[2]);
    after = toMb(g1[5], g1[6]);
    total = toMb(g1[7], g1[8]);
  } else {
    HEAP_CHANGE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = HEAP_CHANGE.exec(area))) {
      const prev = area.charCodeAt(m.index - 1);
      const prev2 = area.charCodeAt(m.index - 2);
      if (prev === 32 && prev2 === 58) continue; // "[ParNew: a->b(c)", "[Metaspace: ...", "[CMS: ..."
      before = toMb(m[1], m[2]);
      after = toMb(m[3], m[4]);
      total = toMb(m[5], m[6]);
    }
  }
  if (!r.info.collector) {
    if (text.includes("[ParNew") || text.includes("CMS-")) r.info.collector = "CMS";
    else if (text.includes("[PSYoungGen")) r.info.collector = "Parallel";
    else if (text.includes("[DefNew")) r.info.collector = "Serial";
  }
  return {
    timestamp: ev.stamp,
    uptime_s: ev.uptime,
    type,
    name,
    cause,
    pause_ms: Math.round(pauseS * 1e7) / 1e4,
    real_ms: real ? Math.round(Number(real[1]) * 1e5) / 100 : null,
    stopped_ms: null,
    heap_before_mb: before,
    heap_after_mb: after,
    heap_total_mb: total,
    to_space_exhausted: text.includes("(to-space exhausted)") || text.includes("(to-space overflow)"),
    humongous: cause !== null && cause.includes("Humongous"),
    concurrent_mode_failure: cmf,
    gc_id: null,
    within_line: ev.within,
    line: ev.line,
  };
}

function cycleRow(name: string, ms: number | null, aborted: boolean, line: number, uptime: number | null, stamp: string | null): GcCycle {
  return {
    timestamp: stamp,
    uptime_s: uptime,
    name,
    cause: null,
    duration_ms: ms === null ? null : Math.round(ms * 1000) / 1000,
    heap_before_mb: null,
    heap_after_mb: null,
    aborted,
    gc_id: null,
    line,
  };
}
