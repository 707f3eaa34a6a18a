/**
 * Two JVM runs appended in one unified GC log, the first cut off inside a pause (its start line
 * logged, never its end): the pauses of the second run are not "inside" the first run's unended
 * pause when the second run's pause of the same GC id ends (src/parse/gc-unified.ts onPauseStart).
 * Before, every pause of the second run was listed under the open GC(28) — memory growing with the
 * log (1.4 million row numbers in 3 GB of such copies, bench:gc) — and marked within_line when
 * that id ended, which took them out of total_pause_ms.
 *
 * Expected values come from the text: pause end lines counted with a regex of their shape, and G1
 * pauses never run inside one another (G1 logs no pause inside a pause; only Serial/Parallel log a
 * full collection inside the young one that triggered it), so no pause has a within_line.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gcLogParser, parseGcLog } from "../src/parse/gc-log";

const FIX = path.join(__dirname, "fixtures");
// Lines 1-300 of the real log (ends on `GC(28) Pause Young (Concurrent Start)` started, not ended) and its lines 301-314 (GC(28) to its end).
const run1 = fs.readFileSync(path.join(FIX, "gc", "shared-jdk17-g1-gcstar-safepoint-excerpt.log"), "utf8");
const rest = fs.readFileSync(path.join(FIX, "gc-appended", "shared-jdk17-g1-gcstar-safepoint-lines-301-314.log"), "utf8");
/** Pause end lines by their shape: `GC(n) Pause ... N.NNNms`. */
const pauseEnds = (s: string) => (s.match(/^\[[^\n]*\] GC\(\d+\) Pause [^\n]* \d+(?:\.\d+)?ms$/gm) ?? []).length;
/** The sum of the pause end lines' durations, by regex. */
const pauseSum = (s: string) => [...s.matchAll(/^\[[^\n]*\] GC\(\d+\) Pause [^\n]* (\d+(?:\.\d+)?)ms$/gm)].reduce((a, m) => a + Number(m[1]), 0);

test("a run cut off inside GC(28), then a whole run appended: no pause of the second run is within the first run's unended GC(28)", () => {
  const text = run1 + run1 + rest;
  assert.equal(pauseEnds(rest), 1); // GC(28)'s end: 47M->4M(96M) 1.895ms
  const r = parseGcLog(text);
  assert.equal(r.pauses.length, 2 * pauseEnds(run1) + 1);
  assert.deepEqual(
    r.pauses.filter((p) => p.within_line !== null).map((p) => [p.line, p.within_line]),
    [],
  );
  const last = r.pauses[r.pauses.length - 1]!;
  assert.equal(last.gc_id, 28);
  assert.equal(last.pause_ms, 1.895);
  // Every pause counts in the total (the sum gcStats' total_pause_ms makes: pauses with no within_line).
  const outer = r.pauses.filter((p) => p.within_line === null).reduce((a, p) => a + p.pause_ms, 0);
  assert.ok(Math.abs(outer - pauseSum(text)) < 1e-6, `${outer} vs ${pauseSum(text)}`);
  // The same read block by block (7 lines a block), as gcStats() reads a file.
  const lines = text.split(/(?<=\n)/);
  const p = gcLogParser(lines.slice(0, 50).join(""));
  for (let i = 0; i < lines.length; i += 7) p.push(lines.slice(i, i + 7).join(""));
  const streamed = p.end().pauses;
  assert.equal(streamed.length, r.pauses.length);
  for (let i = 0; i < streamed.length; i++) assert.equal(streamed.num(i, "within_line"), null, `row ${i}`);
});
