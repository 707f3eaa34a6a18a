/**
 * The histogram parsers on every histogram output in test/fixtures/data (DSE 6.8 cfhistograms for all
 * 79 tables, the 2.1.17 bundle's three nodes, the lab's 2.1.0 outputs, the JmxScraper dump), with
 * values asserted exactly as printed; and on texts written with the printf formats of
 * TableHistograms.java / ProxyHistograms.java / 2.0 NodeCmd for the forms no real file here has.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { data } from "./support";
import { parseTablehistograms, bucketPercentiles, type HistogramRow } from "../src/parse/nodetool-tablehistograms";
import { parseProxyhistograms } from "../src/parse/nodetool-proxyhistograms";
import { parseJmxScraper, jmxHistogramRows } from "../src/parse/jmx-scraper";
import { CassperfError } from "../src/errors";

const read = (...p: string[]) => fs.readFileSync(data(...p), "utf8");
const value = (rows: HistogramRow[], table: string, metric: string, percentile: string, keyspace?: string | null) => {
  const r = rows.filter((x) => x.table === table && x.metric === metric && x.percentile === percentile && (keyspace === undefined || x.keyspace === keyspace));
  assert.equal(r.length, 1, `one row for ${keyspace}.${table} ${metric} ${percentile}, found ${r.length}`);
  return r[0].value;
};

test("lab 2.1.0 cfhistograms: JVM warning skipped, values exactly as printed", () => {
  const p = parseTablehistograms(read("lab/nodetool-2.1-cfhistograms.txt"), { file: "nodetool-2.1-cfhistograms.txt" });
  assert.equal(p.noise, 1);
  assert.deepEqual(p.skipped, []);
  assert.deepEqual(
    p.tables.map((t) => `${t.keyspace}/${t.table}`),
    ["Keyspace1/Standard1"],
  );
  assert.equal(p.rows.length, 35);
  assert.equal(value(p.rows, "Standard1", "write_latency", "99"), 197.1);
  assert.equal(value(p.rows, "Standard1", "read_latency", "99"), 357.4);
  assert.equal(value(p.rows, "Standard1", "write_latency", "max"), 20836.45);
  assert.equal(value(p.rows, "Standard1", "read_latency", "max"), 26387.2);
  assert.equal(value(p.rows, "Standard1", "sstables_per_read", "50"), 1);
  assert.equal(value(p.rows, "Standard1", "sstables_per_read", "min"), 0);
  assert.equal(value(p.rows, "Standard1", "partition_size", "min"), 259);
  assert.equal(value(p.rows, "Standard1", "cell_count", "max"), 5);
  assert.equal(p.rows.find((r) => r.metric === "partition_size")!.unit, "bytes");
  assert.equal(p.rows.find((r) => r.metric === "read_latency" && r.percentile === "99")!.line, 9);
});

test("lab 2.1.0 proxyhistograms: 3 columns", () => {
  const p = parseProxyhistograms(read("lab/nodetool-2.1-proxyhistograms.txt"));
  assert.equal(p.rows.length, 21);
  assert.ok(p.rows.every((r) => r.table === "proxy" && r.keyspace === null && r.unit === "microseconds"));
  assert.equal(value(p.rows, "proxy", "read_latency", "99"), 5043.14);
  assert.equal(value(p.rows, "proxy", "write_latency", "99"), 1188.93);
  assert.equal(value(p.rows, "proxy", "range_latency", "99"), 9466.93);
  assert.equal(value(p.rows, "proxy", "write_latency", "max"), 111950.62);
  assert.equal(value(p.rows, "proxy", "read_latency", "min"), 5.75);
});

test("DSE 6.8 cfhistograms: every one of the 79 tables, NaN and 'No SSTables exists' as null", () => {
  const text = read("diag/dse68/nodes/172.17.0.2/nodetool/cfhistograms");
  const p = parseTablehistograms(text, { file: "cfhistograms" });
  const titles = text.split("\n").filter((l) => / histograms$/.test(l)).length;
  assert.equal(titles, 79);
  assert.equal(p.tables.length, 79);
  assert.equal(p.rows.length, 79 * 5 * 7);
  assert.deepEqual(p.skipped, []);
  // every table has all 5 metrics x 7 percentiles
  for (const t of p.tables) assert.equal(p.rows.filter((r) => r.keyspace === t.keyspace && r.table === t.table).length, 35, `${t.keyspace}.${t.table}`);
  assert.equal(p.tables.filter((t) => t.notes.some((n) => n.includes("No SSTables exists"))).length, 56);
  assert.equal(value(p.rows, "sparkmetastore", "partition_size", "50", "HiveMetaStore"), null);
  assert.equal(value(p.rows, "sparkmetastore", "cell_count", "max", "HiveMetaStore"), null);
  // 0.00 at every percentile: an empty histogram (no reads), kept as null, listed in `empty`
  assert.equal(value(p.rows, "sparkmetastore", "read_latency", "50", "HiveMetaStore"), null);
  assert.deepEqual(p.tables[0].empty, ["sstables_per_read", "write_latency", "read_latency"]);
  assert.equal(value(p.rows, "standard1", "read_latency", "99", "keyspace1"), null);
  assert.equal(value(p.rows, "insights_config", "sstables_per_read", "50", "dse_insights"), 0.33);
  assert.equal(value(p.rows, "insights_config", "read_latency", "max", "dse_insights"), 229.38);
  assert.equal(value(p.rows, "rm_shared_data", "partition_size", "min", "dse_analytics"), 536);
  assert.equal(value(p.rows, "standard1", "partition_size", "99", "keyspace1"), 20501);
  assert.equal(value(p.rows, "standard1", "partition_size", "max", "keyspace1"), 42510);
  assert.equal(value(p.rows, "standard1", "partition_size", "min", "keyspace1"), 180);
});

test("DSE 6.8 proxyhistograms: 6 columns including CAS and view writes", () => {
  const p = parseProxyhistograms(read("diag/dse68/nodes/172.17.0.2/nodetool/proxyhistograms"));
  assert.equal(p.rows.length, 42);
  assert.equal(value(p.rows, "proxy", "read_latency", "50"), 1817.53);
  assert.equal(value(p.rows, "proxy", "cas_read_latency", "50"), 2246.95);
  assert.equal(value(p.rows, "proxy", "cas_write_latency", "50"), 1872.46);
  assert.equal(value(p.rows, "proxy", "range_latency", "75"), 1572.86);
  assert.equal(value(p.rows, "proxy", "view_write_latency", "max"), null); // 0.00 in every row: no view writes
  assert.equal(value(p.rows, "proxy", "write_latency", "50"), null);
  assert.equal(value(p.rows, "proxy", "range_latency", "min"), 0); // one 0.00 in a column with values is kept
  assert.equal(value(p.rows, "proxy", "read_latency", "max"), 12582.91);
});

test("2.1.17 bundle: proxyhistograms of all 3 nodes; cfhistograms is nodetool's own error", () => {
  const expected: Record<string, [number, number, number]> = {};
  for (const node of ["10.101.34.191", "10.101.34.223", "10.101.35.67"]) {
    const cf = parseTablehistograms(read(`diag/cassandra-2.1.17/nodes/${node}/nodetool/cfhistograms`));
    assert.equal(cf.rows.length, 0);
    assert.equal(cf.nodetoolError, "nodetool: cfhistograms requires ks and cf args");
    const text = read(`diag/cassandra-2.1.17/nodes/${node}/nodetool/proxyhistograms`);
    const p = parseProxyhistograms(text);
    assert.equal(p.rows.length, 21, node);
    // cross-check every value against the printed line
    const line50 = text
      .split("\n")
      .find((l) => l.startsWith("50%"))!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    expected[node] = [line50[0], line50[1], line50[2]];
    assert.deepEqual([value(p.rows, "proxy", "read_latency", "50"), value(p.rows, "proxy", "range_latency", "50")], [expected[node][0], expected[node][2]]);
    // write latency: 0.00 at every percentile on .191 and .223 (no writes coordinated): null; .67 printed 6866.00 at 99%
    assert.equal(value(p.rows, "proxy", "write_latency", "99"), node === "10.101.35.67" ? 6866 : null);
  }
  const p = parseProxyhistograms(read("diag/cassandra-2.1.17/nodes/10.101.34.191/nodetool/proxyhistograms"));
  assert.equal(value(p.rows, "proxy", "read_latency", "50"), 642);
  assert.equal(value(p.rows, "proxy", "read_latency", "75"), 3973);
  assert.equal(value(p.rows, "proxy", "range_latency", "min"), 311);
  assert.equal(value(p.rows, "proxy", "read_latency", "max"), 8239);
});

test("JmxScraper dump: per-table latency and SSTables-per-read histograms, partition sizes, coordinator latencies", () => {
  const text = read("jmx/montecristo-metrics.jmx");
  const p = parseJmxScraper(text, { file: "montecristo-metrics.jmx" });
  assert.ok(p.attributes.length > 29_000);
  const rows = jmxHistogramRows(p.attributes);
  // type=Table wins over its alias type=ColumnFamily: 8 percentiles, not 16
  assert.equal(rows.filter((r) => r.keyspace === "keyspace1" && r.table === "standard1" && r.metric === "sstables_per_read").length, 8);
  assert.equal(value(rows, "standard1", "partition_size", "max", "keyspace1"), 258);
  assert.equal(value(rows, "columns", "partition_size", "max", "system_schema"), 8239);
  assert.equal(value(rows, "types", "partition_size", "max", "system_schema"), 29);
  // Count: 0 -> the printed 0.0 percentiles are missing (null)
  assert.equal(value(rows, "standard1", "read_latency", "99", "keyspace1"), null);
  assert.equal(value(rows, "standard1", "read_latency", "99.9", "keyspace1"), null);
  // a 0-byte partition-size gauge means no SSTables: null
  assert.equal(value(rows, "counter1", "partition_size", "max", "keyspace1"), null);
  for (const m of ["read_latency", "write_latency", "range_latency", "cas_read_latency", "cas_write_latency", "view_write_latency"])
    assert.equal(rows.filter((r) => r.table === "proxy" && r.metric === m).length, 8, m);
  // a real non-zero histogram: system.batches range latency
  assert.equal(value(rows, "batches", "range_latency", "50", "system"), 152.321);
  assert.equal(value(rows, "batches", "range_latency", "99", "system"), 219.342);
  assert.equal(value(rows, "batches", "range_latency", "max", "system"), 219.342);
  // the keyspace-less aggregate (type=ColumnFamily, name=RangeLatency, same 219.342) is not a table
  assert.ok(!rows.some((r) => r.keyspace === null && r.table !== "proxy"));
  assert.equal(rows.filter((r) => r.value === 219.342).length, 5);
  // Mean: NaN is not a percentile and is not turned into 0
  assert.ok(rows.every((r) => r.value === null || Number.isFinite(r.value)));
});

test("bucketPercentiles follows EstimatedHistogram: floor(count*p), min = previous offset", () => {
  const offsets = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12];
  const p = bucketPercentiles(offsets, [0, 0, 10, 0, 80, 0, 0, 9, 0, 1]);
  assert.equal(p["50"], 5);
  assert.equal(p["95"], 8);
  assert.equal(p["99"], 8);
  assert.equal(p.min, 2);
  assert.equal(p.max, 12);
  const empty = bucketPercentiles(
    offsets,
    offsets.map(() => 0),
  );
  assert.equal(empty["50"], null);
  assert.equal(empty.max, null);
});

// Texts written with the printf formats of the Cassandra source, for forms no real file here has.
const fmt = (w: number, s: string, left = false) => (left ? s.padEnd(w) : s.padStart(w));

test("3.x/4.x/5.0 TableHistograms format with an overflowed partition-size histogram", () => {
  const head = `${fmt(10, "Percentile", true)}${fmt(10, "SSTables")}${fmt(18, "Write Latency")}${fmt(18, "Read Latency")}${fmt(18, "Partition Size")}${fmt(18, "Cell Count")}`;
  const units = `${fmt(10, "", true)}${fmt(10, "")}${fmt(18, "(micros)")}${fmt(18, "(micros)")}${fmt(18, "(bytes)")}${fmt(18, "")}`;
  const row = (p: string, v: string[]) => `${fmt(10, p, true)}${fmt(10, v[0])}${fmt(18, v[1])}${fmt(18, v[2])}${fmt(18, v[3])}${fmt(18, v[4])}`;
  const text = [
    "Row sizes are larger than 25109160, unable to calculate percentiles",
    "shop/orders histograms",
    head,
    units,
    row("50%", ["2.00", "35.43", "454.83", "NaN", "42"]),
    row("75%", ["3.00", "42.51", "785.94", "NaN", "60"]),
    row("95%", ["6.00", "61.21", "4055.27", "NaN", "215"]),
    row("98%", ["8.00", "88.15", "8409.01", "NaN", "372"]),
    row("99%", ["10.00", "105.78", "12108.97", "NaN", "446"]),
    row("Min", ["0.00", "6.87", "20.50", "87", "1"]),
    row("Max", ["14.00", "454.83", "52066.35", "155469300", "1597"]),
    "",
  ].join("\n");
  const p = parseTablehistograms(text, { file: "tablehistograms" });
  assert.equal(p.rows.length, 35);
  assert.equal(value(p.rows, "orders", "sstables_per_read", "99"), 10);
  assert.equal(value(p.rows, "orders", "read_latency", "99"), 12108.97);
  assert.equal(value(p.rows, "orders", "partition_size", "99"), null);
  assert.equal(value(p.rows, "orders", "partition_size", "max"), 155469300);
  assert.match(p.tables[0].notes[0], /line 1: Row sizes are larger than 25109160/);
});

test("1.x/2.0 bucket list (Offset header) becomes percentiles", () => {
  const head = `${fmt(10, "Offset", true)}${fmt(10, "SSTables")}${fmt(18, "Write Latency")}${fmt(18, "Read Latency")}${fmt(18, "Row Size")}${fmt(18, "Column Count")}`;
  const offsets = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12];
  const cols: number[][] = [
    [90, 10, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 50, 50, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 99, 0, 0, 1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 100, 0, 0, 0, 0, 0, 0, 0, 0],
  ];
  const lines = [
    "ks/t histograms",
    head,
    ...offsets.map(
      (o, i) =>
        `${fmt(10, String(o), true)}${fmt(10, String(cols[0][i]))}${cols
          .slice(1)
          .map((c) => fmt(18, String(c[i])))
          .join("")}`,
    ),
  ];
  const p = parseTablehistograms(lines.join("\n"));
  assert.equal(value(p.rows, "t", "sstables_per_read", "50"), 1);
  assert.equal(value(p.rows, "t", "sstables_per_read", "99"), 2);
  assert.equal(value(p.rows, "t", "write_latency", "50"), 4);
  assert.equal(value(p.rows, "t", "read_latency", "99"), 7);
  assert.equal(value(p.rows, "t", "read_latency", "max"), 12);
  assert.equal(value(p.rows, "t", "partition_size", "50"), null); // empty histogram: missing, not 0
  assert.equal(value(p.rows, "t", "cell_count", "max"), 2);
});

test("2.0 verbose sections ('Read Latency (microseconds)' / '<offset> us: <count>')", () => {
  const text = [
    "ks/t histograms",
    "",
    "SSTables per Read",
    "1 sstables: 70",
    "2 sstables: 30",
    "",
    "Write Latency (microseconds)",
    "No Data",
    "",
    "Read Latency (microseconds)",
    " 86 us: 10",
    "103 us: 80",
    "124 us: 10",
    "",
  ].join("\n");
  const p = parseTablehistograms(text);
  assert.equal(value(p.rows, "t", "sstables_per_read", "50"), 1);
  assert.equal(value(p.rows, "t", "sstables_per_read", "95"), 2);
  assert.equal(value(p.rows, "t", "write_latency", "99"), null);
  assert.equal(value(p.rows, "t", "read_latency", "50"), 103);
  assert.equal(value(p.rows, "t", "read_latency", "max"), 124);
});

test("bad input: an unknown header column is an error naming the file and line", () => {
  const text = "ks/t histograms\nPercentile  SSTables     Write Latency      Bogus Latency    Partition Size        Cell Count\n";
  assert.throws(
    () => parseTablehistograms(text, { file: "nodes/n1/nodetool/tablehistograms" }),
    (e: unknown) => e instanceof CassperfError && /nodes\/n1\/nodetool\/tablehistograms: line 2: unknown histogram column "Bogus Latency"/.test(e.message),
  );
  assert.throws(
    () => parseTablehistograms("Pool Name    Active   Pending\nReadStage 0 0\n", { file: "x.txt" }),
    (e: unknown) => e instanceof CassperfError && /x\.txt: line 1: expected nodetool histogram output/.test(e.message),
  );
  assert.deepEqual(parseTablehistograms("").rows, []);
});

test("bad input: a short row is skipped with its line number, not read as zeros", () => {
  const text = read("lab/nodetool-2.1-cfhistograms.txt").replace(/^95%.*$/m, "95%             1.00");
  const p = parseTablehistograms(text);
  assert.equal(p.skipped.length, 1);
  assert.equal(p.skipped[0].line, 7);
  assert.equal(p.rows.filter((r) => r.percentile === "95").length, 0);
});

test("4.0+ system_views table metrics (TableMetricTables.java columns) become histogram rows", async () => {
  const { systemViewsHistogramRows } = await import("../src/parse/system-views-latency");
  const lat = systemViewsHistogramRows("local_read_latency", [
    { keyspace_name: "shop", table_name: "orders", count: 1200n, p50th_ms: 0.454, p99th_ms: 12.109, max_ms: 52.066, per_second: 3.2 },
  ]);
  assert.deepEqual(
    lat.map((r) => [r.metric, r.percentile, r.value, r.unit]),
    [
      ["read_latency", "50", 454, "microseconds"],
      ["read_latency", "99", 12109, "microseconds"],
      ["read_latency", "max", 52066, "microseconds"],
    ],
  );
  const early = systemViewsHistogramRows("coordinator_write_latency", [
    { keyspace_name: "shop", table_name: "orders", count: 1, "50th_ms": 1.5, "99th_ms": null, max_ms: 2 },
  ]);
  assert.deepEqual(
    early.map((r) => [r.metric, r.percentile, r.value]),
    [
      ["coordinator_write_latency", "50", 1500],
      ["coordinator_write_latency", "99", null],
      ["coordinator_write_latency", "max", 2000],
    ],
  );
  const tomb = systemViewsHistogramRows("tombstones_per_read", [{ keyspace_name: "shop", table_name: "orders", count: 9, p50th: 0, p99th: 1109, max: 9887 }]);
  assert.equal(tomb.find((r) => r.percentile === "99")!.value, 1109);
  const size = systemViewsHistogramRows("max_partition_size", [{ keyspace_name: "shop", table_name: "orders", mebibytes: 214n }]);
  assert.deepEqual(
    size.map((r) => [r.metric, r.percentile, r.value, r.unit]),
    [["partition_size", "max", 214 * 1024 * 1024, "bytes"]],
  );
  assert.deepEqual(systemViewsHistogramRows("settings", [{ name: "x", value: "y" }]), []);
});
