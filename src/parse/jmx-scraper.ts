/**
 * JmxScraper text dumps -> attribute rows, and the latency / SSTables-per-read / partition-size
 * histograms in them -> the same rows nodetool histograms give.
 *
 * A dump (Montecristo's JmxScraper, test/fixtures/data/jmx/montecristo-metrics.jmx) has one attribute
 * per line: `<domain>{<key>=<value>, ...}[<composite key>]<Attribute>: <value>`, e.g.
 * `org.apache.cassandra.metrics{type=Table, keyspace=ks, scope=t, name=ReadLatency}[]99thPercentile: 219.342`.
 * Table metrics appear twice, under type=Table and the deprecated alias type=ColumnFamily: the
 * Table one wins, ColumnFamily is used only when a dump (pre-3.0) has no Table entry. Coordinator
 * latencies are type=ClientRequest, scope=Read|Write|RangeSlice|CASRead|CASWrite|ViewWrite, name=Latency.
 * Timers carry DurationUnit (microseconds in Cassandra); values are converted to microseconds.
 * A histogram with Count 0 recorded nothing: its percentiles are null (the dump prints 0.0); a
 * partition-size gauge of 0 means no SSTables: null.
 *
 * Line rules:
 * | rule      | example                                                               | effect                 |
 * |-----------|-----------------------------------------------------------------------|------------------------|
 * | blank     | ""                                                                    | skipped                |
 * | attribute | org.apache.cassandra.metrics{type=Table, ...}[]Max: 0.0                | one attribute row      |
 * | other     | anything else (a value that wrapped onto several lines)               | skipped, line kept     |
 */
import { CassperfError } from "../errors";
import { num, splitLines, type ParseOptions, type SkippedLine } from "./nodetool-common";
import type { HistogramMetric, HistogramRow, HistogramUnit, PercentileLabel } from "./nodetool-tablehistograms";

/** One attribute of one MBean. */
export interface JmxAttribute {
  /** JMX domain, e.g. org.apache.cassandra.metrics. */
  domain: string;
  /** The ObjectName's key properties (type, keyspace, scope, name, ...). */
  props: Record<string, string>;
  /** Composite-data key in brackets (e.g. "Usage"), "" for plain attributes. */
  composite: string;
  attribute: string;
  /** The value as printed. */
  value: string;
  line: number;
}

/** What {@link parseJmxScraper} returns. */
export interface JmxParse {
  attributes: JmxAttribute[];
  skipped: SkippedLine[];
}

const ATTRIBUTE_LINE = /^([\w.$-]+)\{([^}]*)\}\[([^\]]*)\]([^:]+): ?(.*)$/;

/**
 * Parse a JmxScraper dump into attribute rows.
 * @throws CassperfError naming the file when no line of it is a JmxScraper attribute line
 * @example parseJmxScraper(fs.readFileSync("metrics.jmx", "utf8"), { file: "metrics.jmx" }).attributes.length
 */
export function parseJmxScraper(text: string, options: ParseOptions = {}): JmxParse {
  const file = options.file ?? "JmxScraper dump";
  const out: JmxParse = { attributes: [], skipped: [] };
  if (text.trim() === "") return out;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === "") continue;
    const m = ATTRIBUTE_LINE.exec(l);
    if (!m) {
      out.skipped.push({ line: i + 1, text: l, reason: "not a `domain{props}[key]Attribute: value` line" });
      continue;
    }
    const props: Record<string, string> = {};
    for (const kv of m[2].split(/,\s*/)) {
      const eq = kv.indexOf("=");
      if (eq > 0) props[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
    }
    out.attributes.push({ domain: m[1], props, composite: m[3], attribute: m[4].trim(), value: m[5], line: i + 1 });
  }
  if (out.attributes.length === 0) {
    const s = out.skipped[0];
    throw new CassperfError(
      `${file}: line ${s.line}: expected JmxScraper lines like "org.apache.cassandra.metrics{type=Table, ...}[]Max: 0.0", found "${s.text.slice(0, 80)}".`,
    );
  }
  return out;
}

/** Table metric names -> histogram metric. */
const TABLE_METRICS: Record<string, { metric: HistogramMetric; unit: HistogramUnit }> = {
  ReadLatency: { metric: "read_latency", unit: "microseconds" },
  WriteLatency: { metric: "write_latency", unit: "microseconds" },
  RangeLatency: { metric: "range_latency", unit: "microseconds" },
  SSTablesPerReadHistogram: { metric: "sstables_per_read", unit: "count" },
};

/** Partition-size gauges (bytes) -> percentile label. Pre-3.0 names (Row) included. */
const PARTITION_GAUGES: Record<string, PercentileLabel> = { MaxPartitionSize: "max", MinPartitionSize: "min", MaxRowSize: "max", MinRowSize: "min" };

