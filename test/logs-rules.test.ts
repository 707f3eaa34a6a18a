/**
 * The logs/timeline rule tables in the one Rule shape (src/analyze/rule.ts), and the import cycles
 * issue #21 names as cut: present/report <-> present/terminal, report-cli <-> report/compare,
 * cluster/manifest <-> cluster/recorded.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, data } from "./support";
import { LOG_RULES, LOG_THRESHOLDS, logs } from "../src/analyze/logs/logs";
import { CLOCK_SKEW_RULE } from "../src/analyze/logs/logs-rules";
import { TIMELINE_RULES } from "../src/analyze/logs/timeline-rules";
import { thresholdsOf } from "../src/analyze/rule";

test("every threshold a logs() or timeline() rule names is one of LOG_THRESHOLDS, with its source", () => {
  const declared = new Set(Object.values(LOG_THRESHOLDS));
  for (const rule of [...LOG_RULES, ...TIMELINE_RULES]) {
    assert.ok(rule.thresholds.length >= 1, `${rule.id} names its threshold`);
    for (const t of rule.thresholds) assert.ok(declared.has(t) && t.source.length > 5, `${rule.id}: ${t.name} is declared in LOG_THRESHOLDS with a source`);
  }
  // Every declared threshold is used by some rule (none left orphaned by the move).
  assert.deepEqual(new Set(thresholdsOf(LOG_RULES).map((t) => t.name)), new Set(Object.keys(LOG_THRESHOLDS)));
  // timeline()'s findings are logs()'s clock check, the same rule object.
  assert.deepEqual(TIMELINE_RULES, [CLOCK_SKEW_RULE]);
  assert.ok(LOG_RULES.includes(CLOCK_SKEW_RULE as (typeof LOG_RULES)[number]));
});

test("logs() findings through applyRules: GC pauses over GC_PAUSE_MS in a real system.log give one finding with its id, severity and helper", async () => {
  // The dse68 bundle's node 172.17.0.2 system.log: `grep "GC in"` lists the GCInspector pauses; the rule flags those over 500 ms.
  const file = data("diag", "dse68", "nodes", "172.17.0.2", "logs", "cassandra", "system.log");
  const text = fs.readFileSync(file, "utf8");
  const pauses = [...text.matchAll(/GCInspector\.java:\d+ - .* GC in (\d+)ms/g)].map((m) => Number(m[1]));
  assert.ok(pauses.length > 0);
  const over = pauses.filter((p) => p > LOG_THRESHOLDS.GC_PAUSE_MS.value);
  const r = await logs(file);
  const gc = r.findings.filter((f) => f.id === "logs.gc-pause");
  assert.equal(gc.length, over.length ? 1 : 0);
  for (const f of gc) {
    assert.equal(f.helper, "gcStats");
    assert.ok(f.title.includes(`${over.length} GC pause`) && f.title.includes(`longest ${Math.max(...over).toLocaleString("en-US")} ms`), f.title);
    assert.equal(f.severity, Math.max(...over) >= 1000 ? "critical" : "warning");
  }
});

test("the cut import cycles stay cut", () => {
  const src = (p: string) => fs.readFileSync(path.join(ROOT, "src", p), "utf8");
  const imports = (p: string) => [...src(p).matchAll(/(?:^|\n)\s*(?:import|export)[^;'"]*?from\s+["']([^"']+)["']/g)].map((m) => m[1]);
  assert.ok(!imports("present/terminal.ts").includes("./report"), "terminal.ts does not import report.ts");
  assert.ok(!imports("present/format.ts").some((i) => i.startsWith("./")), "format.ts imports no sibling");
  assert.ok(!imports("cluster/manifest.ts").includes("./recorded"), "manifest.ts does not import recorded.ts");
  assert.ok(!/report-cli/.test(src("report/compare.ts")), "compare.ts does not name report-cli");
});
