/**
 * The rows every GC parser produces (JDK 8 PrintGCDetails, unified JDK 9+ logging, Cassandra's
 * GCInspector lines, nodetool gcstats), and the small helpers they share: size units, the
 * skipped-line tally, decoration timestamps. Kept in one place so gcStats(), logs()/timeline()
 * and health() read the same shape whatever the log's dialect.
 */
import type { CycleTable, PauseTable, RowBudget } from "./gc-pauses";
import { parseUtc } from "./utc-time";

/**
 * The fixed pause vocabulary. G1/Parallel/Serial/CMS pauses map to the first seven; ZGC and
 * Shenandoah pauses keep their own name, kebab-cased and prefixed (`zgc-mark-start`,
 * `zgc-young-relocate-start`, `shenandoah-final-mark`, ...). GCInspector's CMS line is `old`
 * (Cassandra logs the whole ConcurrentMarkSweep collection, mostly concurrent).
 */
export type PauseType = "young" | "young-concurrent-start" | "mixed" | "full" | "remark" | "cleanup" | "initial-mark" | "old" | string;

/** One stop-the-world pause (or, from GCInspector, one collection Cassandra reported). */
export interface GcPause {
  /** Wall-clock time the pause started, ISO-8601 UTC; null when the log has no date stamps. */
  timestamp: string | null;
  /** JVM uptime in seconds when the pause started; null when unknown (GCInspector). */
  uptime_s: number | null;
  /** See {@link PauseType}. */
  type: PauseType;
  /** The JVM's own name for the pause, e.g. "Pause Young (Normal)" or "GC pause (young)". */
  name: string;
  /** Why the collection ran: "G1 Evacuation Pause", "Allocation Failure", "System.gc()", ... */
  cause: string | null;
  /** The pause the GC logged, in ms. */
  pause_ms: number;
  /** Wall-clock time of the GC (`real=` in JDK 8, `Real=` in unified gc+cpu), ms; null when not logged. */
  real_ms: number | null;
  /** Total time application threads were stopped for this pause's safepoint, ms; null when not logged. */
  stopped_ms: number | null;
  heap_before_mb: number | null;
  heap_after_mb: number | null;
  heap_total_mb: number | null;
  /** G1 ran out of space to copy survivors into (`to-space exhausted`/`overflow`). */
  to_space_exhausted: boolean;
  /** Humongous allocation caused it or humongous regions were present. */
  humongous: boolean;
  /** Promotion failed / concurrent mode failure (CMS). */
  concurrent_mode_failure: boolean;
  /** GC id when the log numbers collections (unified `GC(12)`), else null. */
  gc_id: number | null;
  /**
   * The line of the pause this one ran inside, else null: with -XX:+CMSScavengeBeforeRemark the
   * remark's scavenge is logged as its own event inside the remark's pause. Both rows are kept,
   * each with its own time; totals and throughput count only the outer (remark) pause.
   */
  within_line: number | null;
  /** 1-based line where the event starts in its file. */
  line: number;
}

/** One concurrent cycle or concurrent phase (G1 Concurrent Mark Cycle, CMS-concurrent-sweep, ZGC Garbage Collection, ...). */
export interface GcCycle {
  timestamp: string | null;
  uptime_s: number | null;
  /** The JVM's name: "Concurrent Mark Cycle", "CMS-concurrent-mark", "Garbage Collection (Allocation Stall)". */
  name: string;
  cause: string | null;
  /** Duration in ms (wall clock, concurrent with the application). */
  duration_ms: number | null;
  heap_before_mb: number | null;
  heap_after_mb: number | null;
  /** The cycle was aborted (G1 concurrent-mark-abort, Concurrent Undo Cycle). */
  aborted: boolean;
  gc_id: number | null;
  line: number;
}

/** A ZGC/Shenandoah allocation stall: one application thread waited for memory. */
export interface GcStall {
  timestamp: string | null;
  uptime_s: number | null;
  thread: string;
  stall_ms: number;
  line: number;
}

/** What the log says about the JVM itself. */
export interface GcJvmInfo {
  /** "G1", "CMS", "Parallel", "Serial", "ZGC", "Generational ZGC", "Shenandoah". */
  collector?: string;
  /** JVM version string, e.g. "1.8.0_252" or "17.0.15+6-Debian-1deb12u1". */
  jvmVersion?: string;
  /** The `CommandLine flags:` line (JDK 8). */
  flags?: string;
  /** Physical RAM in MB when the log states it. */
  ramMb?: number;
  /** Maximum heap in MB when the log states it (-Xmx / Heap Max Capacity / MaxHeapSize). */
  heapMaxMb?: number;
}