/** ClientRequest scopes -> coordinator metric. */
const PROXY_SCOPES: Record<string, HistogramMetric> = {
  Read: "read_latency",
  Write: "write_latency",
  RangeSlice: "range_latency",
  CASRead: "cas_read_latency",
  CASWrite: "cas_write_latency",
  ViewWrite: "view_write_latency",
};

/** Histogram attributes -> percentile label. */
const PERCENTILE_ATTRS: Record<string, PercentileLabel> = {
  "50thPercentile": "50",
  "75thPercentile": "75",
  "95thPercentile": "95",
  "98thPercentile": "98",
  "99thPercentile": "99",
  "999thPercentile": "99.9",
  Min: "min",
  Max: "max",
};

const TO_MICROS: Record<string, number> = { nanoseconds: 0.001, microseconds: 1, milliseconds: 1000, seconds: 1e6 };

/**
 * The histogram rows of a JmxScraper dump: per-table read/write/range latency and SSTables per
 * read, partition size min/max, and the coordinator (table "proxy") latencies.
 * @example jmxHistogramRows(parseJmxScraper(text).attributes).filter(r => r.table === "proxy")
 */
export function jmxHistogramRows(attributes: JmxAttribute[]): HistogramRow[] {
  // Group attributes per MBean; keep Table over ColumnFamily for the same keyspace/table/name.
  type Bean = {
    type: string;
    keyspace: string | null;
    table: string;
    name: string;
    metric: HistogramMetric;
    unit: HistogramUnit;
    attrs: Map<string, JmxAttribute>;
  };
  const beans = new Map<string, Bean>();
  // Partition-size rows by keyspace/table/label, in first-seen order: a ColumnFamily gauge never replaces one already there.
  const partition = new Map<string, HistogramRow>();
  for (const a of attributes) {
    if (a.domain !== "org.apache.cassandra.metrics" || a.composite !== "") continue;
    const p = a.props;
    if ((p.type === "Table" || p.type === "ColumnFamily") && p.keyspace && p.scope && p.name) {
      const label = PARTITION_GAUGES[p.name];
      if (label && a.attribute === "Value") {
        const key = `${p.keyspace}\u0000${p.scope}\u0000${label}`;
        if (partition.has(key) && p.type === "ColumnFamily") continue;
        // A 0-byte partition does not exist: 0 means the table has no SSTables.
        const v = num(a.value);
        partition.set(key, {
          keyspace: p.keyspace,
          table: p.scope,
          metric: "partition_size",
          percentile: label,
          value: v === 0 ? null : v,
          unit: "bytes",
          line: a.line,
        });
        continue;
      }
      const m = TABLE_METRICS[p.name];
      if (!m) continue;
      const key = `${p.type}\u0000${p.keyspace}\u0000${p.scope}\u0000${p.name}`;
      let b = beans.get(key);
      if (!b) beans.set(key, (b = { type: p.type, keyspace: p.keyspace, table: p.scope, name: p.name, ...m, attrs: new Map() }));
      b.attrs.set(a.attribute, a);
    } else if (p.type === "ClientRequest" && p.name === "Latency" && p.scope && PROXY_SCOPES[p.scope]) {
      const key = `proxy\u0000${p.scope}`;
      let b = beans.get(key);
      if (!b)
        beans.set(
          key,
          (b = { type: "ClientRequest", keyspace: null, table: "proxy", name: p.name, metric: PROXY_SCOPES[p.scope], unit: "microseconds", attrs: new Map() }),
        );
      b.attrs.set(a.attribute, a);
    }
  }
  const rows: HistogramRow[] = [];
  for (const b of beans.values()) {
    if (b.type === "ColumnFamily" && beans.has(`Table\u0000${b.keyspace}\u0000${b.table}\u0000${b.name}`)) continue;
    // Count 0: nothing recorded, the percentiles (printed 0.0) are missing, not 0.
    const empty = b.attrs.get("Count")?.value.trim() === "0";
    const unitName = b.attrs.get("DurationUnit")?.value.trim();
    const factor = b.unit === "microseconds" && unitName ? (TO_MICROS[unitName] ?? 1) : 1;
    for (const [attr, label] of Object.entries(PERCENTILE_ATTRS)) {
      const a = b.attrs.get(attr);
      if (!a) continue;
      const v = num(a.value);
      rows.push({
        keyspace: b.keyspace,
        table: b.table,
        metric: b.metric,
        percentile: label,
        value: v === null || empty ? null : v * factor,
        unit: b.unit,
        line: a.line,
      });
    }
  }
  return rows.concat([...partition.values()]);
}
