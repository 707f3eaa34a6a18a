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
import { emptyParse, hotspotTime, parenGroups, skip, STOPPED_TIME, toMb, type GcCycle, type GcParse, type GcPause, type ParseOptions } from "./gc-types";

/** `2020-07-20T09:09:26.817+0000: 2.753: ` (the date part optional). */
const PREFIX = /^(?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d{4}): )?(\d+\.\d+): /;
const G1_CONCURRENT = /^\[GC (concurrent-[a-z-]+?)(-start|-end|-abort|-reset-for-overflow)?(?:, (\d+(?:\.\d+)?) secs)?\]/;
const CMS_CONCURRENT = /^\[(CMS-concurrent-[a-z-]+?)(-start)?(?:: (\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?) secs)?\]/;
const REAL = /real=(\d+(?:\.\d+)?) secs/;
const G1_HEAP = /Heap: (\d+(?:\.\d+)?)([BKMG])\((\d+(?:\.\d+)?)([BKMG])\)->(\d+(?:\.\d+)?)([BKMG])\((\d+(?:\.\d+)?)([BKMG])\)/;
const HEAP_CHANGE = /(\d+(?:\.\d+)?)([BKMG])?->(\d+(?:\.\d+)?)([BKMG])?\((\d+(?:\.\d+)?)([BKMG])?\)/g;

/**
 * What a line means outside an event, tested in order against the line's text after its
 * `date: uptime: ` prefix (`body`). `event` opens a pause; `cycle` is a concurrent phase.
 */
type LineKind = "stopped" | "g1-concurrent" | "cms-concurrent" | "event" | "continuation" | "ignore";
const LINE_RULES: { what: string; test: (body: string) => boolean; kind: LineKind }[] = [
  { what: "PrintGCApplicationStoppedTime", test: (b) => b.startsWith("Total time for which"), kind: "stopped" },
  { what: "PrintGCApplicationConcurrentTime", test: (b) => b.startsWith("Application time:"), kind: "ignore" },
  { what: "G1 concurrent phase", test: (b) => b.startsWith("[GC concurrent-"), kind: "g1-concurrent" },
  { what: "CMS concurrent phase", test: (b) => b.startsWith("[CMS-concurrent-"), kind: "cms-concurrent" },
  { what: "a collection (GC pause, GC (cause), Full GC, GC remark, GC cleanup)", test: (b) => b.startsWith("[GC") || b.startsWith("[Full GC"), kind: "event" },
  { what: "a generation inside an open event ([ParNew, [CMS, [PSYoungGen, [DefNew)", test: (b) => b.charCodeAt(0) === 91, kind: "continuation" },
];

/** Header and PrintHeapAtGC/tenuring/FLS noise outside events: recognised, not used. */
const NOISE_PREFIXES = ["{Heap", "Heap", "}", "Desired survivor", "- age", "Statistics for", "---", "Total Free Space", "Max   Chunk", "Number of Blocks", "Av.  Block", "Tree      Height", "/proc/meminfo", "CMS: abort preclean", " ", "\t", "Java HotSpot", "OpenJDK", "Memory:", "CommandLine flags:", ", ", ": "];

interface OpenEvent {
  line: number;
  stamp: string | null;
  uptime: number;
  parts: string[];
}

/**
 * Parse a JDK 8 PrintGCDetails log.
 * @example parseJdk8Gc(fs.readFileSync("gc.log.0.current", "utf8")).pauses.filter((p) => p.type === "full").length
 */
