/**
 * Pauses kept as columns: what a GC-log parser fed block by block stores, so memory grows by a
 * few dozen bytes per pause instead of a JavaScript object per pause (with its time stamp string
 * and the strings it shares with the line it was read from).
 *
 * Why: a GC log of 3 GB holds about 700,000 pauses; as objects (and again as report rows) they cost
 * hundreds of MB. Here a pause is 11 float64 cells, three interned string ids and a flag byte
 * (~100 bytes), and a row object is made only when asked for ({@link PauseTable.get}).
 *
 * Strings read from a line are slices of the block the line came from: kept as they are, one name
 * would hold its whole 1 MiB block in memory. {@link intern} keeps one flat copy of each.
 */
import type { GcCycle, GcParse, GcPause } from "./gc-types";

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
 * What {@link PauseTable} and {@link CycleTable} share: float64 columns (NaN is null), small-integer
 * columns (flags and interned-string ids) moved with them, interned strings (id 0 is null), and the
 * time stamps that do not come back the same from their epoch milliseconds (kept as written).
 */
abstract class ColumnTable<Row> {
  length = 0;
  private cap = 0;
  protected f: Float64Array[];
  protected ints: (Uint8Array | Uint16Array)[];
  protected strings: (string | null)[] = [null];
  private ids = new Map<string, number>();
  protected oddStamps = new Map<number, string>();

  /** `floats` float64 columns; one small-integer column per entry of `ints`; `what` names the strings in the overflow error. */
  constructor(
    floats: number,
    ints: ("u8" | "u16")[],
    private readonly what: string,
  ) {
    this.f = Array.from({ length: floats }, () => new Float64Array(0));
    this.ints = ints.map((k) => (k === "u8" ? new Uint8Array(0) : new Uint16Array(0)));
  }

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

  /** The index of a new row, the columns grown (doubled) when full. */
  protected addRow(): number {
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
    return this.length++;
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
  constructor() {
    // Float columns: see NUM. Small integers: flags, type, name and cause ids.
    super(NUM.length, ["u8", "u16", "u16", "u16"], "pause type/name/cause strings");
  }

  /** Add a pause; returns its row index. */
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
    return i;
  }

  /** A number of row i (null when not known). */
  num(i: number, column: NumColumn): number | null {
    const v = this.f[COL[column]]![i]!;
    return Number.isNaN(v) ? null : v;
  }
  /** Set a number of row i (null clears it). */
  setNum(i: number, column: NumColumn, v: number | null): void {
    this.f[COL[column]]![i] = v === null ? NaN : v;
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
export function emptyColumns(r: GcParse): GcParseColumns {
  return Object.assign(r as unknown as GcParseColumns, { pauses: new PauseTable(), cycles: new CycleTable() });
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
  constructor() {
    // Float columns: uptime_s, duration_ms, heap_before_mb, heap_after_mb, gc_id, line, time (epoch ms).
    // Small integers: aborted, name and cause ids.
    super(7, ["u8", "u16", "u16"], "concurrent cycle names");
  }

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
    return i;
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
