/**
 * nodetool cfhistograms / tablehistograms (and, through the same core, proxyhistograms) text ->
 * one row per (table, metric, percentile).
 *
 * The text differs across versions; every form below was read from the printing code or from a
 * real output in test/fixtures/data:
 *  - 2.1 .. 5.0 and DSE (TableHistograms.java, `%-10s%10.2f%18.2f%18.2f%18.0f%18.0f`): a title
 *    `<ks>/<table> histograms`, a header `Percentile SSTables Write Latency Read Latency Partition Size
 *    Cell Count`, a units line `(micros) (micros) (bytes)`, and rows 50% 75% 95% 98% 99% Min Max.
 *    A table without SSTables is preceded by "No SSTables exists, unable to calculate 'Partition
 *    Size' and 'Cell Count' percentiles" and prints NaN; an overflowed histogram by "Row sizes are
 *    larger than N" / "Column counts are larger than N" and NaN for the percentiles.
 *  - proxyhistograms: title `proxy histograms`, 3 latency columns in 2.1/2.2, 6 in 3.x+ (CAS Read,
 *    CAS Write, View Write).
 *  - the old bucket list (1.x/2.0 `-c`, NodeCmd.printCfHistograms): header `Offset SSTables Write
 *    Latency Read Latency Row Size Column Count` (or Partition Size / Cell Count), one row per bucket
 *    offset with counts; percentiles are computed the way EstimatedHistogram.percentile does.
 *  - the old verbose list (2.0 default): sections "SSTables per Read", "Write Latency (microseconds)",
 *    ... with lines `<offset> <unit>: <count>` or "No Data".
 * Missing values (NaN, "No SSTables exists", empty histograms) are null, never 0: a column that
 * is 0 at every percentile is an empty histogram (no operations yet) and becomes null too.
 *
 * Line rules (first match wins), see {@link LINE_RULES}:
 * | rule            | example                                                        | effect                          |
 * |-----------------|----------------------------------------------------------------|---------------------------------|
 * | blank           | ""                                                             | ends a bucket/verbose section   |
 * | noise           | INFO  20:05:48 Cannot initialize un-mmaper ...                 | skipped, counted in notes       |
 * | table-title     | Keyspace1/Standard1 histograms                                 | starts a table                  |
 * | proxy-title     | proxy histograms                                               | starts the coordinator section  |
 * | no-sstables     | No SSTables exists, unable to calculate 'Partition Size' ...   | note; NaN values follow         |
 * | overflow        | Row sizes are larger than 25109160, unable to calculate ...    | note; NaN values follow         |
 * | header          | Percentile  SSTables     Write Latency ...  / Offset ...        | sets the columns; unknown name -> error |
 * | units           | (micros)          (micros)           (bytes)                   | skipped                         |
 * | percentile-row  | 99%             1.00            197.10  ...                    | one row per column              |
 * | bucket-row      | 1          0     0    12 ...   (after an Offset header)         | bucket counts                   |
 * | verbose-title   | Read Latency (microseconds)                                    | starts a verbose section        |
 * | verbose-bucket  | 1 sstables: 3   /  "No Data"                                   | bucket count                    |
 * | other           | anything else                                                  | skipped with its line number    |
 */
import { CassperfError } from "../errors";
import { isNoise, num, parseLines, type ParseOptions, type SkippedLine } from "./nodetool-common";
import { NodetoolOutputLines } from "./nodetool-output-lines";

/** The metrics a histogram row can be about, in the field's own words. */
export type HistogramMetric =
  | "read_latency"
  | "write_latency"
  | "range_latency"
  | "cas_read_latency"
  | "cas_write_latency"
  | "view_write_latency"
  | "sstables_per_read"
  | "partition_size"
  | "cell_count"
  /** From Cassandra 4.0+ system_views (per table, on the coordinator), not from nodetool. */
  | "coordinator_read_latency"
  | "coordinator_write_latency"
  | "coordinator_scan_latency"
  | "tombstones_per_read"
  | "rows_per_read"
  /** Client side (analyze/histograms/histograms-client.ts): traced request durations per coordinator, and bench operation latencies. */
  | "trace_duration"
  | "client_latency";

/** Units of a histogram value. */
export type HistogramUnit = "microseconds" | "bytes" | "count";

