/**
 * Pauses kept as columns: what a GC-log parser fed block by block stores, so memory grows by a
 * few dozen bytes per pause instead of a JavaScript object per pause (with its time stamp string
 * and the strings it shares with the line it was read from).
 *
 * Why: a GC log of 3 GB holds about 700,000 pauses; as objects (and again as report rows) they cost
 * hundreds of MB. Here a pause is 11 float64 cells, three interned string ids and a flag byte
 * (~100 bytes), and a row object is made only when asked for ({@link PauseTable.get}).
 *
 * With a {@link RowBudget} (gcStats()) a table holds a bounded number of rows whatever the log's size:
 * rows are counted into exact figures (./gc-fold.ts) as they settle, and past the budget only a sample stays.
 *
 * Strings read from a line are slices of the block the line came from: kept as they are, one name
 * would hold its whole 1 MiB block in memory. {@link intern} keeps one flat copy of each.
 */
import { PauseFold, type FoldedPause } from "./gc-fold";
import type { GcCycle, GcParse, GcPause, ParseOptions } from "./gc-types";

/** Distinct strings kept per table before new ones are copied without being shared (a log with unbounded names). */
const MAX_INTERNED = 4096;

/** A flat copy of `s` (never a slice of a larger string), shared with every equal string interned before. */
export function intern(s: string, pool: Map<string, string> = SHARED): string {
  let v = pool.get(s);
  if (v !== undefined) return v;
  v = flat(s);
  if (pool.size < MAX_INTERNED) pool.set(v, v);
  return v;
}
const SHARED = new Map<string, string>();

/** A copy of `s` that owns its characters (V8 keeps a slice's parent string alive). */
function flat(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, "utf8").toString("utf8");
}

const FLAG_TO_SPACE = 1;
const FLAG_HUMONGOUS = 2;
const FLAG_CMF = 4;

/** Float columns of a pause, in the order of {@link PauseTable.f}; NaN is null. */
const NUM = [
  "uptime_s",
  "pause_ms",
  "real_ms",
  "stopped_ms",
  "heap_before_mb",
  "heap_after_mb",
  "heap_total_mb",
  "gc_id",
  "within_line",
  "line",
  "time",
] as const;
type NumColumn = (typeof NUM)[number];
const COL: Record<NumColumn, number> = Object.fromEntries(NUM.map((n, i) => [n, i])) as Record<NumColumn, number>;

/**
 * How a table keeps the rows of a large log (gcStats(); the text API keeps every row). Each row is
 * settled (counted, judged) once it is {@link SETTLE_LAG} rows old — a parser may still set its
 * stopped or real time until then. Up to `maxRows` counted rows every one stays; past that the table
 * keeps a sample: a fixed-seed reservoir of `maxRows - topN` rows, the `topN` longest, the first and
 * the last, and every row `mustKeep` names; what it shows about every row is summed as rows settle.
 * @example new PauseTable({ maxRows: 50_000, topN: 1_000, mustKeep: (t, i) => t.pauseMs(i) > 200 })
 */
export interface RowBudget<T> {
  /** Rows kept whole; a table that counts more keeps a sample of about this size. */
  maxRows: number;
  /** The longest rows (pause_ms, duration_ms) kept whatever the sample. */
  topN: number;
  /** A row that must stay whole (a rule reads it); called once per counted row, in order. */
  mustKeep?: (t: T, i: number) => boolean;
  /** A row to leave out entirely (outside a time window); called once per row, in order, before it is counted. */
  drop?: (t: T, i: number) => boolean;
}

/** Rows a parser may still change after pushing them (a gc+cpu line is at most 512 pauses late: gc-unified.ts byId). */
export const SETTLE_LAG = 4096;
/** The reservoir's fixed seed: the same log gives the same sample. */
const SAMPLE_SEED = 0x9e3779b9;
const MARK_STICKY = 1;
const MARK_DROPPED = 2;

/** mulberry32: a small seeded PRNG in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What {@link PauseTable} and {@link CycleTable} share: float64 columns (NaN is null), small-integer
 * columns (flags and interned-string ids) moved with them, interned strings (id 0 is null), and the
 * time stamps that do not come back the same from their epoch milliseconds (kept as written).
 * With a {@link RowBudget}, rows are settled and sampled as they come ({@link finish} at the end).
 */
