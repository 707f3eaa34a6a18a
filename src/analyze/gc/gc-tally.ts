/**
 * What gcStats()' pause rules (./gc-rules.ts GC_RULES) read of a node's pauses: per rule, how many
 * pauses meet it and the one pause its evidence names (the worst, the longest or the first), summed
 * pause by pause in file order. A GC log of any size then hands the rules a handful of rows, never one
 * row per pause over a threshold (a node with a bad week of GC can log hundreds of thousands).
 *
 * The pause a finding names is the first of the largest, as a scan of every row in order picks it
 * (a later pause replaces it only when strictly larger); tallies of files merged in file order keep that.
 */
import { GC_THRESHOLDS as T } from "./gc-rules";
import type { PauseRow } from "./gc-rows";

/** A count and the pause a finding names, with the value it was picked by. */
export interface Pick {
  n: number;
  row: PauseRow | null;
  key: number;
}

const pick = (): Pick => ({ n: 0, row: null, key: -Infinity });

/** What a rule looks at in a pause (a row, or a table row read without making one). */
export interface TalliedPause {
  origin: PauseRow["origin"];
  beyond_gc_log: boolean;
  type: string;
  cause: string | null;
  pause_ms: number;
  real_ms: number | null;
  stopped_ms: number | null;
  within_line: number | null;
  to_space_exhausted: boolean;
  humongous: boolean;
  concurrent_mode_failure: boolean;
}

const stoppedOf = (p: TalliedPause) => Math.max(p.stopped_ms ?? 0, p.real_ms ?? 0);

/** The counts and named pauses of GC_RULES over a node's pauses. */
export class PauseTally {
  /** Counted pauses over PAUSE_CRITICAL_MS (pause or stopped time); the worst. */
  critical = pick();
  /** Counted pauses over PAUSE_WARN_MS up to PAUSE_CRITICAL_MS; the worst. */
  warning = pick();
  /** GC-log pauses (not run inside another) stopped STOPPED_EXTRA_MS and STOPPED_RATIO× beyond the pause; the worst gap. */
  stopped = pick();
  /** Counted full GCs; the longest; their causes in first-seen order. */
  full = pick();
  fullCauses: Record<string, number> = {};
  /** Counted pauses with to-space exhausted / humongous regions; the first. */
  toSpace = pick();
  humongous = pick();
  /** Counted CMS concurrent mode / promotion failures; the longest. */
  cmf = pick();

  /**
   * Count one pause (the next in order); `row` makes its row when it becomes the one a finding names.
   * Returns true when it did (a table keeps that row whole).
   */
  add(p: TalliedPause, row: () => PauseRow): boolean {
    let named = false;
    let made: PauseRow | null = null;
    const take = (k: Pick, key: number, first = false) => {
      k.n++;
      if (first ? k.row === null : key > k.key) {
        k.key = key;
        k.row = made ??= row();
        named = true;
      }
    };
    if (p.origin === "gc-log" && p.within_line === null) {
      const s = stoppedOf(p);
      if (s - p.pause_ms >= T.STOPPED_EXTRA_MS.value && s >= T.STOPPED_RATIO.value * p.pause_ms) take(this.stopped, s - p.pause_ms);
    }
    if (!(p.origin === "gc-log" || p.beyond_gc_log)) return named;
    const v = Math.max(p.pause_ms, p.stopped_ms ?? 0);
    if (v > T.PAUSE_CRITICAL_MS.value) take(this.critical, v);
    else if (v > T.PAUSE_WARN_MS.value) take(this.warning, v);
    if (p.type === "full") {
      take(this.full, p.pause_ms);
      const c = p.cause ?? "unknown";
      this.fullCauses[c] = (this.fullCauses[c] ?? 0) + 1;
    }
    if (p.to_space_exhausted) take(this.toSpace, 0, true);
    if (p.humongous) take(this.humongous, 0, true);
    if (p.concurrent_mode_failure) take(this.cmf, p.pause_ms);
    return named;
  }

  /** Add a row (a GCInspector pause, or a GC-log row of a file not tallied as it was read). */
  addRow(p: PauseRow): void {
    this.add(p, () => p);
  }

  /** Add the tally of the pauses that come after these (the next file of the node). */
  merge(o: PauseTally): void {
    const m = (a: Pick, b: Pick, first = false) => {
      a.n += b.n;
      if (b.row && (first ? a.row === null : b.key > a.key)) {
        a.row = b.row;
        a.key = b.key;
      }
    };
    m(this.critical, o.critical);
    m(this.warning, o.warning);
    m(this.stopped, o.stopped);
    m(this.full, o.full);
    m(this.cmf, o.cmf);
    m(this.toSpace, o.toSpace, true);
    m(this.humongous, o.humongous, true);
    for (const [c, n] of Object.entries(o.fullCauses)) this.fullCauses[c] = (this.fullCauses[c] ?? 0) + n;
  }
}