/** Percentile labels, as strings so one column holds them all: "50", "75", "95", "98", "99", "99.9", "min", "max". */
export type PercentileLabel = "50" | "75" | "95" | "98" | "99" | "99.9" | "min" | "max";

/** The order percentiles are shown in. */
export const PERCENTILE_ORDER: PercentileLabel[] = ["min", "50", "75", "95", "98", "99", "99.9", "max"];

/** One value of one histogram: a table's (or the coordinator's) metric at a percentile. */
export interface HistogramRow {
  /** Keyspace, or null for proxy (coordinator) histograms. */
  keyspace: string | null;
  /** Table name, or "proxy" for proxyhistograms. */
  table: string;
  metric: HistogramMetric;
  percentile: PercentileLabel;
  /** The value as printed; null when nodetool printed NaN or had no data. */
  value: number | null;
  unit: HistogramUnit;
  /** 1-based line the value was printed on. */
  line: number;
}

/** What a histogram parser returns. */
export interface HistogramParse {
  rows: HistogramRow[];
  /** Tables (or "proxy") found, in file order, with the notes nodetool printed about them. */
  tables: {
    keyspace: string | null;
    table: string;
    line: number;
    notes: string[] /** Metrics whose histogram was empty (all zeros), kept as null. */;
    empty: HistogramMetric[];
  }[];
  /** Lines not understood (not noise): kept for the helper's notes. */
  skipped: SkippedLine[];
  /** JVM/launcher noise lines skipped (count). */
  noise: number;
  /** When the file holds nodetool's error message instead of histograms. */
  nodetoolError?: string;
}

/** Column names nodetool prints, -> metric and unit. Old names (Row Size, Column Count) included. */
export const COLUMNS: Record<string, { metric: HistogramMetric; unit: HistogramUnit }> = {
  SSTables: { metric: "sstables_per_read", unit: "count" },
  "Write Latency": { metric: "write_latency", unit: "microseconds" },
  "Read Latency": { metric: "read_latency", unit: "microseconds" },
  "Range Latency": { metric: "range_latency", unit: "microseconds" },
  "CAS Read Latency": { metric: "cas_read_latency", unit: "microseconds" },
  "CAS Write Latency": { metric: "cas_write_latency", unit: "microseconds" },
  "View Write Latency": { metric: "view_write_latency", unit: "microseconds" },
  "Partition Size": { metric: "partition_size", unit: "bytes" },
  "Row Size": { metric: "partition_size", unit: "bytes" },
  "Cell Count": { metric: "cell_count", unit: "count" },
  "Column Count": { metric: "cell_count", unit: "count" },
};

/** Titles of the 2.0 verbose format's sections. */
const VERBOSE_TITLES: Record<string, { metric: HistogramMetric; unit: HistogramUnit }> = {
  "SSTables per Read": COLUMNS.SSTables,
  "Write Latency (microseconds)": COLUMNS["Write Latency"],
  "Read Latency (microseconds)": COLUMNS["Read Latency"],
  "Range Latency (microseconds)": COLUMNS["Range Latency"],
  "Partition Size (bytes)": COLUMNS["Partition Size"],
  "Row Size (bytes)": COLUMNS["Partition Size"],
  "Cell Count per Partition": COLUMNS["Cell Count"],
  "Column Count per Row": COLUMNS["Cell Count"],
};

const PERCENTILE_LABEL: Record<string, PercentileLabel> = { "50%": "50", "75%": "75", "95%": "95", "98%": "98", "99%": "99", Min: "min", Max: "max" };

/** Known column names, longest first: a longer name wins over a shorter one it starts with. */
const KNOWN_COLUMNS = Object.keys(COLUMNS).sort((a, b) => b.length - a.length);

/** Split a header line into known column names; returns the unknown remainder when there is one. */
function headerColumns(line: string): { first: string; names: string[]; unknown?: string } {
  const m = /^(Percentile|Offset)\s+(.*)$/.exec(line.trim());
  if (!m) return { first: "", names: [], unknown: line.trim() };
  const names: string[] = [];
  let rest = m[2].trim();
  while (rest.length) {
    const k = KNOWN_COLUMNS.find((n) => rest.startsWith(n) && (rest.length === n.length || /\s/.test(rest[n.length])));
    if (!k) return { first: m[1], names, unknown: rest.split(/\s{2,}/)[0] };
    names.push(k);
    rest = rest.slice(k.length).trim();
  }
  return { first: m[1], names };
}