/** Lines a parser could not use. */
export interface Skipped {
  count: number;
  /** The first one, for the report's notes. */
  first?: { line: number; text: string; reason: string };
}

/** What a GC-log parser returns. */
export interface GcParse {
  format: "unified" | "jdk8" | "gcinspector" | "unknown";
  pauses: GcPause[];
  cycles: GcCycle[];
  stalls: GcStall[];
  info: GcJvmInfo;
  /** Sum of every safepoint's stopped time (GC or not), ms; null when the log has no safepoint lines. */
  safepointStoppedMs: number | null;
  /** Number of safepoint lines seen. */
  safepoints: number;
  /** First and last uptime (s) / timestamp seen, for throughput and rates. */
  firstUptime: number | null;
  lastUptime: number | null;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** How many times uptime went backwards: more than one JVM run appended in one file. */
  jvmRestarts: number;
  lines: number;
  skipped: Skipped;
}

/** Options every parser takes. */
export interface ParseOptions {
  /** Stop after this many lines (for previews); default all. */
  maxLines?: number;
  /** How the pause table keeps the rows of a large log (gcStats' budget; default every row). */
  pauseRows?: RowBudget<PauseTable>;
  /** How the concurrent-cycle table keeps its rows (default every row). */
  cycleRows?: RowBudget<CycleTable>;
}

/** A new, empty parse result. */
export function emptyParse(format: GcParse["format"]): GcParse {
  return {
    format,
    pauses: [],
    cycles: [],
    stalls: [],
    info: {},
    safepointStoppedMs: null,
    safepoints: 0,
    firstUptime: null,
    lastUptime: null,
    firstTimestamp: null,
    lastTimestamp: null,
    jvmRestarts: 0,
    lines: 0,
    skipped: { count: 0 },
  };
}

/** Record a skipped line (count + keep the first example, cut to 200 characters). */
export function skip(s: Skipped, line: number, text: string, reason: string): void {
  s.count++;
  if (!s.first) s.first = { line, text: text.length > 200 ? text.slice(0, 200) + "…" : text, reason };
}

const UNIT_MB: Record<string, number> = { B: 1 / 1048576, K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

/** "23M" / "95232.0K" / "0.0B" / "1.5G" -> MB; a bare number is bytes... unless `defaultUnit` says otherwise. */
export function toMb(value: string, unit: string | undefined, defaultUnit = "K"): number {
  const f = UNIT_MB[(unit || defaultUnit).toUpperCase()] ?? 1;
  return Math.round(parseFloat(value) * f * 1000) / 1000;
}

/** Bytes -> MB, rounded to 0.001 like {@link toMb}: 1048576 -> 1. */
export function bytesToMb(n: number): number {
  return Math.round((n / 1048576) * 1000) / 1000;
}

/**
 * The stopped-time line (JDK 8 PrintGCApplicationStoppedTime, and the older unified `safepoint`
 * wording), read after its prefix or decorations: group 1 is the stopped time in seconds.
 */
export const STOPPED_TIME = /^Total time for which application threads were stopped: (\d+(?:\.\d+)?) seconds/;

/**
 * `2020-07-20T09:09:26.817+0000` (HotSpot's time decoration) -> ISO-8601 UTC, or null when
 * it does not parse. Also accepts `+00:00`, `Z`, and no zone (taken as UTC).
 */
export function hotspotTime(s: string): string | null {
  // Fast path for the fixed-width form yyyy-mm-ddThh:mm:ss.mmm+hhmm.
  let iso = s;
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:[.,]\d+)?)(Z|[+-]\d\d:?\d\d)?$/.exec(s);
  if (!m) return null;
  const zone = m[3] === undefined ? "Z" : m[3] === "Z" ? "Z" : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
  iso = `${m[1]}T${m[2].replace(",", ".")}${zone}`;
  const t = parseUtc(iso);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** Parenthesised groups at the start of `s`, balanced: "(Normal) (G1 Evacuation Pause)" -> ["Normal", "G1 Evacuation Pause"]. */
export function parenGroups(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (s.charCodeAt(i) === 32) i++;
    if (s.charCodeAt(i) !== 40 /* ( */) break;
    let depth = 0;
    let j = i;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 40) depth++;
      else if (c === 41 && --depth === 0) break;
    }
    if (depth !== 0) break;
    out.push(s.slice(i + 1, j));
    i = j + 1;
  }
  return out;
}

/** "Pause Mark Start" -> "mark-start". */
export function kebab(s: string): string {
  return s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