export function parseJdk8Gc(text: string, opts: ParseOptions = {}): GcParse {
  const r = emptyParse("jdk8");
  if (!text) return r;
  const maxLines = opts.maxLines ?? Infinity;
  let open = null as OpenEvent | null;
  let awaitingStop = null as GcPause | null;
  let stopped = 0;
  const concurrentStart = new Map<string, number>();
  let lineNo = 0;
  let pos = 0;
  const n = text.length;

  const close = () => {
    if (!open) return;
    const ev = open;
    open = null;
    const p = readEvent(ev, r);
    if (p) {
      r.pauses.push(p);
      awaitingStop = p;
    } else skip(r.skipped, ev.line, ev.parts[0], "a GC event without its pause time (cut mid-event?)");
  };

  while (pos < n && lineNo < maxLines) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = n;
    lineNo++;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(pos, end - 1) : text.slice(pos, end);
    pos = end + 1;
    if (line.length === 0) continue;
    const c0 = line.charCodeAt(0);

    if (c0 >= 48 && c0 <= 57) {
      const m = PREFIX.exec(line);
      if (!m) {
        if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GC log file/.test(line)) continue;
        if (open) appendIfUseful(open, line);
        else skip(r.skipped, lineNo, line, "expected `uptime: [GC ...` or a stopped-time line");
        continue;
      }
      const uptime = Number(m[2]);
      if (r.lastUptime !== null && uptime < r.lastUptime - 1) r.jvmRestarts++;
      if (r.firstUptime === null) r.firstUptime = uptime;
      r.lastUptime = uptime;
      const body = line.slice(m[0].length);
      let kind: LineKind | undefined;
      for (const rule of LINE_RULES) {
        if (rule.test(body)) {
          kind = rule.kind;
          break;
        }
      }
      const stamp = m[1] !== undefined ? hotspotTime(m[1]) : null;
      if (stamp) {
        if (r.firstTimestamp === null) r.firstTimestamp = stamp;
        r.lastTimestamp = stamp;
      }
      switch (kind) {
        case "stopped": {
          close();
          const s = STOPPED_TIME.exec(body);
          if (!s) {
            skip(r.skipped, lineNo, line, "a stopped-time line without its seconds");
            break;
          }
          const ms = Number(s[1]) * 1000;
          stopped += ms;
          r.safepoints++;
          if (awaitingStop) awaitingStop.stopped_ms = Math.round(ms * 1000) / 1000;
          awaitingStop = null;
          break;
        }
        case "g1-concurrent": {
          const g = G1_CONCURRENT.exec(body);
          if (!g) break;
          const name = g[1];
          if (g[2] === "-start") concurrentStart.set(name, uptime);
          else if (g[2] !== "-reset-for-overflow") {
            const start = concurrentStart.get(name);
            const ms = g[3] !== undefined ? Number(g[3]) * 1000 : start !== undefined ? (uptime - start) * 1000 : null;
            r.cycles.push(cycleRow(name, ms, g[2] === "-abort", lineNo, uptime, stamp));
          }
          break;
        }
        case "cms-concurrent": {
          const g = CMS_CONCURRENT.exec(body);
          if (!g || g[2] === "-start" || g[4] === undefined) break;
          r.cycles.push(cycleRow(g[1], Number(g[4]) * 1000, false, lineNo, uptime, stamp));
          break;
        }
        case "event":
          close();
          open = { line: lineNo, stamp, uptime, parts: [body] };
          if (body.includes("[Times:")) close();
          break;
        case "continuation":
          if (open) open.parts.push(body);
          else skip(r.skipped, lineNo, line, "a generation's line outside any GC event");
          break;
        case "ignore":
          break;
        default:
          if (open) appendIfUseful(open, body);
          else skip(r.skipped, lineNo, line, "not a JDK 8 GC log line");
      }
      continue;
    }

    if (open) {
      appendIfUseful(open, line);
      if (line.includes("[Times:")) close();
      else if (open && open.parts.length > 200) {
        skip(r.skipped, open.line, open.parts[0], "a GC event that never ended");
        open = null;
      }
      continue;
    }
    if (line.startsWith("CommandLine flags:")) {
      readFlags(line, r);
      continue;
    }
    if (line.startsWith("Java HotSpot") || line.startsWith("OpenJDK")) {
      const v = /JRE \(([^)]+)\)/.exec(line);
      if (v) r.info.jvmVersion = v[1];
      continue;
    }
    if (line.startsWith("Memory:")) {
      const v = /physical (\d+)k/.exec(line);
      if (v) r.info.ramMb = Math.round(Number(v[1]) / 1024);
      continue;
    }
    if (NOISE_PREFIXES.some((p) => line.startsWith(p))) continue;
    skip(r.skipped, lineNo, line, "not a JDK 8 GC log line");
  }
  close();
  r.lines = lineNo;
  if (r.safepoints > 0) r.safepointStoppedMs = Math.round(stopped * 1000) / 1000;
  if (!r.info.collector) r.info.collector = collectorFromEvents(r.pauses);
  return r;
}