/**
 * Percentiles from bucket counts the way Cassandra's EstimatedHistogram does: the offset of the
 * first bucket whose running count reaches floor(total * p); min = the offset before the first
 * non-empty bucket (0 for the first); max = the offset of the last non-empty bucket. Empty -> null.
 */
export function bucketPercentiles(offsets: number[], counts: number[]): Record<PercentileLabel, number | null> {
  const out = { min: null, "50": null, "75": null, "95": null, "98": null, "99": null, "99.9": null, max: null } as Record<PercentileLabel, number | null>;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return out;
  const first = counts.findIndex((c) => c > 0);
  let last = -1;
  for (let i = counts.length - 1; i >= 0; i--)
    if (counts[i] > 0) {
      last = i;
      break;
    }
  out.min = first === 0 ? 0 : offsets[first - 1];
  out.max = offsets[last];
  for (const [label, p] of [
    ["50", 0.5],
    ["75", 0.75],
    ["95", 0.95],
    ["98", 0.98],
    ["99", 0.99],
  ] as [PercentileLabel, number][]) {
    const want = Math.floor(total * p);
    if (want === 0) {
      out[label] = 0;
      continue;
    }
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= want) {
        out[label] = offsets[i];
        break;
      }
    }
  }
  return out;
}

type State = {
  keyspace: string | null;
  table: string | undefined;
  columns: { metric: HistogramMetric; unit: HistogramUnit }[] | undefined;
  mode: "percentile" | "bucket" | "verbose" | undefined;
  buckets: { offsets: number[]; counts: number[][]; line: number } | undefined;
  verbose: { metric: HistogramMetric; unit: HistogramUnit; offsets: number[]; counts: number[]; line: number } | undefined;
  /** Notes printed before a table's title ("No SSTables exists ...") belong to the table that follows. */
  pendingNotes: string[];
};

/** One line rule: a name, a test, and what it does to the parse. */
interface LineRule {
  name: string;
  test: (line: string, st: State) => RegExpExecArray | boolean | null;
  apply: (m: RegExpExecArray | boolean, ctx: { line: string; n: number; st: State; out: HistogramParse; file: string; flush: () => void }) => void;
}

const re = (r: RegExp) => (line: string) => r.exec(line);

