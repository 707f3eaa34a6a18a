/**
 * `nodetool gcstats` output — pure text -> one row of numbers.
 *
 * ```
 *        Interval (ms) Max GC Elapsed (ms)Total GC Elapsed (ms)Stdev GC Elapsed (ms)   GC Reclaimed (MB)         Collections      Direct Memory Bytes
 *              3600123                 436                1297                  88                 123                  14                       -1
 * ```
 * The header's column names run together, so values are read by position from the first line of
 * numbers after the header; noise before the header (JVM warnings nodetool prints) is ignored.
 */
import { bytesToMb } from "./gc-types";
import { num, parseLines, type LineParser } from "./nodetool-common";

/** One node's gcstats: the counters since the previous call (the interval). */
export interface NodetoolGcStats {
  interval_ms: number;
  max_gc_elapsed_ms: number;
  total_gc_elapsed_ms: number;
  stdev_gc_elapsed_ms: number;
  gc_reclaimed_mb: number;
  collections: number;
  /** -1 when the JVM does not report it. */
  direct_memory_bytes: number | null;
}

/** The table's columns, in nodetool's order (gcStats' `gcstats` frame puts node first and file last around them). */
export const GCSTATS_FIELDS: (keyof NodetoolGcStats)[] = [
  "interval_ms",
  "max_gc_elapsed_ms",
  "total_gc_elapsed_ms",
  "stdev_gc_elapsed_ms",
  "gc_reclaimed_mb",
  "collections",
  "direct_memory_bytes",
];

/**
 * Parse `nodetool gcstats`; null when the text has no gcstats table.
 * @example parseNodetoolGcstats(text)?.max_gc_elapsed_ms
 */
export function parseNodetoolGcstats(text: string): NodetoolGcStats | null {
  if (!text) return null;
  return parseLines(new NodetoolGcstatsLines(), text);
}

/**
 * {@link parseNodetoolGcstats} fed line by line (Source.readLineBlocks through streamedNodetool): the
 * state is whether the header was seen (and in which unit it prints reclaimed memory) and the row
 * once found; the lines after it are not looked at.
 * @example const p = new NodetoolGcstatsLines(); for (const [i, l] of text.split("\n").entries()) p.feed(l, i + 1); p.end()
 */
export class NodetoolGcstatsLines implements LineParser<NodetoolGcStats | null> {
  private header = false;
  /** Cassandra 5.0 reports reclaimed bytes and three direct-memory columns (allocated, max, reserved). */
  private bytes = false;
  private row: NodetoolGcStats | null = null;

  feed(l: string): void {
    if (this.row) return;
    if (!this.header) {
      if (l.includes("Interval (ms)") && l.includes("GC Elapsed")) {
        this.header = true;
        this.bytes = l.includes("GC Reclaimed (bytes)");
      }
      return;
    }
    const cells = l.trim().split(/\s+/).filter(Boolean);
    if (cells.length < 6 || !cells.every((c) => /^-?\d+(\.\d+)?$|^NaN$/.test(c))) return;
    const row = {} as Record<string, number | null>;
    GCSTATS_FIELDS.forEach((c, i) => (row[c] = num(cells[i])));
    if (this.bytes && row.gc_reclaimed_mb !== null) row.gc_reclaimed_mb = bytesToMb(row.gc_reclaimed_mb!);
    if (row.direct_memory_bytes !== null && row.direct_memory_bytes! < 0) row.direct_memory_bytes = null;
    this.row = row as unknown as NodetoolGcStats;
  }

  end(): NodetoolGcStats | null {
    return this.row;
  }
}
