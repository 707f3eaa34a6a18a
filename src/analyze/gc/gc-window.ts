/**
 * gcStats' time window (`from` / `to`): keep the pauses, cycles and stalls whose time stamp falls
 * inside it, compared as UTC instants (../../parse/utc-time.ts: a time without a zone is UTC; a GC
 * log's "+0000" or "-0500" stamp is read with its offset). What cannot be placed in the window (an
 * uptime-only line) or narrowed (a whole-file sum) is left out and said, never guessed.
 */
import { CassperfError } from "../../errors";
import type { CycleTable, GcParseColumns, PauseTable } from "../../parse/gc-pauses";
import type { GcParse } from "../../parse/gc-types";
import { parseUtc } from "../../parse/utc-time";
import { plural } from "../../present/plural";

/** A window as epoch ms (either end open), with the ends as the user wrote them. */
export interface GcWindow {
  fromMs: number;
  toMs: number;
  label: string;
}

/** The window `from`/`to` give, or null when neither is; a time that does not read or an empty window is a CassperfError. */
export function gcWindow(opts: { from?: string | Date; to?: string | Date }): GcWindow | null {
  if (opts.from === undefined && opts.to === undefined) return null;
  const read = (k: "from" | "to", v: string | Date | undefined, open: number) => {
    if (v === undefined) return open;
    const t = parseUtc(v);
    if (Number.isNaN(t)) throw new CassperfError(`gcStats: ${k} ${JSON.stringify(v)} is not an ISO-8601 time (e.g. 2020-07-21T06:00:00Z; no zone means UTC).`);
    return t;
  };
  const fromMs = read("from", opts.from, -Infinity);
  const toMs = read("to", opts.to, Infinity);
  if (toMs <= fromMs) throw new CassperfError(`gcStats: the window is empty: to ${String(opts.to)} is not after from ${String(opts.from)}.`);
  const end = (v: string | Date | undefined, open: string) => (v === undefined ? open : v instanceof Date ? v.toISOString() : v);
  return { fromMs, toMs, label: `${end(opts.from, "the start")} – ${end(opts.to, "the end")}` };
}

const inside = (w: GcWindow, stamp: string | null) => {
  if (stamp === null) return false;
  const t = parseUtc(stamp);
  return t >= w.fromMs && t < w.toMs;
};

/**
 * What a GC log's tables leave out for the window as they count their rows (RowBudget.drop of
 * ../../parse/gc-pauses.ts), and what {@link narrowGcParse} needs of the rows left out: the JVM's start
 * (from the first pause with both a date stamp and an uptime), the pauses without a date stamp, and
 * the first and last pause kept.
 */
export interface WindowFilter {
  dropPause: (t: PauseTable, i: number) => boolean;
  dropCycle: (t: CycleTable, i: number) => boolean;
  startMs: number;
  unplaced: number;
  first: { ts: string; up: number | null } | null;
  last: { ts: string; up: number | null } | null;
}

/** A fresh {@link WindowFilter} for one GC log. */
export function windowFilter(w: GcWindow): WindowFilter {
  const f: WindowFilter = {
    startMs: NaN,
    unplaced: 0,
    first: null,
    last: null,
    dropPause: (p, i) => {
      const ts = p.timestampOf(i);
      const up = p.num(i, "uptime_s");
      // Uptime at a time stamp, from any pause that has both (one JVM run: the offset is the JVM's start).
      if (Number.isNaN(f.startMs) && ts !== null && up !== null) f.startMs = parseUtc(ts) - up * 1000;
      if (ts === null) f.unplaced++;
      if (!inside(w, ts)) return true;
      f.first ??= { ts: ts!, up };
      f.last = { ts: ts!, up };
      return false;
    },
    dropCycle: (c, i) => !inside(w, c.get(i).timestamp),
  };
  return f;
}

/**
 * Narrow one GC log's parse to the window, in place: pauses, cycles and stalls outside it went as
 * they were counted ({@link windowFilter}); its time span (first/last stamp and uptime) is clipped to
 * the window so throughput is over the window; the safepoint total (a whole-file sum) is not shown.
 * Each loss is a note naming the file.
 */
export function narrowGcParse(parse: GcParseColumns, w: GcWindow, f: WindowFilter, rel: string, notes: string[]): void {
  const startMs = f.startMs;
  parse.stalls = parse.stalls.filter((s) => inside(w, s.timestamp));
  if (f.unplaced) notes.push(`${rel}: ${plural(f.unplaced, "pause")} without a date stamp (uptime only) cannot be placed in the window ${w.label}; left out.`);
  // The span the window covers inside this file, for throughput: the window's ends clipped to the file's own.
  if (!Number.isNaN(startMs) && parse.firstUptime !== null && parse.lastUptime !== null && !parse.jvmRestarts) {
    parse.firstUptime = Math.max(parse.firstUptime, (w.fromMs - startMs) / 1000);
    parse.lastUptime = Math.min(parse.lastUptime, (w.toMs - startMs) / 1000);
    if (parse.lastUptime <= parse.firstUptime) parse.firstUptime = parse.lastUptime = null;
  } else {
    parse.firstUptime = parse.lastUptime = null;
  }
  parse.firstTimestamp = f.first ? f.first.ts : null;
  parse.lastTimestamp = f.last ? f.last.ts : null;
  if (parse.safepointStoppedMs !== null) {
    notes.push(`${rel}: the safepoint stopped time is a sum over the whole file; not shown for the window ${w.label}.`);
    parse.safepointStoppedMs = null;
  }
}

/** Narrow a system.log's GCInspector parse to the window, in place (a line without a time cannot be placed: left out, said). */
export function narrowInspectorParse(parse: GcParse, w: GcWindow, rel: string, notes: string[]): void {
  const unplaced = parse.pauses.filter((x) => x.timestamp === null).length;
  parse.pauses = parse.pauses.filter((x) => inside(w, x.timestamp));
  parse.firstTimestamp = parse.pauses[0]?.timestamp ?? null;
  parse.lastTimestamp = parse.pauses.at(-1)?.timestamp ?? null;
  if (unplaced) notes.push(`${rel}: ${plural(unplaced, "GCInspector line")} without a time cannot be placed in the window ${w.label}; left out.`);
}

/** The note for nodetool gcstats under a window: a snapshot, with no time range to narrow. */
export function gcstatsSnapshotNote(files: string[], w: GcWindow): string {
  return `nodetool gcstats (${files.join(", ")}) not narrowed to the window ${w.label}: nodetool output has no time range (a snapshot taken when the bundle was collected).`;
}
