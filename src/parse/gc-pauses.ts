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
 * A growing table of pauses, row i across typed-array columns. Rows can be changed after they are
 * added (a stopped-time or gc+cpu line comes after its pause): {@link setNum}.
 * @example const t = new PauseTable(); t.push(pause); t.get(0).pause_ms
 */
export class PauseTable {
  length = 0;
  private cap = 0;
  /** Float columns (see NUM): uptime_s, pause_ms, real_ms, stopped_ms, heap before/after/total, gc_id, within_line, line, time (epoch ms). */
  private f: Float64Array[] = NUM.map(() => new Float64Array(0));
  private flags = new Uint8Array(0);
  private type = new Uint16Array(0);
  private nameId = new Uint16Array(0);
  private causeId = new Uint16Array(0);
  /** Interned strings; id 0 is null. */
  private strings: (string | null)[] = [null];
  private ids = new Map<string, number>();
  /** Time stamps that do not come back the same from their epoch milliseconds (kept as written). */
  private oddStamps = new Map<number, string>();

  private id(s: string | null): number {
    if (s === null) return 0;
    let i = this.ids.get(s);
    if (i === undefined) {
      if (this.strings.length >= 65535) throw new Error("more than 65,535 distinct pause type/name/cause strings");
      i = this.strings.length;
      const v = flat(s);
      this.strings.push(v);
      this.ids.set(v, i);
    }
    return i;
  }

