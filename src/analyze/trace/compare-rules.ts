/**
 * THE findings rule table of compareTraces(): two traces of the same query (before/after) compared
 * stage by stage, with the named threshold a stage's change must pass (../rule.ts Rule, run with
 * applyRules). The facts are the per-stage means and the sstables/tombstones figures trace.ts
 * computes from the two reports' `sessions` frames.
 */
import { applyRules, type Rule, type RuleHit } from "../rule";
import type { Finding, Threshold } from "../../present/report";
import { TRACE_THRESHOLDS } from "./trace-rules";

/** Thresholds of compareTraces. */
export const COMPARE_THRESHOLDS = {
  STAGE_CHANGE_MS: { ...TRACE_THRESHOLDS.STAGE_SLOW_MS, name: "STAGE_CHANGE_MS", source: "STAGE_SLOW_MS's 5 ms, applied to the change of a stage's mean" },
} satisfies Record<string, Threshold>;

/** One stage's mean time per session in a and b. */
export interface StageChange {
  stage: string;
  a_ms: number;
  b_ms: number;
  change_ms: number;
  change_pct: number | null;
}

/** What the compare rules see. */
export interface CompareFacts {
  /** Stages present in either report. */
  rows: StageChange[];
  labels: [string, string];
  /** Sessions in a and b. */
  sessions: [number, number];
  /** Largest sstables per read in a and b. */
  sstablesPerRead: [number, number];
  /** Mean tombstones per session in a and b. */
  tombstones: [number, number];
}

const LIM = COMPARE_THRESHOLDS.STAGE_CHANGE_MS;

/** THE rule table of compareTraces. */
export const COMPARE_RULES: Rule<CompareFacts>[] = [
  {
    id: "trace.compare.slower-stage",
    severity: "warning",
    thresholds: [LIM],
    check: ({ rows, labels, sessions }) =>
      rows
        .filter((r) => r.change_ms > LIM.value)
        .map(
          (r): RuleHit => ({
            title: `${r.stage} got slower by ${r.change_ms.toFixed(2)} ms per session (${labels[0]} ${r.a_ms.toFixed(2)} -> ${labels[1]} ${r.b_ms.toFixed(2)})`,
            evidence: `mean over ${sessions[0]} and ${sessions[1]} sessions; threshold ${LIM.value} ms`,
            action: "Look at this stage's events in both waterfalls.",
          }),
        ),
  },
  {
    id: "trace.compare.faster-stage",
    severity: "info",
    thresholds: [LIM],
    check: ({ rows, labels }) =>
      rows
        .filter((r) => r.change_ms < -LIM.value)
        .map(
          (r): RuleHit => ({
            title: `${r.stage} got faster by ${(-r.change_ms).toFixed(2)} ms per session`,
            evidence: `${labels[0]} ${r.a_ms.toFixed(2)} ms -> ${labels[1]} ${r.b_ms.toFixed(2)} ms`,
            action: "None: the change worked for this stage.",
          }),
        ),
  },
  {
    id: "trace.compare.sstables",
    severity: "info",
    thresholds: [],
    check: ({ sstablesPerRead: [sa, sb], labels }) =>
      sa === sb
        ? undefined
        : {
            title: `SSTables per read: ${sa} -> ${sb}`,
            evidence: `largest "merged from N sstables" in ${labels[0]} and ${labels[1]}`,
            action: sb > sa ? "More sstables per read: compaction fell behind between the two." : "Fewer sstables per read: compaction helped reads.",
          },
  },
  {
    id: "trace.compare.tombstones",
    severity: "info",
    thresholds: [],
    check: ({ tombstones: [ta, tb] }) =>
      ta === tb
        ? undefined
        : {
            title: `Tombstones per session: ${ta.toFixed(0)} -> ${tb.toFixed(0)}`,
            evidence: `mean tombstone cells read per session`,
            action: tb > ta ? "More tombstones read: deletes/TTLs accumulate; see the tombstones finding." : "Fewer tombstones read.",
          },
  },
];

/** Run the compare rules; findings name helper "compareTraces". (Sorted by severity later, so their order matches the old per-stage loop.) */
export function compareTraceFindings(facts: CompareFacts): Finding[] {
  return applyRules(COMPARE_RULES, facts, "compareTraces");
}
