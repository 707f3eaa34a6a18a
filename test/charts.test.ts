/**
 * Every chart every helper offers, on the bundled recordings (datasets/lab-3node, datasets/lab-3node-5.0)
 * and on excerpts of a real DSE 6.8 node (test/fixtures/charts, see its PROVENANCE.md):
 *  - a snapshot of each chart's Vega-Lite spec on datasets/lab-3node (test/output/charts/), so a
 *    change to a chart shows in review; `CASSPERF_UPDATE_SNAPSHOTS=1` rewrites them;
 *  - targeted checks: the GC chart plots stopped time where it exceeds the pause, one shared time
 *    axis, labelled thresholds, dates on multi-day axes; log axes for latency and sizes; no bar
 *    stacked on a log/symlog axis; empty bins kept; no chart without data; the worst table chosen;
 *    distinct labels; legends of what is drawn; whole-number count ticks; the timeline zoomed to
 *    the incident; PNGs that carry their 1× width; charts no wider than MAX_CHART_WIDTH.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./support";
import * as c from "../src/index";
import type { Report } from "../src/present/report";
import { MAX_CHART_WIDTH, PNG_SCALE, distinctLabels, middleTruncate, pngSize, utcTimeAxis } from "../src/present/chart";
import { bundleMetadata, valueBundles } from "../src/kernel/outputs";

const LAB = path.join(ROOT, "datasets/lab-3node");
const LAB50 = path.join(ROOT, "datasets/lab-3node-5.0");
const DSE68 = path.join(__dirname, "fixtures/charts/dse68");
const SNAPSHOTS = path.join(__dirname, "output/charts");
const UPDATE = process.env.CASSPERF_UPDATE_SNAPSHOTS === "1";

type Spec = Record<string, any>;

/** Every report with charts that a recording gives, by helper name. */
async function reportsOf(dir: string): Promise<[string, Report][]> {
  const ds = await c.open(dir);
  const out: [string, Report][] = [];
  const tryAdd = async (name: string, make: () => Promise<Report>) => {
    try {
      out.push([name, await make()]);
    } catch (e) {
      // A helper that has nothing to say about this source (no traces in a bundle) says so with a CassperfError.
      if (!c.isCassperfError(e)) throw e;
    }
  };
  await tryAdd("inventory", () => c.inventory());
  await tryAdd("gcStats", () => c.gcStats());
  await tryAdd("traces", () => c.traces());
  await tryAdd("histograms", () => c.histograms());
  await tryAdd("partitionScan", () => c.partitionScan("cassperf_demo.user_events"));
  await tryAdd("compactionAdvice", () => c.compactionAdvice());
  await tryAdd("logs", () => c.logs());
  await tryAdd("timeline", () => c.timeline());
  await tryAdd("caches", () => c.caches());
  await tryAdd("jvm", () => c.jvm());
  await tryAdd("queryPatterns", () => c.queryPatterns());
  await tryAdd("health", () => c.health());
  const runs = ds
    .files({ kind: "bench-run" })
    .map((f) => f.path)
    .sort();
  if (runs.length) {
    await tryAdd("bench", () => c.importStress(runs[0]));
    await tryAdd("compareRuns", async () => c.compareRuns(await c.importStress(runs[0]), await c.importStress(runs[runs.length - 1])));
  }
  return out;
}

/** Every view of a spec (the spec itself, layers, facet/concat children) with its mark and encoding. */
function views(spec: Spec, out: Spec[] = []): Spec[] {
  if (!spec || typeof spec !== "object") return out;
  if (spec.mark) out.push(spec);
  for (const k of ["layer", "hconcat", "vconcat", "concat"]) for (const s of spec[k] ?? []) views(s, out);
  if (spec.spec) views(spec.spec, out);
  return out;
}
const markType = (v: Spec) => (typeof v.mark === "string" ? v.mark : v.mark?.type);

let lab: [string, Report][];
let lab50: [string, Report][];
let dse68: [string, Report][];
const all = () => [
  ...lab.map((x) => ["lab-3node", ...x] as const),
  ...lab50.map((x) => ["lab-3node-5.0", ...x] as const),
  ...dse68.map((x) => ["dse68", ...x] as const),
];