abstract class ColumnTable<Row> {
  length = 0;
  private cap = 0;
  protected f: Float64Array[];
  protected ints: (Uint8Array | Uint16Array)[];
  protected strings: (string | null)[] = [null];
  private ids = new Map<string, number>();
  protected oddStamps = new Map<number, string>();
  /** Index of the row-number column in `f` and of the mark column in `ints`. */
  private readonly seqCol: number;
  private readonly markCol: number;
  /** Rows pushed (the next row number), rows counted (settled and not dropped), physical rows settled. */
  private pushed = 0;
  private counted = 0;
  private settledRows = 0;
  /** Row number of the first row not settled yet. */
  private unsettledSeq = 0;
  private budget?: RowBudget<this>;
  private random = seeded(SAMPLE_SEED);
  private reservoir: number[] = [];
  /** Min-heap of the longest rows: [size, row number]. */
  private top: [number, number][] = [];
  private lastSeq = -1;
  /** True once rows were left out for the sample: the table's rows are a sample of {@link count}. */
  sampled = false;
  private finished = false;

  /** `floats` float64 columns; one small-integer column per entry of `ints`; `what` names the strings in the overflow error. */
  constructor(
    floats: number,
    ints: ("u8" | "u16")[],
    private readonly what: string,
    budget?: RowBudget<unknown>,
  ) {
    this.seqCol = floats;
    this.markCol = ints.length;
    this.f = Array.from({ length: floats + 1 }, () => new Float64Array(0));
    this.ints = [...ints, "u8"].map((k) => (k === "u8" ? new Uint8Array(0) : new Uint16Array(0)));
    this.budget = budget as RowBudget<this> | undefined;
  }

  /** Rows counted: every row, also those not kept when the table keeps a sample (equal to `length` without a budget). */
  get count(): number {
    return this.finished ? this.counted : this.length;
  }

  /** The size that ranks rows for the top-N (pause_ms, duration_ms). */
  protected abstract sizeOf(i: number): number;
  /** Sum row i into the table's exact figures. */
  protected abstract fold(i: number): void;
  /** Forget the exact figures (before {@link refold}). */
  protected abstract resetFold(): void;

  /** The id of an interned string (a flat copy kept once). */
  protected id(s: string | null): number {
    if (s === null) return 0;
    let i = this.ids.get(s);
    if (i === undefined) {
      if (this.strings.length >= 65535) throw new Error(`more than 65,535 distinct ${this.what}`);
      i = this.strings.length;
      const v = flat(s);
      this.strings.push(v);
      this.ids.set(v, i);
    }
    return i;
  }

  /** The index of a new row, the columns grown (doubled) when full; with a budget, old rows settled and sampled first. */
  protected addRow(): number {
    const b = this.budget;
    // Unsettled rows past the lag plus a budget's worth: settle all but the lag, keep the sample's.
    if (b && Number.isFinite(b.maxRows) && this.length - this.settledRows >= SETTLE_LAG + Math.max(b.maxRows, SETTLE_LAG))
      this.compact(this.length - SETTLE_LAG);
    if (this.length === this.cap) {
      const cap = Math.max(1024, this.cap * 2);
      const grown = <A extends Float64Array | Uint8Array | Uint16Array>(a: A): A => {
        const b = new (a.constructor as new (n: number) => A)(cap);
        b.set(a);
        return b;
      };
      this.f = this.f.map(grown);
      this.ints = this.ints.map(grown);
      this.cap = cap;
    }
    const i = this.length++;
    this.f[this.seqCol]![i] = this.pushed++;
    this.ints[this.markCol]![i] = 0;
    return i;
  }

  /** The row number of row index i. */
  protected seqOf(i: number): number {
    return this.f[this.seqCol]![i]!;
  }

  /** The row index of a row number a parser was given by push (rows move when a sample is kept); an error once it is settled. */
  protected rowOf(seq: number): number {
    if (seq >= this.unsettledSeq) return this.settledRows + (seq - this.unsettledSeq);
    throw new Error(`row ${seq} changed after it was counted (more than ${SETTLE_LAG} rows late)`);
  }

  /** Settle rows up to (not including) row index `end`: drop, count, and choose for the sample. */
  private settle(end: number): void {
    const b = this.budget!;
    const mark = this.ints[this.markCol]!;
    const seq = this.f[this.seqCol]!;
    const K = Math.max(0, b.maxRows - b.topN);
    for (let i = this.settledRows; i < end; i++) {
      if (b.drop?.(this, i)) {
        mark[i] = MARK_DROPPED;
        continue;
      }
      const s = seq[i]!;
      const k = this.counted++;
      this.fold(i);
      if (b.mustKeep?.(this, i) || k === 0) mark[i] = MARK_STICKY;
      this.lastSeq = s;
      // Reservoir sampling (Vitter's algorithm R) with a seeded generator.
      if (k < K) this.reservoir.push(s);
      else {
        const j = Math.floor(this.random() * (k + 1));
        if (j < K) this.reservoir[j] = s;
      }
      const size = this.sizeOf(i);
      if (b.topN > 0 && !Number.isNaN(size)) heapOffer(this.top, b.topN, size, s);
    }
    this.settledRows = end;
    this.unsettledSeq = end < this.length ? seq[end]! : this.pushed;
  }