  private grow(): void {
    const cap = Math.max(1024, this.cap * 2);
    this.f = this.f.map((a) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    });
    const u8 = new Uint8Array(cap);
    u8.set(this.flags);
    this.flags = u8;
    const u16 = (a: Uint16Array) => {
      const b = new Uint16Array(cap);
      b.set(a);
      return b;
    };
    this.type = u16(this.type);
    this.nameId = u16(this.nameId);
    this.causeId = u16(this.causeId);
    this.cap = cap;
  }

  /** Add a pause; returns its row index. */
  push(p: GcPause): number {
    if (this.length === this.cap) this.grow();
    const i = this.length++;
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
    let t = NaN;
    if (p.timestamp !== null) {
      t = Date.parse(p.timestamp);
      if (!Number.isFinite(t) || new Date(t).toISOString() !== p.timestamp) this.oddStamps.set(i, flat(p.timestamp));
    }
    f[10]![i] = t;
    this.flags[i] = (p.to_space_exhausted ? FLAG_TO_SPACE : 0) | (p.humongous ? FLAG_HUMONGOUS : 0) | (p.concurrent_mode_failure ? FLAG_CMF : 0);
    this.type[i] = this.id(p.type);
    this.nameId[i] = this.id(p.name);
    this.causeId[i] = this.id(p.cause);
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
    return this.strings[this.nameId[i]!] as string;
  }
  typeOf(i: number): string {
    return this.strings[this.type[i]!] as string;
  }
  causeOf(i: number): string | null {
    return this.strings[this.causeId[i]!] ?? null;
  }
  timestampOf(i: number): string | null {
    const t = this.f[10]![i]!;
    if (Number.isNaN(t)) return null;
    return this.oddStamps.get(i) ?? new Date(t).toISOString();
  }
  toSpaceExhausted(i: number): boolean {
    return (this.flags[i]! & FLAG_TO_SPACE) !== 0;
  }
  humongous(i: number): boolean {
    return (this.flags[i]! & FLAG_HUMONGOUS) !== 0;
  }
  concurrentModeFailure(i: number): boolean {
    return (this.flags[i]! & FLAG_CMF) !== 0;
  }

  /** Row i as a pause object. */
  get(i: number): GcPause {
    return {
      timestamp: this.timestampOf(i),
      uptime_s: this.num(i, "uptime_s"),
      type: this.typeOf(i),
      name: this.strings[this.nameId[i]!] as string,
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

  /** Every row as pause objects (for small results: previews, the text API). */
  toArray(): GcPause[] {
    const out: GcPause[] = new Array(this.length);
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
        this.flags[w] = this.flags[i]!;
        this.type[w] = this.type[i]!;
        this.nameId[w] = this.nameId[i]!;
        this.causeId[w] = this.causeId[i]!;
      }
      w++;
    }
    this.oddStamps = odd;
    this.length = w;
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
export class CycleTable {
  length = 0;
  private cap = 0;
  /** uptime_s, duration_ms, heap_before_mb, heap_after_mb, gc_id, line, time (epoch ms); NaN is null. */
  private f: Float64Array[] = [0, 1, 2, 3, 4, 5, 6].map(() => new Float64Array(0));
  private aborted = new Uint8Array(0);
  private nameId = new Uint16Array(0);
  private causeId = new Uint16Array(0);
  private strings: (string | null)[] = [null];
  private ids = new Map<string, number>();
  private oddStamps = new Map<number, string>();
  /** Names seen, in first-seen order (what the dialect's collector is, e.g. generational ZGC's Major/Minor). */
  get names(): string[] {
    return this.strings.slice(1) as string[];
  }

  private id(s: string | null): number {
    if (s === null) return 0;
    let i = this.ids.get(s);
    if (i === undefined) {
      if (this.strings.length >= 65535) throw new Error("more than 65,535 distinct concurrent cycle names");
      i = this.strings.length;
      const v = flat(s);
      this.strings.push(v);
      this.ids.set(v, i);
    }
    return i;
  }

  push(c: GcCycle): number {
    if (this.length === this.cap) {
      const cap = Math.max(1024, this.cap * 2);
      this.f = this.f.map((a) => {
        const b = new Float64Array(cap);
        b.set(a);
        return b;
      });
      const grow = <A extends Uint8Array | Uint16Array>(a: A, make: (n: number) => A) => {
        const b = make(cap);
        b.set(a);
        return b;
      };
      this.aborted = grow(this.aborted, (n) => new Uint8Array(n));
      this.nameId = grow(this.nameId, (n) => new Uint16Array(n));
      this.causeId = grow(this.causeId, (n) => new Uint16Array(n));
      this.cap = cap;
    }
    const i = this.length++;
    const nn = (v: number | null) => (v === null ? NaN : v);
    const f = this.f;
    f[0]![i] = nn(c.uptime_s);
    f[1]![i] = nn(c.duration_ms);
    f[2]![i] = nn(c.heap_before_mb);
    f[3]![i] = nn(c.heap_after_mb);
    f[4]![i] = nn(c.gc_id);
    f[5]![i] = c.line;
    let t = NaN;
    if (c.timestamp !== null) {
      t = Date.parse(c.timestamp);
      if (!Number.isFinite(t) || new Date(t).toISOString() !== c.timestamp) this.oddStamps.set(i, flat(c.timestamp));
    }
    f[6]![i] = t;
    this.aborted[i] = c.aborted ? 1 : 0;
    this.nameId[i] = this.id(c.name);
    this.causeId[i] = this.id(c.cause);
    return i;
  }

  get(i: number): GcCycle {
    const f = this.f;
    const n = (k: number) => {
      const v = f[k]![i]!;
      return Number.isNaN(v) ? null : v;
    };
    const t = f[6]![i]!;
    return {
      timestamp: Number.isNaN(t) ? null : (this.oddStamps.get(i) ?? new Date(t).toISOString()),
      uptime_s: n(0),
      name: this.strings[this.nameId[i]!] as string,
      cause: this.strings[this.causeId[i]!] ?? null,
      duration_ms: n(1),
      heap_before_mb: n(2),
      heap_after_mb: n(3),
      aborted: this.aborted[i] === 1,
      gc_id: n(4),
      line: f[5]![i]!,
    };
  }

  toArray(): GcCycle[] {
    const out: GcCycle[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  /** Keep only the rows `keep` says, in order. */
  retain(keep: (i: number) => boolean): void {
    let w = 0;
    const odd = new Map<number, string>();
    for (let i = 0; i < this.length; i++) {
      if (!keep(i)) continue;
      const o = this.oddStamps.get(i);
      if (o !== undefined) odd.set(w, o);
      if (w !== i) {
        for (const a of this.f) a[w] = a[i]!;
        this.aborted[w] = this.aborted[i]!;
        this.nameId[w] = this.nameId[i]!;
        this.causeId[w] = this.causeId[i]!;
      }
      w++;
    }
    this.oddStamps = odd;
    this.length = w;
  }
}
