// The report base: lazy danfojs frames, charts rendered to PNG, the Jupyter bundle, the terminal
// rendering within 100 columns, toJSON; exercised through inventory() on real bundles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inventory } from "../src/index";
import { makeReport } from "../src/present/report";
import { MAX_CHART_POINTS, pngSize, sampleForChart } from "../src/present/chart";
import { visibleWidth } from "../src/present/terminal";
import { data } from "./support";

test("danfojs is not loaded until a frame is asked for; then the frame has the rows", async () => {
  const inv = await inventory(data("diag", "cassandra-2.1.17"));
  const loaded = () => Object.keys(require.cache).some((k) => k.includes(`${"/"}danfojs-node${"/"}`));
  assert.equal(loaded(), false, "danfojs not loaded by building a report");
  inv.toText();
  JSON.stringify(inv);
  assert.equal(loaded(), false, "nor by rendering it as text or JSON");
  const nodes = (inv as any).nodes;
  assert.equal(loaded(), true);
  assert.deepEqual(nodes.shape, [3, 6]);
  assert.deepEqual(nodes.column("version").values, ["2.1.17", "2.1.17", "2.1.17"]);
});

test("a report renders as PNG (size decoded from the PNG) and as SVG", async () => {
  const inv = await inventory(data("diag", "dse68"));
  const png = await inv.chart("files").toPNG();
  const { width, height } = pngSize(png);
  assert.ok(width > 600 && width < 2000, `width ${width}`);
  assert.ok(height > 100 && height < 1000, `height ${height}`);
  const svg = await inv.chart().toSVG();
  assert.match(svg, /^<svg/);
  assert.match(svg, /Files per node by kind/);
});

test("the Jupyter bundle has the Vega-Lite spec, a PNG and text; cassperf outputs add markdown first", async () => {
  const inv = await inventory(data("diag", "dse68"));
  const bundle = (await (inv as any)[Symbol.for("Jupyter.display")]()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
  const spec = bundle["application/vnd.vegalite.v5+json"] as any;
  assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  assert.ok(pngSize(Buffer.from(bundle["image/png"] as string, "base64")).width > 0);
  const outputs = (await (inv as any)[Symbol.for("cassperf.outputs")]()) as Record<string, unknown>[];
  assert.equal(outputs.length, 2);
  assert.match(outputs[0]["text/markdown"] as string, /\*\*inventory\*\*.*\n\n\| \| \|/);
  assert.ok("image/png" in outputs[1]);
});

test("the terminal rendering fits 100 columns, also with long values and many columns", async () => {
  for (const src of [data("diag", "dse68"), data("diag", "cassandra-2.1.17"), data("lab")]) {
    const text = (await inventory(src)).toText({ width: 100, color: true });
    for (const line of text.split("\n")) assert.ok(visibleWidth(line) <= 100, `line over 100 columns: ${line}`);
  }
  const wide = makeReport({
    helper: "test",
    title: "x".repeat(300),
    summary: { "a very long summary key that goes on": "v".repeat(200) },
    findings: [{ severity: "critical", id: "t", title: "t ".repeat(120), evidence: "e".repeat(250), action: "a" }],
    frames: { rows: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`column_${i}`, [i * 1000.5, null]])) },
  });
  for (const line of wide.toText({ width: 100 }).split("\n")) assert.ok(visibleWidth(line) <= 100, `line over 100 columns: ${line}`);
});

test("findings are ordered critical, warning, info; toJSON carries frames as rows", () => {
  const r = makeReport({
    helper: "test",
    title: "ordering",
    summary: { n: 2 },
    findings: [
      { severity: "info", id: "i", title: "i", evidence: "", action: "" },
      { severity: "critical", id: "c", title: "c", evidence: "", action: "" },
      { severity: "warning", id: "w", title: "w", evidence: "", action: "" },
    ],
    frames: { pauses: { node: ["a", "b"], pause_ms: [1.5, null] } },
  });
  assert.deepEqual(
    r.findings.map((f) => f.id),
    ["c", "w", "i"],
  );
  const json = JSON.parse(JSON.stringify(r));
  assert.deepEqual(json.frames.pauses, [
    { node: "a", pause_ms: 1.5 },
    { node: "b", pause_ms: null },
  ]);
  assert.throws(() => r.chart(), /this report has no charts/);
  assert.throws(() => r.columns("nope" as any), /no frame "nope"; frames are pauses/);
});

test("sampling keeps at most the limit and always keeps the rows asked for", () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ i, big: i % 4999 === 0 }));
  const { rows: out, sampled } = sampleForChart(rows, 1000, (r) => r.big);
  assert.equal(sampled, true);
  assert.ok(out.length <= 1010, `${out.length}`);
  assert.equal(out.filter((r) => r.big).length, rows.filter((r) => r.big).length);
  const empty = sampleForChart([], 10);
  assert.deepEqual([empty.rows, empty.sampled], [[], false]);
});

test("sampling keeps the promise when the rows to keep outnumber the limit (at most MAX_CHART_POINTS, and says so)", () => {
  // 12,000 rows that all "must be kept" (e.g. 12,000 pauses over 200 ms): before, every one of them came back.
  const rows = Array.from({ length: 12_000 }, (_, i) => ({ i, big: true }));
  const s = sampleForChart(rows, MAX_CHART_POINTS, (r) => r.big);
  assert.equal(s.rows.length, MAX_CHART_POINTS); // 5,000: the limit in charts.ts, the number the design promises
  assert.equal(s.keptAll, false);
  assert.equal(s.sampled, true);
  assert.equal(s.note, "sampled: 5,000 of 12,000 shown, an even sample of the 12,000 that should all be kept (more than the 5,000-point limit)");
  // Evenly spaced over the whole range: row floor(k * 12,000 / 5,000) for k = 0..4,999, so the first is 0 and the last
  // floor(4,999 * 2.4) = 11,997; order kept.
  assert.equal(s.rows[0].i, 0);
  assert.equal(s.rows[s.rows.length - 1].i, 11_997);
  assert.ok(s.rows.every((r, k) => k === 0 || r.i > s.rows[k - 1].i));
  // 7,000 of 20,000 to keep: still at most 5,000; 3,000 to keep of 20,000: all 3,000 kept, 5,000 or fewer in all.
  const mixed = Array.from({ length: 20_000 }, (_, i) => ({ i, big: i % 20 < 7 }));
  assert.ok(sampleForChart(mixed, MAX_CHART_POINTS, (r) => r.big).rows.length <= MAX_CHART_POINTS);
  const few = Array.from({ length: 20_000 }, (_, i) => ({ i, big: i % 20 < 3 }));
  const f = sampleForChart(few, MAX_CHART_POINTS, (r) => r.big);
  assert.ok(f.rows.length <= MAX_CHART_POINTS, String(f.rows.length));
  assert.equal(f.rows.filter((r) => r.big).length, 3_000);
  assert.equal(f.keptAll, true);
});