  /**
   * Settle rows before `end`, then keep of the settled rows only the sample's (rows after `end` stay
   * as they are) — or, while no more rows were counted than the budget's maxRows, every counted one.
   */
  private compact(end: number): void {
    this.settle(end);
    const mark = this.ints[this.markCol]!;
    const unsettled = this.length - end;
    if (this.counted <= this.budget!.maxRows && !this.sampled) {
      if (this.length - unsettled !== this.counted) this.retain((i) => i >= end || mark[i] !== MARK_DROPPED);
    } else {
      const keep = new Set<number>(this.reservoir);
      for (const [, s] of this.top) keep.add(s);
      keep.add(this.lastSeq);
      const seq = this.f[this.seqCol]!;
      this.retain((i) => i >= end || (mark[i] !== MARK_DROPPED && (mark[i] === MARK_STICKY || keep.has(seq[i]!))));
      this.sampled = true;
    }
    this.settledRows = this.length - unsettled;
  }

  /**
   * The end of the parse: every row settled; rows outside the window dropped; the rows kept are every
   * counted row when they are no more than the budget's maxRows, else the sample. Without a budget, nothing.
   */
  finish(): this {
    if (!this.budget || this.finished) return this;
    this.compact(this.length);
    this.finished = true;
    return this;
  }

  /** After rows of a finished, unsampled table were removed ({@link retain}): count the rows left again. */
  refold(): void {
    if (this.sampled) throw new Error("a sampled table cannot be counted again");
    this.resetFold();
    for (let i = 0; i < this.length; i++) this.fold(i);
    this.counted = this.length;
  }

  /** Row i's time stamp as epoch milliseconds (NaN when none); one that would not come back the same is kept as written. */
  protected stampToMs(i: number, timestamp: string | null): number {
    if (timestamp === null) return NaN;
    const t = Date.parse(timestamp);
    if (!Number.isFinite(t) || new Date(t).toISOString() !== timestamp) this.oddStamps.set(i, flat(timestamp));
    return t;
  }

  /** Row i's time stamp from its epoch milliseconds `t` (null when NaN). */
  protected stampOf(i: number, t: number): string | null {
    if (Number.isNaN(t)) return null;
    return this.oddStamps.get(i) ?? new Date(t).toISOString();
  }

  /** Row i as an object. */
  abstract get(i: number): Row;

  /** Every row as objects (for small results: previews, the text API). */
  toArray(): Row[] {
    const out: Row[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Keep only the rows whose `keep[i]` is true, in order. */
  retain(keep: (i: number) => boolean): void {
    let w = 0;
    const odd = new Map<number, string>();
    for (let i = 0; i < this.length; i++) {
      if (!keep(i)) continue;
      const o = this.oddStamps.get(i);
      if (o !== undefined) odd.set(w, o);
      if (w !== i) {
        for (const a of this.f) a[w] = a[i]!;
        for (const a of this.ints) a[w] = a[i]!;
      }
      w++;
    }
    this.oddStamps = odd;
    this.length = w;
  }
}

/** Offer (size, seq) to a min-heap of the `n` largest sizes. */
function heapOffer(h: [number, number][], n: number, size: number, seq: number): void {
  if (h.length < n) {
    h.push([size, seq]);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (h[p]![0] <= h[i]![0]) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
    return;
  }
  if (size <= h[0]![0]) return;
  h[0] = [size, seq];
  for (let i = 0; ; ) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < h.length && h[l]![0] < h[m]![0]) m = l;
    if (r < h.length && h[r]![0] < h[m]![0]) m = r;
    if (m === i) break;
    [h[m], h[i]] = [h[i]!, h[m]!];
    i = m;
  }
}

/** Small-integer columns of a pause, in the order of {@link PauseTable}'s `ints`. */
const FLAGS = 0;
const TYPE = 1;
const NAME = 2;
const CAUSE = 3;