test("setup: the reports of the bundled recordings and the DSE 6.8 excerpt", async () => {
  lab = await reportsOf(LAB);
  lab50 = await reportsOf(LAB50);
  dse68 = await reportsOf(DSE68);
  assert.ok(lab.length >= 12, `lab-3node reports: ${lab.map((x) => x[0]).join(", ")}`);
});

test("snapshots: each chart's Vega-Lite spec on datasets/lab-3node equals test/output/charts (CASSPERF_UPDATE_SNAPSHOTS=1 rewrites)", () => {
  // The expected specs are the reviewed files in test/output/charts/lab-3node: a change to any chart shows there in review.
  const dir = path.join(SNAPSHOTS, "lab-3node");
  fs.mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  const stale: string[] = [];
  for (const [helper, r] of lab) {
    for (const name of r.chartNames) {
      const file = path.join(dir, `${helper}.${name}.vl.json`);
      seen.add(path.basename(file));
      // Titles name the source by its path: relative to the checkout, so snapshots match in any clone.
      const text = `${JSON.stringify(r.chart(name).spec, null, 1)}\n`.split(`${ROOT}${path.sep}`).join("");
      if (UPDATE) fs.writeFileSync(file, text);
      else if (!fs.existsSync(file)) stale.push(`${path.relative(ROOT, file)} is missing`);
      else if (fs.readFileSync(file, "utf8") !== text) stale.push(`${path.relative(ROOT, file)} differs`);
    }
  }
  for (const f of fs.readdirSync(dir)) if (!seen.has(f)) UPDATE ? fs.rmSync(path.join(dir, f)) : stale.push(`${f} has no chart any more`);
  assert.deepEqual(
    stale,
    [],
    `chart specs changed; look at the PNGs, then run CASSPERF_UPDATE_SNAPSHOTS=1 node scripts/test.mjs test/charts.test.ts and review the diff`,
  );
  // Small enough to review: no snapshot over 64 KiB (charts sample to 5,000 points; these hold far fewer).
  for (const f of fs.readdirSync(dir)) assert.ok(fs.statSync(path.join(dir, f)).size < 64 * 1024, f);
});

test("GC pauses: the 44.7 ms pause that stopped the JVM 1,066 ms is drawn at 1,066 ms", () => {
  // gc.log.0.current of the DSE 6.8 node (fixture lines 6-56 = original 58952-59002):
  //   2020-07-21T07:10:55.097+0000: 79291.032: [GC pause (G1 Evacuation Pause) (young) ... , 0.0446647 secs]
  //   2020-07-21T07:10:56.161+0000: ... Total time for which application threads were stopped: 1.0661920 seconds
  const text = fs.readFileSync(path.join(DSE68, "nodes/172.17.0.2/logs/cassandra/gc.log.0.current"), "utf8");
  const pauseS = Number(/, ([\d.]+) secs\]\s*\n\s*\[Parallel Time/.exec(text)?.[1] ?? /\(young\)[\s\S]*?, ([\d.]+) secs\]/.exec(text)![1]);
  const stoppedS = Number(/2020-07-21T07:10:56\.161\+0000: [\d.]+: Total time for which application threads were stopped: ([\d.]+) seconds/.exec(text)![1]);
  assert.equal(pauseS, 0.0446647);
  assert.equal(stoppedS, 1.066192);
  const gc = dse68.find((x) => x[0] === "gcStats")![1];
  const spec = gc.chart("pauses").spec as Spec;
  const row = spec.data.values.find((v: Spec) => v.timestamp === "2020-07-21T07:10:55.097Z");
  assert.ok(row, "the pause of 2020-07-21 07:10:55.097 is drawn");
  assert.equal(row.pause_ms, pauseS * 1000);
  assert.equal(row.stood_ms, stoppedS * 1000, "y = max(pause, stopped)");
  const points = views(spec).find((v) => markType(v) === "point")!;
  assert.equal(points.encoding.y.field, "stood_ms");
  assert.equal(points.encoding.y.scale.type, "log");
});

