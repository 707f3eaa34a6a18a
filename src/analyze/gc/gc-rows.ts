/**
 * The row shapes of gcStats()' frames (pauses, cycles, stalls) and which pauses count in its
 * figures: shared by the analyzer (./gc-stats.ts), its rules (./gc-rules.ts) and its charts
 * (../../present/charts/gc.ts), so none of them imports another for a type.
 */
import type { GcCycle, GcPause, GcStall } from "../../parse/gc-types";

/** Where a pause row came from. */
export type PauseOrigin = "gc-log" | "gcinspector";

/** A pause row of the `pauses` frame. */
export interface PauseRow extends GcPause {
  node: string;
  origin: PauseOrigin;
  /** The file's path relative to the source. */
  file: string;
  /**
   * A GCInspector pause outside the time window the node's GC log covers (or on a node without a
   * GC log): no GC log line states it, so it counts in the KPIs and findings. GCInspector pauses
   * inside the window are the GC log's own pauses seen again and are not counted twice.
   */
  beyond_gc_log: boolean;
}

/** A row of the `cycles` frame. */
export interface CycleRow extends GcCycle {
  node: string;
  file: string;
}

/** A row of the `stalls` frame (ZGC/Shenandoah allocation stalls). */
export interface StallRow extends GcStall {
  node: string;
  file: string;
}

/** A pause the figures count: every GC-log pause, plus GCInspector pauses no GC log line covers. */
export const counted = (p: PauseRow) => p.origin === "gc-log" || p.beyond_gc_log;
