/**
 * timeline()'s thresholds and rule table. The thresholds pick what the summary explains (GC and
 * latency spikes, the events that coincide with them, the busiest windows); the one rule is the
 * clock check logs() runs too (./logs-rules.ts CLOCK_SKEW_RULE), since clocks that disagree across
 * nodes would misalign the picture.
 */
import type { Finding } from "../../present/report";
import { applyRules, type Rule } from "../rule";
import { CLOCK_SKEW_RULE, type LogFacts } from "./logs-rules";

/** Thresholds of timeline()'s summary. */
export const TIMELINE_THRESHOLDS = {
  /** A GC pause at least this long is a spike to explain (Cassandra's gc_log_threshold_in_ms default). */
  GC_SPIKE_MS: {
    name: "GC_SPIKE_MS",
    value: 200,
    unit: "ms",
    source: "Cassandra's gc_log_threshold_in_ms (cassandra.yaml default 200: GC pauses over 200 ms are logged at INFO)",
  },
  /** Events this close to a spike coincide with it. */
  COINCIDE_MS: { name: "COINCIDE_MS", value: 10_000, unit: "ms", source: "choice: two StatusLogger/DroppedMessages periods (5 s each)" },
  /** A traced request or bench interval at least this slow is a latency spike to explain (histograms' READ_P99_MS). */
  LATENCY_SPIKE_MS: { name: "LATENCY_SPIKE_MS", value: 10, unit: "ms", source: "cassperf's choice: the 10 ms of histograms' READ_P99_MS" },
  /** At most this many latency spikes are explained (the slowest). */
  LATENCY_SPIKES: { name: "LATENCY_SPIKES", value: 20, unit: "spikes", source: "choice" },
  /** How many busiest windows the summary names. */
  BUSIEST_WINDOWS: { name: "BUSIEST_WINDOWS", value: 5, unit: "windows", source: "choice" },
};

/** What timeline()'s rules read: the clock checks of the events it lined up. */
export type TimelineFacts = Pick<LogFacts, "clock" | "clockSteps">;

/** THE rule table of timeline(): its findings are clock checks. */
export const TIMELINE_RULES: Rule<TimelineFacts>[] = [CLOCK_SKEW_RULE];

/** Run the table. */
export function timelineFindings(facts: TimelineFacts): Finding[] {
  return applyRules(TIMELINE_RULES, facts);
}
