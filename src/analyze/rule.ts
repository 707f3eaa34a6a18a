/**
 * The one rule type every helper's finding table is made of (the shape of sperf's recs.py): a
 * stable id, the severity it raises, the named thresholds it compares against (each carrying the
 * source of its number: ../present/report.ts Threshold), and a check that looks at the helper's
 * facts and says what it saw — or nothing.
 *
 * A newcomer reads a helper's `*_RULES` table top to bottom and finds every threshold there; a
 * helper turns its table into findings with {@link applyRules}.
 *
 * @example
 * const RULES: Rule<NodeFacts>[] = [{
 *   id: "gc.pause-critical", severity: "critical", thresholds: [T.PAUSE_CRITICAL_MS],
 *   check: (f) => f.worst > T.PAUSE_CRITICAL_MS.value ? { title: "...", evidence: "...", action: "..." } : undefined,
 * }];
 * const findings = applyRules(RULES, facts, "gcStats");
 */
import type { Finding, Severity, Threshold } from "../present/report";

/** What a rule saw: a finding without its id (the rule's), with the rule's severity unless it names another. */
export type RuleHit = Omit<Finding, "id" | "severity"> & {
  /** A different severity than the rule's own (e.g. critical past a second threshold). */
  severity?: Severity;
  /** A finer id than the rule's (e.g. "compaction.strategy.twcs"); the rule's id otherwise. */
  id?: string;
};

/** One named rule of a finding table. `Facts` is what the helper gathered (a node, a table, a run...). */
export interface Rule<Facts> {
  /** Stable across versions: "<helper>.<what>", e.g. "gc.pause-critical". */
  id: string;
  /** The severity its findings carry unless a hit says otherwise. */
  severity: Severity;
  /** The named thresholds the check compares against, each with the source of its number. Empty for a rule that reports a fact. */
  thresholds: readonly Threshold[];
  /** One line for the docs: what the rule checks (optional; the id and title usually say it). */
  what?: string;
  /** Look at the facts: what was seen (one or several findings), or nothing. */
  check: (facts: Facts) => RuleHit | readonly RuleHit[] | undefined | null;
}

/**
 * Run every rule of a table over the facts, in table order; each hit becomes a {@link Finding}
 * with the rule's id and severity (unless the hit names its own) and `helper` when given.
 * @example applyRules(GC_RULES, nodeFacts, "gcStats")
 */
export function applyRules<Facts>(rules: readonly Rule<Facts>[], facts: Facts, helper?: string): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const seen = rule.check(facts);
    if (!seen) continue;
    for (const hit of (Array.isArray(seen) ? seen : [seen]) as RuleHit[]) {
      findings.push({ ...hit, id: hit.id ?? rule.id, severity: hit.severity ?? rule.severity, ...(helper && !hit.helper ? { helper } : {}) });
    }
  }
  return findings;
}

/** Every threshold a table names, once each (for docs and the README's threshold tables). */
export function thresholdsOf<Facts>(rules: readonly Rule<Facts>[]): Threshold[] {
  const seen = new Map<string, Threshold>();
  for (const r of rules) for (const t of r.thresholds) if (!seen.has(t.name)) seen.set(t.name, t);
  return [...seen.values()];
}
