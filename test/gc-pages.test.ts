/**
 * PauseTable and CycleTable keep their columns in pages of PAGE_ROWS rows (src/parse/gc-pauses.ts):
 * rows read back across page boundaries, and retain() moves rows between pages, exactly as pushed.
 * The rows are the real pauses and concurrent phases of a JDK 17 G1 log
 * (test/fixtures/gc/shared-jdk17-g1-gcstar-safepoint-excerpt.log, provenance in that folder's
 * PROVENANCE.md), pushed again and again with their line numbers renumbered so every row differs;
 * the expected value of row i is the object pushed as row i (not the table's own output).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseGcLog } from "../src/parse/gc-log";
import { CycleTable, PAGE_ROWS, PauseTable } from "../src/parse/gc-pauses";

const LOG = path.join(__dirname, "fixtures", "gc", "shared-jdk17-g1-gcstar-safepoint-excerpt.log");

test("pauses and cycles read back across pages, and retain() keeps the chosen rows in order", () => {
  const parsed = parseGcLog(fs.readFileSync(LOG, "utf8"));
  // 14 pauses in the excerpt: grep -cE "Pause (Young|Remark|Cleanup|Full).*ms$" finds 14 lines (each pause's closing line with its duration).
  assert.equal(parsed.pauses.length, 14);
  assert.ok(parsed.cycles.length > 0);
  const rows = 2 * PAGE_ROWS + 1234; // past two page boundaries
  const pauses = new PauseTable();
  const cycles = new CycleTable();
  const pushedPauses = [];
  const pushedCycles = [];
  for (let i = 0; i < rows; i++) {
    const p = { ...parsed.pauses[i % parsed.pauses.length]!, line: i + 1, pause_ms: (i % 997) + 0.25 };
    const c = { ...parsed.cycles[i % parsed.cycles.length]!, line: i + 1 };
    assert.equal(pauses.push(p), i);
    assert.equal(cycles.push(c), i);
    pushedPauses.push(p);
    pushedCycles.push(c);
  }
  assert.equal(pauses.length, rows);
  for (const i of [0, 1023, 1024, PAGE_ROWS - 1, PAGE_ROWS, PAGE_ROWS + 1, 2 * PAGE_ROWS, rows - 1]) {
    assert.deepEqual(pauses.get(i), pushedPauses[i], `pause ${i}`);
    assert.deepEqual(cycles.get(i), pushedCycles[i], `cycle ${i}`);
  }
  for (let i = 0; i < rows; i++) assert.equal(pauses.pauseMs(i), (i % 997) + 0.25);
  // setNum on a later page changes that row only.
  pauses.setNum(PAGE_ROWS + 5, "stopped_ms", 42);
  assert.equal(pauses.num(PAGE_ROWS + 5, "stopped_ms"), 42);
  assert.equal(pauses.num(PAGE_ROWS + 4, "stopped_ms"), pushedPauses[PAGE_ROWS + 4]!.stopped_ms);
  pushedPauses[PAGE_ROWS + 5] = { ...pushedPauses[PAGE_ROWS + 5]!, stopped_ms: 42 };
  // Keep every third row: rows move from later pages to earlier ones.
  pauses.retain((i) => i % 3 === 0);
  cycles.retain((i) => i % 3 === 0);
  assert.equal(pauses.length, Math.ceil(rows / 3));
  for (let j = 0; j < pauses.length; j++) assert.equal(pauses.get(j).line, pushedPauses[3 * j]!.line);
  for (const j of [0, PAGE_ROWS / 4, pauses.length - 1]) {
    assert.deepEqual(pauses.get(j), pushedPauses[3 * j], `kept pause ${j}`);
    assert.deepEqual(cycles.get(j), pushedCycles[3 * j], `kept cycle ${j}`);
  }
});