/** The line rules, first match wins (see the table in this file's top comment). */
export const LINE_RULES: LineRule[] = [
  { name: "blank", test: (l) => l.trim() === "", apply: (_m, c) => c.flush() },
  { name: "noise", test: (l) => isNoise(l), apply: (_m, c) => void c.out.noise++ },
  {
    name: "table-title",
    test: re(/^(\S+)\/(\S+) histograms\s*$/),
    apply: (m, c) => {
      const mm = m as RegExpExecArray;
      c.flush();
      startTable(c.st, c.out, mm[1], mm[2], c.n);
    },
  },
  {
    name: "proxy-title",
    test: re(/^proxy histograms\s*$/),
    apply: (_m, c) => {
      c.flush();
      startTable(c.st, c.out, null, "proxy", c.n);
    },
  },
  {
    name: "no-sstables",
    test: re(/^No SSTables exists, unable to calculate/),
    apply: (_m, c) => {
      c.st.pendingNotes.push(`line ${c.n}: ${c.line.trim()}`);
    },
  },
  {
    name: "overflow",
    test: re(/^(Row sizes|Column counts|Partition sizes|Cell counts) are larger than (\d+)/),
    apply: (_m, c) => void c.st.pendingNotes.push(`line ${c.n}: ${c.line.trim()}`),
  },
  {
    name: "header",
    test: re(/^\s*(Percentile|Offset)\s+\S/),
    apply: (_m, c) => {
      const h = headerColumns(c.line);
      if (h.unknown !== undefined) {
        throw new CassperfError(`${c.file}: line ${c.n}: unknown histogram column "${h.unknown}" in header "${c.line.trim()}".`, {
          hint: `expected columns among: ${Object.keys(COLUMNS).join(", ")}`,
        });
      }
      if (c.st.table === undefined) {
        // A header without a title: a single-table output whose title was cut off; keep it, named "?".
        startTable(c.st, c.out, null, "?", c.n);
      }
      c.st.columns = h.names.map((n) => COLUMNS[n]);
      c.st.mode = h.first === "Offset" ? "bucket" : "percentile";
      if (c.st.mode === "bucket") c.st.buckets = { offsets: [], counts: h.names.map(() => []), line: c.n };
    },
  },
  { name: "units", test: re(/^\s+\((micros|bytes)\)/), apply: () => {} },
  {
    name: "percentile-row",
    test: (l, st) => st.mode === "percentile" && /^(50%|75%|95%|98%|99%|Min|Max)\s/.exec(l),
    apply: (m, c) => {
      const mm = m as RegExpExecArray;
      const values = c.line.trim().split(/\s+/).slice(1);
      const cols = c.st.columns!;
      if (values.length !== cols.length) {
        c.out.skipped.push({ line: c.n, text: c.line, reason: `expected ${cols.length} values after ${mm[1]}, found ${values.length}` });
        return;
      }
      cols.forEach((col, i) =>
        c.out.rows.push({
          keyspace: c.st.keyspace,
          table: c.st.table!,
          metric: col.metric,
          percentile: PERCENTILE_LABEL[mm[1]],
          value: num(values[i]),
          unit: col.unit,
          line: c.n,
        }),
      );
    },
  },
  {
    name: "bucket-row",
    test: (l, st) => st.mode === "bucket" && /^(\d+)\s/.exec(l),
    apply: (_m, c) => {
      const values = c.line.trim().split(/\s+/);
      const b = c.st.buckets!;
      b.offsets.push(Number(values[0]));
      b.counts.forEach((col, i) => col.push(Number(values[i + 1] ?? 0) || 0));
    },
  },
  {
    name: "verbose-title",
    test: (l) => Object.hasOwn(VERBOSE_TITLES, l.trim()),
    apply: (_m, c) => {
      c.flush();
      if (c.st.table === undefined) startTable(c.st, c.out, null, "?", c.n);
      const t = VERBOSE_TITLES[c.line.trim()];
      c.st.mode = "verbose";
      c.st.verbose = { ...t, offsets: [], counts: [], line: c.n };
    },
  },
  {
    name: "verbose-bucket",
    test: (l, st) => st.mode === "verbose" && (/^\s*(\d+) (sstables|us|bytes|cells|columns): (\d+)\s*$/.exec(l) ?? /^No Data\s*$/.test(l)),
    apply: (m, c) => {
      if (m === true) return;
      const mm = m as RegExpExecArray;
      c.st.verbose!.offsets.push(Number(mm[1]));
      c.st.verbose!.counts.push(Number(mm[3]));
    },
  },
];

/** The percentiles a bucket histogram's rows are given at, in the order nodetool prints them. */
const BUCKET_LABELS: PercentileLabel[] = ["50", "75", "95", "98", "99", "min", "max"];

/** Push the rows of one bucket histogram (its offsets and counts) for the current table. */
function pushBucketRows(
  out: HistogramParse,
  st: State,
  col: { metric: HistogramMetric; unit: HistogramUnit },
  offsets: number[],
  counts: number[],
  line: number,
): void {
  const p = bucketPercentiles(offsets, counts);
  for (const label of BUCKET_LABELS)
    out.rows.push({ keyspace: st.keyspace, table: st.table!, metric: col.metric, percentile: label, value: p[label], unit: col.unit, line });
}

function startTable(st: State, out: HistogramParse, keyspace: string | null, table: string, line: number) {
  st.keyspace = keyspace;
  st.table = table;
  st.columns = undefined;
  st.mode = undefined;
  out.tables.push({ keyspace, table, line, notes: st.pendingNotes, empty: [] });
  st.pendingNotes = [];
}

/**
 * An all-zero column is an empty histogram (no reads, no writes, no SSTables since the node
 * started; 2.1.0 prints 0 where later versions print NaN): its values become null, and the
 * table's `empty` lists the metric. A real latency, partition size or cell count is never 0
 * at every percentile.
 */