/**
 * A growing table of pauses, row i across typed-array columns. Rows can be changed after they are
 * added (a stopped-time or gc+cpu line comes after its pause): {@link setNum}.
 * @example const t = new PauseTable(); t.push(pause); t.get(0).pause_ms
 */
export class PauseTable extends ColumnTable<GcPause> {
  /** Exact figures over every counted pause (filled as rows settle; only with a budget, after {@link finish}). */
  summary = new PauseFold();
  private scratch: FoldedPause = {
    type: "",
    cause: null,
    pause_ms: 0,
    within_line: null,
    uptime_s: null,
    heap_before_mb: null,
    heap_after_mb: null,
    to_space_exhausted: false,
    humongous: false,
  };

  constructor(budget?: RowBudget<PauseTable>) {
    // Float columns: see NUM. Small integers: flags, type, name and cause ids.
    super(NUM.length, ["u8", "u16", "u16", "u16"], "pause type/name/cause strings", budget as RowBudget<unknown>);
  }

  protected sizeOf(i: number): number {
    return this.f[1]![i]!;
  }
  protected fold(i: number): void {
    const p = this.scratch;
    p.type = this.typeOf(i);
    p.cause = this.causeOf(i);
    p.pause_ms = this.f[1]![i]!;
    p.within_line = this.num(i, "within_line");
    p.uptime_s = this.num(i, "uptime_s");
    p.heap_before_mb = this.num(i, "heap_before_mb");
    p.heap_after_mb = this.num(i, "heap_after_mb");
    p.to_space_exhausted = this.toSpaceExhausted(i);
    p.humongous = this.humongous(i);
    this.summary.add(p);
  }
  protected resetFold(): void {
    this.summary = new PauseFold();
  }

  /** Add a pause; returns its row number (what {@link setNum} and {@link numAt} take). */
  push(p: GcPause): number {
    const i = this.addRow();
    const f = this.f;
    const nn = (v: number | null) => (v === null ? NaN : v);
    f[0]![i] = nn(p.uptime_s);
    f[1]![i] = p.pause_ms;
    f[2]![i] = nn(p.real_ms);
    f[3]![i] = nn(p.stopped_ms);
    f[4]![i] = nn(p.heap_before_mb);
    f[5]![i] = nn(p.heap_after_mb);
    f[6]![i] = nn(p.heap_total_mb);
    f[7]![i] = nn(p.gc_id);
    f[8]![i] = nn(p.within_line);
    f[9]![i] = p.line;
    f[10]![i] = this.stampToMs(i, p.timestamp);
    const ints = this.ints;
    ints[FLAGS]![i] = (p.to_space_exhausted ? FLAG_TO_SPACE : 0) | (p.humongous ? FLAG_HUMONGOUS : 0) | (p.concurrent_mode_failure ? FLAG_CMF : 0);
    ints[TYPE]![i] = this.id(p.type);
    ints[NAME]![i] = this.id(p.name);
    ints[CAUSE]![i] = this.id(p.cause);
    return this.seqOf(i);
  }

  /** A number of row i (null when not known). */
  num(i: number, column: NumColumn): number | null {
    const v = this.f[COL[column]]![i]!;
    return Number.isNaN(v) ? null : v;
  }
  /** Set a number of the row {@link push} numbered `seq` (null clears it): for parsers, while the row is not settled. */
  setNum(seq: number, column: NumColumn, v: number | null): void {
    this.f[COL[column]]![this.rowOf(seq)] = v === null ? NaN : v;
  }
  /** A number of the row {@link push} numbered `seq` (for parsers). */
  numAt(seq: number, column: NumColumn): number | null {
    return this.num(this.rowOf(seq), column);
  }
  pauseMs(i: number): number {
    return this.f[1]![i]!;
  }
  nameOf(i: number): string {
    return this.strings[this.ints[NAME]![i]!] as string;
  }
  typeOf(i: number): string {
    return this.strings[this.ints[TYPE]![i]!] as string;
  }
  causeOf(i: number): string | null {
    return this.strings[this.ints[CAUSE]![i]!] ?? null;
  }
  timestampOf(i: number): string | null {
    return this.stampOf(i, this.f[10]![i]!);
  }
  toSpaceExhausted(i: number): boolean {
    return (this.ints[FLAGS]![i]! & FLAG_TO_SPACE) !== 0;
  }
  humongous(i: number): boolean {
    return (this.ints[FLAGS]![i]! & FLAG_HUMONGOUS) !== 0;
  }
  concurrentModeFailure(i: number): boolean {
    return (this.ints[FLAGS]![i]! & FLAG_CMF) !== 0;
  }