test("GC pauses: one shared time axis across node rows, labelled threshold lines drawn once, dates on a multi-day axis", async () => {
  const gc = lab.find((x) => x[0] === "gcStats")![1];
  const spec = gc.chart("pauses").spec as Spec;
  // cassperf.json of lab-3node lists three nodes, each with a gc.log: one row per node.
  assert.equal(spec.facet.row.field, "node");
  assert.equal(spec.resolve.scale.x, "shared");
  const texts = views(spec)
    .filter((v) => markType(v) === "text")
    .map((v) => v.encoding.text.value);
  // GC_THRESHOLDS: PAUSE_WARN_MS 200 (Cassandra's gc_log_threshold default), PAUSE_CRITICAL_MS 500 (G1 MaxGCPauseMillis in Cassandra's jvm options).
  assert.deepEqual(texts.sort(), ["200 ms warning", "500 ms critical"]);
  const svg = await gc.chart("pauses").toSVG();
  assert.equal(svg.split(">200 ms warning<").length - 1, 3, "one label per node row, not one per pause");
  // The DSE 6.8 excerpt spans 2020-07-20 09:09 (gc.log) to 2020-07-22 13:39 (system.log GCInspector): ticks carry the date.
  const d = dse68.find((x) => x[0] === "gcStats")![1].chart("pauses").spec as Spec;
  const x = views(d).find((v) => markType(v) === "point")!.encoding.x;
  assert.equal(x.scale.type, "utc");
  assert.match(x.axis.format, /%b %d/);
  const dsvg = await dse68
    .find((x) => x[0] === "gcStats")![1]
    .chart("pauses")
    .toSVG();
  assert.ok(dsvg.includes("Jul 21") && dsvg.includes("Jul 22"), "tick labels name the days");
  // Within a day the title names the date instead (lab-3node's GC logs are of 2026-11-25, per their time stamps).
  assert.match(views(spec).find((v) => markType(v) === "point")!.encoding.x.title, /2026-11-25/);
  assert.deepEqual(utcTimeAxis(["2020-07-20T09:00:00Z", "2020-07-22T13:00:00Z"]).axis, { format: "%b %d %H:%M", labelOverlap: true });
  // Less than a day but past midnight (the DSE 6.8 gc.log: 07-20 09:09 to 07-21 07:10): the ticks still name the day.
  assert.equal((utcTimeAxis(["2020-07-20T09:09:26Z", "2020-07-21T07:10:56Z"]).axis as Spec).format, "%b %d %H:%M");
});

test("log axes for latency and sizes; no bar stacked on a log or symlog axis", () => {
  const scaleOf = (helper: string, chart: string, channel: string, from = lab) => {
    const r = from.find((x) => x[0] === helper)![1];
    return views(r.chart(chart).spec as Spec)
      .map((v) => v.encoding?.[channel]?.scale?.type)
      .find(Boolean);
  };
  assert.equal(scaleOf("histograms", "ladder", "y"), "log");
  assert.equal(scaleOf("histograms", "across-nodes", "y"), "log");
  assert.equal(scaleOf("partitionScan", "sizes", "y"), "log", "partition sizes in bytes");
  assert.equal(scaleOf("gcStats", "pauses", "y"), "log");
  assert.equal(scaleOf("traces", "slowest", "x"), "log");
  assert.equal(scaleOf("bench", "p99", "y"), "log");
  assert.equal(scaleOf("compareRuns", "compare", "y"), "log");
  const stacked: string[] = [];
  for (const [ds, helper, r] of all())
    for (const name of r.chartNames)
      for (const v of views(r.chart(name).spec as Spec)) {
        if (markType(v) !== "bar") continue;
        for (const [ch, enc] of Object.entries<Spec>(v.encoding ?? {}))
          if (["log", "symlog"].includes(enc?.scale?.type) && enc.stack !== null) stacked.push(`${ds} ${helper}.${name} ${ch}`);
      }
  // Vega-Lite stacks bars by default; on a log axis that puts a 0 in the domain and draws nothing.
  assert.deepEqual(stacked, []);
});

test("histograms keep their empty bins", () => {
  // The DSE 6.8 excerpt: pauses of 44.7 ms (gc.log) and 588-2,066 ms (GCInspector) leave the 100–200 and 200–500 ms bins empty.
  const spec = dse68.find((x) => x[0] === "gcStats")![1].chart("histogram").spec as Spec;
  const domain: string[] = spec.encoding.x.scale.domain;
  const filled = new Set(spec.data.values.map((v: Spec) => v.bin));
  assert.ok(domain.includes("100–200") && domain.includes("200–500") && !filled.has("100–200") && !filled.has("200–500"), domain.join(" "));
  assert.equal(domain[0], "20–50");
  assert.equal(domain[domain.length - 1], "2–5 s");
  const durations = lab.find((x) => x[0] === "traces")![1].chart("durations").spec as Spec;
  const counts = durations.data.values.map((v: Spec) => v.sessions);
  assert.equal(
    counts.reduce((a: number, b: number) => a + b, 0),
    lab.find((x) => x[0] === "traces")![1].count("sessions"),
  );
});