/** Inside an event only lines with sizes or times matter; heap printouts, FLS and tenuring noise are dropped. */
function appendIfUseful(open: OpenEvent, s: string): void {
  if (s.indexOf("->") >= 0 || s.indexOf("secs") >= 0 || s.indexOf("failure") >= 0 || s.indexOf("failed") >= 0) open.parts.push(s);
}

function readFlags(line: string, r: GcParse): void {
  r.info.flags = line.slice("CommandLine flags:".length).trim();
  const mx = /-XX:MaxHeapSize=(\d+)/.exec(line);
  if (mx) r.info.heapMaxMb = Math.round(Number(mx[1]) / 1048576);
  if (line.includes("+UseG1GC")) r.info.collector = "G1";
  else if (line.includes("+UseConcMarkSweepGC")) r.info.collector = "CMS";
  else if (line.includes("+UseParallelGC") || line.includes("+UseParallelOldGC")) r.info.collector = "Parallel";
  else if (line.includes("+UseSerialGC")) r.info.collector = "Serial";
}

function collectorFromEvents(pauses: GcPause[]): string | undefined {
  return pauses.slice(0, 50).some((p) => p.name.startsWith("GC pause")) ? "G1" : undefined;
}

/** Read one closed event. Returns null when no pause time is found. */
function readEvent(ev: OpenEvent, r: GcParse): GcPause | null {
  const head = ev.parts[0];
  const text = ev.parts.join("");
  const timesAt = text.indexOf("[Times:");
  const area = timesAt >= 0 ? text.slice(0, timesAt) : text;
  const secsAt = area.lastIndexOf(" secs]");
  if (secsAt < 0) return null;
  const numAt = area.lastIndexOf(" ", secsAt - 1);
  const pauseS = Number(area.slice(numAt + 1, secsAt));
  if (!Number.isFinite(pauseS)) return null;

  let type = "young";
  let name: string;
  let cause: string | null = null;
  if (head.startsWith("[Full GC")) {
    type = "full";
    name = "Full GC";
    cause = parenGroups(head.slice(8))[0] ?? null;
  } else if (head.startsWith("[GC pause")) {
    const groups = parenGroups(head.slice(9));
    cause = groups[0] ?? null;
    name = `GC pause (${groups.slice(1).join(") (")})`;
    type = groups.includes("mixed") ? "mixed" : groups.includes("initial-mark") ? "young-concurrent-start" : "young";
  } else if (head.startsWith("[GC remark")) {
    type = "remark";
    name = "GC remark";
  } else if (head.startsWith("[GC cleanup")) {
    type = "cleanup";
    name = "GC cleanup";
  } else {
    const groups = parenGroups(head.slice(3));
    cause = groups[0] ?? null;
    name = "GC";
    if (cause === "CMS Initial Mark") {
      type = "initial-mark";
      name = "GC (CMS Initial Mark)";
      cause = null;
    } else if (cause === "CMS Final Remark") {
      type = "remark";
      name = "GC (CMS Final Remark)";
      cause = null;
    } else if (/\[(CMS|Tenured|PSOldGen|ParOldGen)\b|\[CMSCMS/.test(text)) {
      // A young collection that fell back to collecting the old generation (promotion failed).
      type = "full";
      name = "GC (promotion failed)";
    }
  }
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
    if (text.includes("[ParNew")) r.info.collector = "CMS";
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
    line: ev.line,
  };
}

function cycleRow(name: string, ms: number | null, aborted: boolean, line: number, uptime: number, stamp: string | null): GcCycle {
  return { timestamp: stamp, uptime_s: uptime, name, cause: null, duration_ms: ms === null ? null : Math.round(ms * 1000) / 1000, heap_before_mb: null, heap_after_mb: null, aborted, gc_id: null, line };
}