function markEmpty(out: HistogramParse) {
  const groups = new Map<string, HistogramRow[]>();
  for (const r of out.rows) {
    const k = `${r.keyspace}\u0000${r.table}\u0000${r.metric}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  for (const g of groups.values()) {
    if (!g.every((r) => r.value === 0)) continue;
    for (const r of g) r.value = null;
    const t = out.tables.find((x) => x.keyspace === g[0].keyspace && x.table === g[0].table);
    if (t) t.empty.push(g[0].metric);
  }
}

/**
 * The histogram parser fed one line at a time (a {@link NodetoolOutputLines}), so a recorded output of
 * any size is parsed as it is read. It keeps the rows and tables of the result and the bucket counts
 * of the one histogram being read; the base class keeps nodetool's error check (two lines): an output
 * that is nodetool's error message gives that message whatever the parser made of its lines, as when
 * the check ran on the whole text first.
 * @example const p = new TablehistogramsLines({ file }); lines.forEach((l, i) => p.feed(l, i + 1)); p.end().rows
 */
export class TablehistogramsLines extends NodetoolOutputLines<HistogramParse> {
  private readonly file: string;
  private readonly out: HistogramParse = { rows: [], tables: [], skipped: [], noise: 0 };
  private readonly st: State = {
    keyspace: null,
    table: undefined,
    columns: undefined,
    mode: undefined,
    buckets: undefined,
    verbose: undefined,
    pendingNotes: [],
  };
  private readonly ctx: { line: string; n: number; st: State; out: HistogramParse; file: string; flush: () => void };

  constructor(options: ParseOptions = {}) {
    super();
    this.file = options.file ?? "tablehistograms output";
    this.ctx = { line: "", n: 0, st: this.st, out: this.out, file: this.file, flush: () => this.flush() };
  }

  protected empty(): HistogramParse {
    return { rows: [], tables: [], skipped: [], noise: 0 };
  }

  protected line(line: string, n: number): void {
    this.rule(line, n);
  }

  protected result(): HistogramParse {
    const out = this.out;
    this.flush();
    markEmpty(out);
    if (out.tables.length === 0 && out.rows.length === 0) {
      const first = out.skipped[0];
      throw new CassperfError(
        `${this.file}: line ${first?.line ?? 1}: expected nodetool histogram output ("<keyspace>/<table> histograms" or "proxy histograms" and a Percentile header), found "${(first?.text ?? "").trim().slice(0, 80)}".`,
        { hint: "pass the output of nodetool cfhistograms/tablehistograms <ks> <table> or nodetool proxyhistograms" },
      );
    }
    return out;
  }

  /** One line through {@link LINE_RULES}, first match wins; no match is a skipped line. */
  private rule(line: string, n: number): void {
    const c = this.ctx;
    c.line = line;
    c.n = n;
    for (const rule of LINE_RULES) {
      const m = rule.test(line, this.st);
      if (!m) continue;
      rule.apply(m, c);
      return;
    }
    this.out.skipped.push({
      line: n,
      text: line,
      reason: this.st.table === undefined ? "before any '<keyspace>/<table> histograms' title" : "not a histogram line",
    });
  }

  /** End the bucket list or verbose section being read: its percentiles become rows. */
  private flush(): void {
    const { st, out } = this;
    if (st.buckets && st.columns) {
      const b = st.buckets;
      st.columns.forEach((col, i) => pushBucketRows(out, st, col, b.offsets, b.counts[i], b.line));
      st.buckets = undefined;
      st.mode = undefined;
    }
    if (st.verbose) {
      const v = st.verbose;
      pushBucketRows(out, st, v, v.offsets, v.counts, v.line);
      st.verbose = undefined;
    }
  }
}

/**
 * Parse the text of `nodetool cfhistograms` / `tablehistograms` (any version, any number of
 * tables) or `proxyhistograms`: {@link TablehistogramsLines} fed the text's lines.
 * @param text the output as nodetool printed it
 * @param options.file the file name, used in errors and notes
 * @throws CassperfError naming the file and line when a header has a column this parser does not know
 * @example parseTablehistograms(fs.readFileSync("nodes/10.0.0.1/nodetool/cfhistograms", "utf8"), { file: "cfhistograms" }).rows
 */
export function parseTablehistograms(text: string, options: ParseOptions = {}): HistogramParse {
  return parseLines(new TablehistogramsLines(options), text);
}