test("no empty charts: a chart left out says why in a note", async () => {
  const empty: string[] = [];
  for (const [ds, helper, r] of all())
    for (const name of r.chartNames) {
      const spec = r.chart(name).spec as Spec;
      if (Array.isArray(spec.data?.values) && spec.data.values.length === 0) empty.push(`${ds} ${helper}.${name}`);
    }
  assert.deepEqual(empty, []);
  // datasets/lab-3node holds one nodetool snapshot per node (cassperf.json captured_at once): no over-time chart.
  const h = lab.find((x) => x[0] === "histograms")![1];
  assert.ok(!h.chartNames.includes("over-time"));
  assert.ok(
    h.notes.some((n) => /^No "over-time" chart: /.test(n)),
    h.notes.join("\n"),
  );
  // No system.log of lab-3node has a "Writing large partition" warning (grep finds none): no "top" chart.
  const logs = fs
    .readdirSync(path.join(LAB, "nodes"))
    .map((n) => fs.readFileSync(path.join(LAB, "nodes", n, "logs/cassandra/system.log"), "utf8"))
    .join("\n");
  assert.ok(!/large partition/i.test(logs));
  const p = lab.find((x) => x[0] === "partitionScan")![1];
  assert.ok(!p.chartNames.includes("top"));
  assert.ok(p.notes.some((n) => /^No "top" chart: /.test(n)));
});

test("a chart without a table option shows the worst table", () => {
  // Independent of the parser: the 99% line's Read Latency column (4th number) of each table block in
  // the three nodes' nodetool cfhistograms files; the largest over all user tables names the table.
  let worst = { table: "", us: -1 };
  for (const node of fs.readdirSync(path.join(LAB, "nodes"))) {
    let table = "";
    for (const line of fs.readFileSync(path.join(LAB, "nodes", node, "nodetool/cfhistograms"), "utf8").split("\n")) {
      const head = /^(\S+)\/(\S+) histograms$/.exec(line);
      if (head) table = `${head[1]}.${head[2]}`;
      const p99 = /^99%\s+(\S+)\s+(\S+)\s+(\S+)/.exec(line);
      if (p99 && table && Number(p99[3]) > worst.us) worst = { table, us: Number(p99[3]) };
    }
  }
  assert.equal(worst.table, "cassperf_demo.queue");
  const h = lab.find((x) => x[0] === "histograms")![1];
  assert.match(String((h.chart("ladder").spec as Spec).title), new RegExp(`^${worst.table.replace(".", "\\.")}: `));
  assert.match(String((h.chart("across-nodes").spec as Spec).title), new RegExp(`^${worst.table.replace(".", "\\.")}: `));
});

