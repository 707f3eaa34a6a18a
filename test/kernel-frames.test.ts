/**
 * Frames as tables (src/present/frame-table.ts), as the kernel and the REPL show them: first 10 and
 * last 5 rows with a "… N more rows …" marker, shape, units from column names, HTML escaping, and the
 * REPL's plain table fitted to the terminal width. Expected values are counted by hand from the
 * frames built here; the real-kernel checks are in test/kernel/test_cassperf_kernel.py.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { framePreview, previewHtml, previewMarkdown, previewPlain, unitOf } from "../src/present/frame-table";
import { Report } from "../src/present/report";
import { renderValue } from "../src/repl/render";
import { valueBundles } from "../src/kernel/outputs";

const rows = 40;
const report = new Report({
  helper: "t",
  title: "t",
  summary: {},
  findings: [],
  frames: {
    waits: {
      node: Array.from({ length: rows }, (_, i) => `10.0.0.${i}`),
      wait_ms: Array.from({ length: rows }, (_, i) => i * 1.5),
      size_bytes: Array.from({ length: rows }, (_, i) => i * 1000),
      note: Array.from({ length: rows }, (_, i) => (i === 39 ? `<img src=x onerror=alert(1)> & "q"` : `plain ${i}`)),
    },
  },
});

test("units come from the column name's suffix", () => {
  assert.deepEqual(["pause_ms", "heap_after_mb", "uptime_s", "partition_bytes", "latency_us", "share_pct", "node"].map(unitOf), [
    "ms",
    "MB",
    "s",
    "bytes",
    "µs",
    "%",
    "",
  ]);
});

test("a 40-row frame shows rows 0-9 and 35-39 with '… 25 more rows …' (40 - 10 - 5) in all three renderings", () => {
  const cols = report.columns("waits");
  const p = framePreview(Object.keys(cols), rows, (i) => Object.values(cols).map((c) => c[i]), { name: "waits" });
  assert.equal(p.omitted, 25);
  assert.deepEqual(
    [...p.head, ...p.tail].map((r) => r[0]),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 35, 36, 37, 38, 39].map((i) => `10.0.0.${i}`),
  );
  const html = previewHtml(p);
  assert.match(html, /<b>waits<\/b>: 40 rows × 4 columns/);
  assert.match(html, /… 25 more rows …/);
  assert.match(html, /wait_ms<br><span[^>]*>\(ms\)<\/span>/);
  assert.match(html, /size_bytes<br><span[^>]*>\(bytes\)<\/span>/);
  // Cell text is escaped: no tag from the data reaches the page.
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt; &amp; &quot;q&quot;/);
  const md = previewMarkdown(p);
  assert.match(md, /^\*\*waits\*\*: 40 rows × 4 columns/);
  assert.match(md, /\| node \| wait_ms \(ms\) \| size_bytes \(bytes\) \| note \|/);
  assert.match(md, /\| … 25 more rows … \| {2}\| {2}\| {2}\|/);
});

test("the kernel shows a report's DataFrame as text/html + text/markdown + text/plain under its frame name", async () => {
  const [bundle] = await valueBundles(report.frame("waits"));
  assert.deepEqual(Object.keys(bundle).sort(), ["text/html", "text/markdown", "text/plain"]);
  assert.match(String(bundle["text/plain"]), /^waits: 40 rows × 4 columns\n/);
});

test("the REPL prints the plain table fitted to the terminal's width, naming the columns that did not fit", () => {
  for (const width of [40, 60, 120]) {
    const lines = renderValue(report.frame("waits"), { width, color: false, pageRows: 20 });
    assert.equal(lines[0], "waits: 40 rows × 4 columns");
    for (const l of lines) assert.ok([...l].length <= width, `${width}: ${JSON.stringify(l)}`);
    assert.ok(lines.includes("… 25 more rows …"), lines.join("\n"));
    // 15 data rows: 10.0.0.0-9 and 10.0.0.35-39
    assert.equal(lines.filter((l) => /^10\.0\.0\.\d+/.test(l)).length, 15);
  }
  const narrow = renderValue(report.frame("waits"), { width: 40, color: false, pageRows: 20 });
  assert.match(narrow[narrow.length - 1], /^\(\d more columns?: .*note/);
  const wide = renderValue(report.frame("waits"), { width: 120, color: false, pageRows: 20 });
  assert.doesNotMatch(wide.join("\n"), /more column/);
});

test("an empty frame shows its shape and no table body", () => {
  const empty = framePreview(["a_ms"], 0, () => []);
  assert.deepEqual(previewPlain(empty, 80).slice(0, 1), ["frame: 0 rows × 1 column"]);
  assert.doesNotMatch(previewHtml(empty), /more rows/);
});