  /** Row i as a pause object. */
  get(i: number): GcPause {
    return {
      timestamp: this.timestampOf(i),
      uptime_s: this.num(i, "uptime_s"),
      type: this.typeOf(i),
      name: this.nameOf(i),
      cause: this.causeOf(i),
      pause_ms: this.f[1]![i]!,
      real_ms: this.num(i, "real_ms"),
      stopped_ms: this.num(i, "stopped_ms"),
      heap_before_mb: this.num(i, "heap_before_mb"),
      heap_after_mb: this.num(i, "heap_after_mb"),
      heap_total_mb: this.num(i, "heap_total_mb"),
      to_space_exhausted: this.toSpaceExhausted(i),
      humongous: this.humongous(i),
      concurrent_mode_failure: this.concurrentModeFailure(i),
      gc_id: this.num(i, "gc_id"),
      within_line: this.num(i, "within_line"),
      line: this.f[9]![i]!,
    };
  }
}

/** A parse whose pauses and cycles are tables ({@link PauseTable}, {@link CycleTable}): what the block-by-block parsers return. */
export type GcParseColumns = Omit<GcParse, "pauses" | "cycles"> & { pauses: PauseTable; cycles: CycleTable };

/** The same parse with its pauses and cycles as objects (the text API's result). */
export function withPauseObjects(r: GcParseColumns): GcParse {
  return { ...r, pauses: r.pauses.toArray(), cycles: r.cycles.toArray() };
}

/** An empty parse with tables for pauses and cycles. */
export function emptyColumns(r: GcParse, opts: ParseOptions = {}): GcParseColumns {
  return Object.assign(r as unknown as GcParseColumns, { pauses: new PauseTable(opts.pauseRows), cycles: new CycleTable(opts.cycleRows) });
}

/**
 * A GC-log parser fed block by block: each block is whole lines (as {@link readLineBlocks} gives
 * them), numbered on from the previous block; an event open at a block's end stays open.
 * @example const p = unifiedGcParser(); for (const b of blocks) p.push(b); const r = p.end();
 */
export interface GcBlockParser {
  push(block: string): void;
  end(): GcParseColumns;
}

/**
 * Concurrent cycles kept as columns, like {@link PauseTable}: a G1 log states about two concurrent
 * phases per pause, so as objects they would outweigh the pauses.
 * @example const t = new CycleTable(); t.push(cycle); t.get(0).duration_ms
 */
export class CycleTable extends ColumnTable<GcCycle> {
  constructor(budget?: RowBudget<CycleTable>) {
    // Float columns: uptime_s, duration_ms, heap_before_mb, heap_after_mb, gc_id, line, time (epoch ms).
    // Small integers: aborted, name and cause ids.
    super(7, ["u8", "u16", "u16"], "concurrent cycle names", budget as RowBudget<unknown>);
  }

  protected sizeOf(i: number): number {
    return this.f[1]![i]!;
  }
  protected fold(): void {}
  protected resetFold(): void {}

  /** Names seen, in first-seen order (what the dialect's collector is, e.g. generational ZGC's Major/Minor). */
  get names(): string[] {
    return this.strings.slice(1) as string[];
  }

  push(c: GcCycle): number {
    const i = this.addRow();
    const nn = (v: number | null) => (v === null ? NaN : v);
    const f = this.f;
    f[0]![i] = nn(c.uptime_s);
    f[1]![i] = nn(c.duration_ms);
    f[2]![i] = nn(c.heap_before_mb);
    f[3]![i] = nn(c.heap_after_mb);
    f[4]![i] = nn(c.gc_id);
    f[5]![i] = c.line;
    f[6]![i] = this.stampToMs(i, c.timestamp);
    this.ints[0]![i] = c.aborted ? 1 : 0;
    this.ints[1]![i] = this.id(c.name);
    this.ints[2]![i] = this.id(c.cause);
    return this.seqOf(i);
  }

  get(i: number): GcCycle {
    const f = this.f;
    const n = (k: number) => {
      const v = f[k]![i]!;
      return Number.isNaN(v) ? null : v;
    };
    return {
      timestamp: this.stampOf(i, f[6]![i]!),
      uptime_s: n(0),
      name: this.strings[this.ints[1]![i]!] as string,
      cause: this.strings[this.ints[2]![i]!] ?? null,
      duration_ms: n(1),
      heap_before_mb: n(2),
      heap_after_mb: n(3),
      aborted: this.ints[0]![i] === 1,
      gc_id: n(4),
      line: f[5]![i]!,
    };
  }
}