test("distinct labels: waterfall lanes, table names, bench clients; legends list what is drawn; whole-number count ticks", () => {
  assert.equal(middleTruncate("cassperf_demo.user_events", 20), "cassperf_d…er_events");
  assert.equal(middleTruncate("short", 20), "short");
  const names = distinctLabels(["cassperf_demo.user_events_by_day", "cassperf_demo.user_profiles_by_day"], 20);
  assert.notEqual(names.get("cassperf_demo.user_events_by_day"), names.get("cassperf_demo.user_profiles_by_day"));
  // Waterfall: as many lanes as distinct (node, thread) pairs in traces/events.jsonl for that session.
  const t = lab.find((x) => x[0] === "traces")![1];
  const spec = t.chart("waterfall").spec as Spec;
  const session = /^Trace (\w{8})/.exec(spec.title)![1];
  const events = fs
    .readFileSync(path.join(LAB, "traces/events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const pairs = new Set(events.filter((e) => String(e.session_id).startsWith(session)).map((e) => `${e.source}|${e.thread}`));
  const lanes = new Set(spec.data.values.map((v: Spec) => v.lane));
  assert.equal(lanes.size, pairs.size);
  // The stage legend lists the stages drawn, no more.
  const bars = views(spec).find((v) => markType(v) === "bar")!;
  assert.deepEqual([...bars.encoding.color.legend.values].sort(), [...new Set(spec.data.values.map((v: Spec) => v.stage))].sort());
  // Compaction evidence: one label per table.
  const ev = lab.find((x) => x[0] === "compactionAdvice")![1].chart("evidence").spec as Spec;
  const tables = new Set(ev.data.values.map((v: Spec) => v.table));
  assert.ok(tables.size >= 2 && [...tables].every((x) => !String(x).endsWith("…")));
  // Two bench runs of lab-3node (bench/*.json): two distinct client names in the timeline's legend.
  const tl = lab.find((x) => x[0] === "timeline")![1].chart("timeline-all").spec as Spec;
  const clients = new Set(tl.data.values.map((v: Spec) => v.node).filter((n: string) => n.startsWith("client (")));
  assert.equal(clients.size, fs.readdirSync(path.join(LAB, "bench")).length);
  // Count axes: whole numbers.
  const hist = dse68.find((x) => x[0] === "gcStats")![1].chart("histogram").spec as Spec;
  assert.equal(hist.encoding.y.axis.tickMinStep, 1);
  assert.ok(hist.encoding.y.axis.values.every((v: number) => Number.isInteger(v)));
  assert.equal((t.chart("durations").spec as Spec).encoding.y.axis.tickMinStep, 1);
});

test("timeline: opens on the incident, counts nodes apart from clients", () => {
  const [, r] = lab50.find((x) => x[0] === "timeline")!;
  // cassperf.json of lab-3node-5.0 lists three nodes; the two bench runs are clients.
  const manifest = JSON.parse(fs.readFileSync(path.join(LAB50, "cassperf.json"), "utf8"));
  const nodes = (manifest.nodes as unknown[]).length;
  assert.equal(nodes, 3);
  assert.equal(r.summary.nodes, nodes);
  assert.equal(r.summary.clients, 2);
  const spec = r.chart("timeline").spec as Spec;
  assert.match(spec.title.text, /timeline of 3 nodes and 2 clients/);
  const domain = spec.spec.encoding.x.scale.domain.map((d: string) => Date.parse(d));
  const times = r.rows("coincidences").map((x) => Date.parse(String(x.time)));
  assert.ok(times.length > 0);
  for (const t of times) assert.ok(t >= domain[0] && t <= domain[1], new Date(t).toISOString());
  // lab-3node's recording spans days (GC logs of 2026-11-25, bench runs of 2026-12-02); its incident is minutes.
  const [, r3] = lab.find((x) => x[0] === "timeline")!;
  const d3 = (r3.chart("timeline").spec as Spec).spec.encoding.x.scale.domain.map((d: string) => Date.parse(d));
  const everything = (r3.chart("timeline-all").spec as Spec).data.values.map((v: Spec) => Date.parse(v.time));
  assert.ok(Math.max(...everything) - Math.min(...everything) > 86_400_000);
  assert.ok(d3[1] - d3[0] < 3_600_000, `zoomed to ${d3.map((t: number) => new Date(t).toISOString()).join(" – ")}`);
  for (const t of r3.rows("coincidences").map((x) => Date.parse(String(x.time)))) assert.ok(t >= d3[0] && t <= d3[1]);
});

test("PNGs carry their width: 2× pixels drawn at 1× (Jupyter metadata), no chart wider than MAX_CHART_WIDTH", async () => {
  const gc = lab.find((x) => x[0] === "gcStats")![1];
  const bundles = await valueBundles(gc);
  const last = bundles[bundles.length - 1];
  const png = Buffer.from(String(last["image/png"]), "base64");
  const meta = bundleMetadata(last) as { "image/png": { width: number; height: number } };
  assert.equal(PNG_SCALE, 2);
  assert.equal(meta["image/png"].width, pngSize(png).width / 2);
  // A chart alone (not in a report) carries it too.
  const chartBundles = await valueBundles(gc.chart("heap"));
  assert.ok((bundleMetadata(chartBundles[0]) as Spec)["image/png"].width > 300);
  const wide: string[] = [];
  for (const [ds, helper, r] of all())
    for (const name of r.chartNames) {
      // The SVG's width is the 1× width the PNG is drawn at (quicker than rendering every PNG).
      const w = Number(/<svg[^>]* width="([\d.]+)"/.exec(await r.chart(name).toSVG())![1]);
      if (w > MAX_CHART_WIDTH) wide.push(`${ds} ${helper}.${name}: ${w} px`);
    }
  assert.deepEqual(wide, []);
});
