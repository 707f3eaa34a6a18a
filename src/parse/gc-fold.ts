/**
 * Exact figures over every pause of a GC log, summed as the pauses are read, so a table of a large
 * log can keep only a sample of its rows (../parse/gc-pauses.ts RowBudget) and gcStats() still
 * counts, totals and ranks every pause.
 *
 * Why exact and not a sketch: every percentile cassperf shows is a value that was observed
 * (../statistics/nearest-rank.ts). {@link PauseTimes} keeps each distinct duration with its count
 * (a GC log writes durations to a few decimals, so a real log has far fewer distinct values than
 * pauses: the 14-pause JDK 17 excerpt copied a million times has 14), and falls back to one float64
 * per pause (8 bytes) past {@link MAX_DISTINCT} distinct values. Either way the nearest-rank
 * percentile is the one a sorted array of every duration gives.
 */

/** Distinct durations kept as (value, count) before one float64 per pause is cheaper. */
const MAX_DISTINCT = 1 << 16;

/**
 * Every duration of a set of pauses, exactly: as counts per distinct value, or as a column.
 * @example const t = new PauseTimes(); t.add(1.5); t.add(1.5); t.add(9); t.percentile(0.5) // 1.5
 */
export class PauseTimes {
  n = 0;
  max = -Infinity;
  private counts: Map<number, number> | null = new Map();
  private column = new Float64Array(0);
  private used = 0;

  /** Add `times` pauses of duration `v`. */
  add(v: number, times = 1): void {
    this.n += times;
    if (v > this.max) this.max = v;
    if (this.counts) {
      this.counts.set(v, (this.counts.get(v) ?? 0) + times);
      if (this.counts.size > MAX_DISTINCT) this.toColumn();
      return;
    }
    for (let k = 0; k < times; k++) this.push(v);
  }

  /** Add every duration of `other`. */
  merge(other: PauseTimes): void {
    for (const [v, c] of other.entries()) this.add(v, c);
  }

  /** (duration, count) pairs, ascending by duration. */
  entries(): [number, number][] {
    if (this.counts) return [...this.counts].sort((a, b) => a[0] - b[0]);
    const sorted = this.column.slice(0, this.used).sort();
    const out: [number, number][] = [];
    for (let i = 0; i < sorted.length; i++) {
      const last = out[out.length - 1];
      if (last && last[0] === sorted[i]) last[1]++;
      else out.push([sorted[i]!, 1]);
    }
    return out;
  }

  /** The nearest-rank percentile (q = 0.99 for p99): the value at rank ceil(q × n) of the sorted durations; null when empty. */
  percentile(q: number, entries = this.entries()): number | null {
    if (!this.n) return null;
    const rank = Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1));
    let seen = 0;
    for (const [v, c] of entries) {
      seen += c;
      if (seen > rank) return v;
    }
    return null;
  }

  private toColumn(): void {
    const counts = this.counts!;
    this.counts = null;
    for (const [v, c] of counts) for (let k = 0; k < c; k++) this.push(v);
  }

  private push(v: number): void {
    if (this.used === this.column.length) {
      const grown = new Float64Array(Math.max(1024, this.column.length * 2));
      grown.set(this.column);
      this.column = grown;
    }
    this.column[this.used++] = v;
  }
}

/** What {@link PauseFold.add} reads of a pause. */
export interface FoldedPause {
  type: string;
  cause: string | null;
  pause_ms: number;
  within_line: number | null;
  uptime_s: number | null;
  heap_before_mb: number | null;
  heap_after_mb: number | null;
  to_space_exhausted: boolean;
  humongous: boolean;
}

/**
 * The figures gcStats() shows, summed over one GC log's pauses in file order: counts per type and
 * full-GC cause, total pause time (a pause run inside another counted once), every duration
 * ({@link PauseTimes}, per type), to-space/humongous counts, the heap growth between pauses
 * (allocation) and between young pauses (promotion), and what throughput needs.
 */
export class PauseFold {
  n = 0;
  /** Durations per pause type. */
  times = new Map<string, PauseTimes>();
  /** Sum of pause_ms over the pauses not run inside another. */
  total = 0;
  /** Pauses not run inside another, and the end of the last of them (uptime s + pause), for throughput. */
  outer = 0;
  outerEnd = -Infinity;
  fullCount = 0;
  fullCauses: Record<string, number> = {};
  toSpaceCount = 0;
  humongousCount = 0;
  max = -Infinity;
  allocMb = 0;
  promoMb = 0;
  private prevAfter: number | null = null;
  private prevYoungAfter: number | null = null;

  /** Count one pause (the next in file order). */
  add(p: FoldedPause): void {
    this.n++;
    const ms = p.pause_ms;
    let t = this.times.get(p.type);
    if (!t) this.times.set(p.type, (t = new PauseTimes()));
    t.add(ms);
    if (ms > this.max) this.max = ms;
    if (p.within_line === null) {
      this.total += ms;
      this.outer++;
      if (p.uptime_s !== null) this.outerEnd = Math.max(this.outerEnd, p.uptime_s + ms / 1000);
    }
    if (p.type === "full") {
      this.fullCount++;
      const c = p.cause ?? "unknown";
      this.fullCauses[c] = (this.fullCauses[c] ?? 0) + 1;
    }
    if (p.to_space_exhausted) this.toSpaceCount++;
    if (p.humongous) this.humongousCount++;
    // Allocation: heap growth between consecutive pauses; promotion: growth of heap-after between consecutive young pauses.
    const before = p.heap_before_mb;
    const after = p.heap_after_mb;
    if (before !== null && this.prevAfter !== null && before > this.prevAfter) this.allocMb += before - this.prevAfter;
    if (after !== null) this.prevAfter = after;
    if (p.type === "young" && after !== null) {
      if (this.prevYoungAfter !== null && after > this.prevYoungAfter) this.promoMb += after - this.prevYoungAfter;
      this.prevYoungAfter = after;
    } else if (p.type !== "young" && p.type !== "young-concurrent-start") this.prevYoungAfter = null;
  }
}
