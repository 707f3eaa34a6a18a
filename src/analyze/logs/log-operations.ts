/**
 * Flushes and compactions counted as operations, not as log lines.
 *
 * One flush logs up to three lines (Cassandra 2.0–5.0, DSE): `Enqueuing flush of <table>` when it
 * is requested (ColumnFamilyStore), `Writing Memtable-<table>@…` when a writer starts on it and
 * `Completed flushing <sstable>` when the SSTable is on disk (Memtable). One compaction logs two:
 * `Compacting …` at its start and `Compacted … in N ms` at its end (CompactionTask). Counting
 * every line counted each operation two or three times (the issue: 1,096 "flushes" on a DSE 6.7
 * bundle with 426 flushes enqueued and 335 written; 158 "compactions" for 79). The lines stay in
 * the `events` frame as evidence; this file only counts.
 *
 * Rules (per node, after debug.log's repeats of system.log lines were removed):
 * - flushes: the `Enqueuing flush` lines (one per flush requested); a node whose logs carry none
 *   (only system.log of a version that logs the request at DEBUG) counts its `Writing Memtable`
 *   lines, else its `Completed flushing` lines.
 * - flushes_written: the `Writing Memtable` lines (a memtable written; an enqueued flush of a clean
 *   memtable writes nothing; 4.0+ with several data directories writes once per directory), else
 *   the `Completed flushing` lines.
 * - compactions: starts, plus ends whose start is not in the logs (the file began mid-compaction).
 *   An end is matched to its start by the compaction's id (`Compacting (uuid)`, 3.0+) or, when
 *   the line has no id (2.x), by the thread (a CompactionExecutor thread runs one compaction at a
 *   time). compactions_completed: the ends; a start with no end is still running when the log ends,
 *   failed, or (2.1, seen in the 2.1.17 bundle) finished without an end line.
 */
import type { LogEvent } from "../../parse/log-rules";

/** Counts of operations from flush and compaction lines. */
export interface LogOperations {
  flushes: number;
  flushes_written: number;
  compactions: number;
  compactions_completed: number;
}

/** Which flush phase a node's flushes are counted by (the first it logs of this order). */
const FLUSH_REQUEST_ORDER = ["enqueue", "write", "complete"];
const FLUSH_WRITTEN_ORDER = ["write", "complete"];

/**
 * Flush and compaction operations in a set of events (any nodes, any order within a node's time order).
 * @example countOperations((await logEvents({ source: "diag/dse68" })).events).flushes
 */
export function countOperations(events: LogEvent[]): LogOperations {
  const counter = new OperationCounter();
  for (const e of events) counter.add(e);
  return counter.result();
}

/**
 * The same count, one event at a time (logs() counts as it streams, ./log-node.ts); results of
 * different nodes add up, since every rule is per node.
 * @example const c = new OperationCounter(); for (const e of events) c.add(e); c.result().compactions
 */
export class OperationCounter {
  private readonly counts: LogOperations = { flushes: 0, flushes_written: 0, compactions: 0, compactions_completed: 0 };
  private readonly flushPhases = new Map<string, Map<string, number>>();
  // Per node: open compactions by id or thread.
  private readonly open = new Map<string, Map<string, number>>();
  // Per node: ends that found no open start here, by id or thread (what {@link then} pairs with the starts an earlier counter left open).
  private readonly unmatched = new Map<string, Map<string, number>>();

  add(e: LogEvent): void {
    const out = this.counts;
    if (e.kind === "flush" && e.phase) {
      const m = this.flushPhases.get(e.node) ?? this.flushPhases.set(e.node, new Map()).get(e.node)!;
      m.set(e.phase, (m.get(e.phase) ?? 0) + 1);
    } else if (e.kind === "compaction") {
      const o = this.open.get(e.node) ?? this.open.set(e.node, new Map()).get(e.node)!;
      const key = e.operation ? `id:${e.operation}` : `thread:${e.thread ?? ""}`;
      if (e.phase === "start") {
        out.compactions++;
        o.set(key, (o.get(key) ?? 0) + 1);
      } else if (e.phase === "end") {
        out.compactions_completed++;
        const n = o.get(key) ?? 0;
        if (n > 0) {
          if (n === 1) o.delete(key);
          else o.set(key, n - 1);
        } else {
          out.compactions++; // its start is not in the logs
          const u = this.unmatched.get(e.node) ?? this.unmatched.set(e.node, new Map()).get(e.node)!;
          u.set(key, (u.get(key) ?? 0) + 1);
        }
      }
    }
  }

  /**
   * The counts of this counter's events followed by `later`'s, as if one counter had seen them all, these first: an end
   * `later` found unpaired pairs with a start still open here (logs() counts a node's system.log and debug.log apart, read side by side).
   * @example const a = new OperationCounter(); const b = new OperationCounter(); a.add(start); b.add(end); a.followedBy(b).compactions // 1
   */
  followedBy(later: OperationCounter): LogOperations {
    const both = new OperationCounter();
    for (const c of [this, later]) {
      for (const k of Object.keys(both.counts) as (keyof LogOperations)[]) both.counts[k] += c.counts[k];
      for (const [node, phases] of c.flushPhases) {
        const m = both.flushPhases.get(node) ?? both.flushPhases.set(node, new Map()).get(node)!;
        for (const [p, n] of phases) m.set(p, (m.get(p) ?? 0) + n);
      }
    }
    for (const [node, ends] of later.unmatched) {
      const open = this.open.get(node);
      if (open) for (const [key, n] of ends) both.counts.compactions -= Math.min(n, open.get(key) ?? 0);
    }
    return both.result();
  }

  /** How many compactions are open and ends unpaired (keys held), for memory figures. */
  sizes(): { opsOpen: number; opsUnmatched: number } {
    let opsOpen = 0;
    let opsUnmatched = 0;
    for (const m of this.open.values()) opsOpen += m.size;
    for (const m of this.unmatched.values()) opsUnmatched += m.size;
    return { opsOpen, opsUnmatched };
  }

  result(): LogOperations {
    const out = { ...this.counts };
    for (const phases of this.flushPhases.values()) {
      const req = FLUSH_REQUEST_ORDER.find((p) => phases.has(p));
      if (req) out.flushes += phases.get(req)!;
      const wr = FLUSH_WRITTEN_ORDER.find((p) => phases.has(p));
      if (wr) out.flushes_written += phases.get(wr)!;
    }
    return out;
  }
}
