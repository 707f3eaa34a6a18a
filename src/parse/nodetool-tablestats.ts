/**
 * nodetool cfstats / tablestats -> one row per table (and per keyspace), text or `-F json`.
 *
 * Text (2.1 .. 5.0, DSE; TableStatsPrinter.java): `Keyspace: ks` (2.x) or `Keyspace : ks` (3.x+),
 * keyspace fields indented by one tab, then `Table: t` / `Table (index): t` with fields indented
 * by two tabs, `----------------` between keyspaces. The sorted form (`-s`, 4.0+) prints
 * `Table: ks.t` at one tab without keyspace headers. Field names changed over versions
 * ("Space used (live), bytes:" in 2.1.0, "Space used (live):" later; "Number of keys (estimate)"
 * became "Number of partitions (estimate)"); every field is kept in `fields` under its printed
 * name, and the ones other helpers use are typed below. JSON (`-F json`, 3.x+): keyspace-centric
 * `{ks: {tables: {t: {...}}}}` or sorted `{"ks.t": {...}}` with snake_case keys.
 * Missing values (NaN, "N/A", "null") are null, never 0; a table with no SSTables has null
 * partition sizes (nodetool prints 0 there, meaning "no data").
 *
 * Line rules (first match wins):
 * | rule          | example                                                   | effect                               |
 * |---------------|-----------------------------------------------------------|--------------------------------------|
 * | blank         | ""                                                        | skipped                              |
 * | noise         | INFO  20:05:50 Cannot initialize un-mmaper ...            | skipped, counted                     |
 * | separator     | ----------------                                          | ends the keyspace                    |
 * | total         | Total number of tables: 79                                | total_tables                         |
 * | keyspace      | Keyspace: Keyspace1  /  Keyspace : dse_system             | starts a keyspace                    |
 * | table         | \t\tTable: Standard1 / \t\tTable (index): t.i / \tTable: ks.t | starts a table                   |
 * | field         | \t\tLocal read latency: 0.040 ms                          | a field of the table (or keyspace)   |
 * | other         | anything else                                             | skipped with its line number         |
 */
import { CassperfError } from "../errors";
import { bytes, isNoise, JsonOutputLines, num, numOf, parseLines, type ParseOptions, type SkippedLine } from "./nodetool-common";
import { NodetoolOutputLines } from "./nodetool-output-lines";

/** One table's statistics. Sizes in bytes, latencies in ms; null = not printed or NaN. */
export interface TableStats {
  keyspace: string;
  table: string;
  /** True for `Table (index): ...` (a secondary index). */
  is_index: boolean;
  sstable_count: number | null;
  /** SSTables per level for leveled compaction, as printed ("10/4" means 10 where 4 fit). */
  sstables_in_each_level: string[] | null;
  space_used_live_bytes: number | null;
  space_used_total_bytes: number | null;
  partitions_estimate: number | null;
  memtable_cell_count: number | null;
  memtable_data_size_bytes: number | null;
  memtable_switch_count: number | null;
  /** Local read count (reads served by this node's replica). */
  read_count: number | null;
  read_latency_ms: number | null;
  write_count: number | null;
  write_latency_ms: number | null;
  pending_flushes: number | null;
  bloom_filter_false_positives: number | null;
  bloom_filter_false_ratio: number | null;
  compression_ratio: number | null;
  /** Compacted partition minimum / maximum / mean bytes (null when the table has no SSTables). */
  partition_min_bytes: number | null;
  partition_max_bytes: number | null;
  partition_mean_bytes: number | null;
  /** Average / maximum live cells per slice (last five minutes). */
  live_cells_per_slice_mean: number | null;
  live_cells_per_slice_max: number | null;
  /** Average / maximum tombstones per slice (last five minutes). */
  tombstones_per_slice_mean: number | null;
  tombstones_per_slice_max: number | null;
  /** Droppable tombstone ratio (5.0+ / DSE, when printed). */
  droppable_tombstone_ratio: number | null;
  dropped_mutations: number | null;
  percent_repaired: number | null;
  /** Every field as printed: name -> value text. */
  fields: Record<string, string>;
  /** Line of the `Table:` line (0 for JSON). */
  line: number;
  /** Line of each typed field (key as in this interface, e.g. tombstones_per_slice_max), so a value is cited at the line that holds it; absent for JSON. */
  field_lines?: Record<string, number>;
}

/** A keyspace's totals as printed above its tables. */
export interface KeyspaceStats {
  keyspace: string;
  read_count: number | null;
  read_latency_ms: number | null;
  write_count: number | null;
  write_latency_ms: number | null;
  pending_flushes: number | null;
  fields: Record<string, string>;
  line: number;
}

/** What {@link parseTablestats} returns. */
export interface TablestatsParse {
  tables: TableStats[];
  keyspaces: KeyspaceStats[];
  /** "Total number of tables: N" when printed. */
  total_tables: number | null;
  skipped: SkippedLine[];
  noise: number;
  /** When the file holds nodetool's error message instead of stats. */
  nodetoolError?: string;
}

/** Printed field name (lower case, without ", bytes" and trailing ":") -> typed field. */
const TABLE_FIELDS: Record<string, { key: keyof TableStats; read: (v: string) => number | null }> = {
  "sstable count": { key: "sstable_count", read: num },
  "space used (live)": { key: "space_used_live_bytes", read: bytes },
  "space used (total)": { key: "space_used_total_bytes", read: bytes },
  "number of partitions (estimate)": { key: "partitions_estimate", read: (v) => nonNegative(num(v)) },
  "number of keys (estimate)": { key: "partitions_estimate", read: (v) => nonNegative(num(v)) },
  "memtable cell count": { key: "memtable_cell_count", read: num },
  "memtable columns count": { key: "memtable_cell_count", read: num },
  "memtable data size": { key: "memtable_data_size_bytes", read: bytes },
  "memtable switch count": { key: "memtable_switch_count", read: num },
  "local read count": { key: "read_count", read: num },
  "local read latency": { key: "read_latency_ms", read: ms },
  "local write count": { key: "write_count", read: num },
  "local write latency": { key: "write_latency_ms", read: ms },
  "pending flushes": { key: "pending_flushes", read: num },
  "pending tasks": { key: "pending_flushes", read: num },
  "bloom filter false positives": { key: "bloom_filter_false_positives", read: num },
  "bloom filter false ratio": { key: "bloom_filter_false_ratio", read: num },
  "sstable compression ratio": { key: "compression_ratio", read: (v) => nonNegative(num(v)) },
  "compacted partition minimum bytes": { key: "partition_min_bytes", read: num },
  "compacted partition maximum bytes": { key: "partition_max_bytes", read: num },
  "compacted partition mean bytes": { key: "partition_mean_bytes", read: num },
  "compacted row minimum bytes": { key: "partition_min_bytes", read: num },
  "compacted row maximum bytes": { key: "partition_max_bytes", read: num },
  "compacted row mean bytes": { key: "partition_mean_bytes", read: num },
  "average live cells per slice (last five minutes)": { key: "live_cells_per_slice_mean", read: num },
  "maximum live cells per slice (last five minutes)": { key: "live_cells_per_slice_max", read: num },
  "average tombstones per slice (last five minutes)": { key: "tombstones_per_slice_mean", read: num },
  "maximum tombstones per slice (last five minutes)": { key: "tombstones_per_slice_max", read: num },
  "droppable tombstone ratio": { key: "droppable_tombstone_ratio", read: num },
  "dropped mutations": { key: "dropped_mutations", read: num },
  "percent repaired": { key: "percent_repaired", read: num },
};

/** JSON key (snake_case, TableStatsHolder.convertStatsTableToMap) -> printed field name above. */
const JSON_KEYS: Record<string, string> = {
  sstable_count: "sstable count",
  space_used_live: "space used (live)",
  space_used_total: "space used (total)",
  number_of_partitions_estimate: "number of partitions (estimate)",
  memtable_cell_count: "memtable cell count",
  memtable_data_size: "memtable data size",
  memtable_switch_count: "memtable switch count",
  local_read_count: "local read count",
  local_read_latency_ms: "local read latency",
  local_write_count: "local write count",
  local_write_latency_ms: "local write latency",
  pending_flushes: "pending flushes",
  bloom_filter_false_positives: "bloom filter false positives",
  bloom_filter_false_ratio: "bloom filter false ratio",
  sstable_compression_ratio: "sstable compression ratio",
  compacted_partition_minimum_bytes: "compacted partition minimum bytes",
  compacted_partition_maximum_bytes: "compacted partition maximum bytes",
  compacted_partition_mean_bytes: "compacted partition mean bytes",
  average_live_cells_per_slice_last_five_minutes: "average live cells per slice (last five minutes)",
  maximum_live_cells_per_slice_last_five_minutes: "maximum live cells per slice (last five minutes)",
  average_tombstones_per_slice_last_five_minutes: "average tombstones per slice (last five minutes)",
  maximum_tombstones_per_slice_last_five_minutes: "maximum tombstones per slice (last five minutes)",
  droppable_tombstone_ratio: "droppable tombstone ratio",
  dropped_mutations: "dropped mutations",
  percent_repaired: "percent repaired",
};

function ms(v: string): number | null {
  return num(v.replace(/\s*ms\.?\s*$/, ""));
}
function nonNegative(v: number | null): number | null {
  return v === null || v < 0 ? null : v;
}
/** "Space used (live), bytes" -> "space used (live)". */
function fieldKey(name: string): string {
  return name
    .trim()
    .replace(/,\s*bytes$/i, "")
    .toLowerCase();
}

function emptyTable(keyspace: string, table: string, isIndex: boolean, line: number): TableStats {
  return {
    keyspace,
    table,
    is_index: isIndex,
    sstable_count: null,
    sstables_in_each_level: null,
    space_used_live_bytes: null,
    space_used_total_bytes: null,
    partitions_estimate: null,
    memtable_cell_count: null,
    memtable_data_size_bytes: null,
    memtable_switch_count: null,
    read_count: null,
    read_latency_ms: null,
    write_count: null,
    write_latency_ms: null,
    pending_flushes: null,
    bloom_filter_false_positives: null,
    bloom_filter_false_ratio: null,
    compression_ratio: null,
    partition_min_bytes: null,
    partition_max_bytes: null,
    partition_mean_bytes: null,
    live_cells_per_slice_mean: null,
    live_cells_per_slice_max: null,
    tombstones_per_slice_mean: null,
    tombstones_per_slice_max: null,
    droppable_tombstone_ratio: null,
    dropped_mutations: null,
    percent_repaired: null,
    fields: {},
    line,
  };
}

function setField(t: TableStats, name: string, value: string, line?: number) {
  t.fields[name.trim()] = value.trim();
  const key = fieldKey(name);
  const typed = TABLE_FIELDS[key]?.key;
  if (line && typed) (t.field_lines ??= {})[typed] = line;
  if (key === "sstables in each level") {
    t.sstables_in_each_level = value
      .replace(/^\s*\[|\]\s*$/g, "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    return;
  }
  const f = TABLE_FIELDS[key];
  if (f) (t as unknown as Record<string, number | null>)[f.key] = f.read(value);
}

/** A table with no SSTables has no partition sizes: nodetool prints 0, we keep null. */
function finishTable(t: TableStats) {
  if (t.sstable_count === 0) {
    t.partition_min_bytes = null;
    t.partition_max_bytes = null;
    t.partition_mean_bytes = null;
  }
}

function keyspaceField(k: KeyspaceStats, name: string, value: string) {
  k.fields[name.trim()] = value.trim();
  const key = fieldKey(name);
  if (key === "read count") k.read_count = num(value);
  else if (key === "read latency") k.read_latency_ms = ms(value);
  else if (key === "write count") k.write_count = num(value);
  else if (key === "write latency") k.write_latency_ms = ms(value);
  else if (key === "pending flushes" || key === "pending tasks") k.pending_flushes = num(value);
}

/**
 * The tablestats parser fed one line at a time (a {@link NodetoolOutputLines}: nodetool's error check
 * and an all-blank output are handled there), so a text output of any size is parsed as it is read;
 * it keeps the result and the keyspace and table being read. A `-F json` output (first character that
 * is not whitespace `{`) is collected and parsed whole at the end ({@link JsonOutputLines}, up to
 * nodetool-common's JSON_OUTPUT_MAX_CHARS: some 40,000 tables of ~1.5 KB, far past any real schema;
 * Cassandra 4.1's guardrail table_count_warn_threshold is 150 tables).
 * @example const p = new TablestatsLines({ file }); lines.forEach((l, i) => p.feed(l, i + 1)); p.end().tables
 */
export class TablestatsLines extends NodetoolOutputLines<TablestatsParse> {
  private readonly file: string;
  private readonly out: TablestatsParse = { tables: [], keyspaces: [], total_tables: null, skipped: [], noise: 0 };
  private ks: KeyspaceStats | undefined;
  private table: TableStats | undefined;
  /** Decided on the first line with more than whitespace: text, or `-F json` (collected whole). */
  private form: "text" | "json" | undefined;
  /** The JSON output's lines (blank lines before the form is known too). */
  private readonly json: JsonOutputLines;

  constructor(options: ParseOptions = {}) {
    super();
    this.file = options.file ?? "tablestats output";
    this.json = new JsonOutputLines(this.file, "nodetool tablestats");
  }

  protected empty(): TablestatsParse {
    return { tables: [], keyspaces: [], total_tables: null, skipped: [], noise: 0 };
  }

  protected line(line: string, n: number): void {
    if (this.form === undefined) {
      if (line.trim() === "") {
        this.json.add(line);
        return;
      }
      this.form = line.trimStart().startsWith("{") ? "json" : "text";
    }
    if (this.form === "json") this.json.add(line);
    else this.textLine(line, n);
  }

  protected result(): TablestatsParse {
    const out = this.out;
    if (this.form === "json") return parseJson(this.json, this.file);
    if (this.table) finishTable(this.table);
    if (!out.tables.length && !out.keyspaces.length) {
      const s = out.skipped[0];
      throw new CassperfError(
        `${this.file}: line ${s?.line ?? 1}: expected nodetool tablestats output ("Keyspace: <name>" then "Table: <name>"), found "${(s?.text ?? "").trim().slice(0, 80)}".`,
      );
    }
    return out;
  }

  /** One line of a text output, through the line rules of this file's top comment. */
  private textLine(line: string, n: number): void {
    const out = this.out;
    if (line.trim() === "") return;
    if (isNoise(line)) {
      out.noise++;
      return;
    }
    if (/^-{4,}\s*$/.test(line)) {
      if (this.table) finishTable(this.table);
      this.table = undefined;
      this.ks = undefined;
      return;
    }
    let m = /^Total number of tables:\s*(\d+)/.exec(line);
    if (m) {
      out.total_tables = Number(m[1]);
      return;
    }
    m = /^Keyspace\s*:\s*(\S+)\s*$/.exec(line);
    if (m) {
      if (this.table) finishTable(this.table);
      this.table = undefined;
      this.ks = {
        keyspace: m[1],
        read_count: null,
        read_latency_ms: null,
        write_count: null,
        write_latency_ms: null,
        pending_flushes: null,
        fields: {},
        line: n,
      };
      out.keyspaces.push(this.ks);
      return;
    }
    m = /^\s+Table( \(index\))?:\s*(\S+)\s*$/.exec(line);
    if (m) {
      if (this.table) finishTable(this.table);
      let keyspace = this.ks?.keyspace;
      let name = m[2];
      if (!keyspace) {
        // sorted form: "Table: ks.t"
        const dot = name.indexOf(".");
        if (dot < 0) {
          out.skipped.push({ line: n, text: line, reason: "table outside any keyspace" });
          this.table = undefined;
          return;
        }
        keyspace = name.slice(0, dot);
        name = name.slice(dot + 1);
      }
      this.table = emptyTable(keyspace, name, m[1] !== undefined, n);
      out.tables.push(this.table);
      return;
    }
    m = /^(\s+)([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (m) {
      if (this.table) setField(this.table, m[2], m[3], n);
      else if (this.ks) keyspaceField(this.ks, m[2], m[3]);
      else out.skipped.push({ line: n, text: line, reason: "field outside any keyspace or table" });
      return;
    }
    out.skipped.push({ line: n, text: line, reason: "not a tablestats line" });
  }
}

/**
 * Parse `nodetool cfstats` / `tablestats` output (text of any version, or `-F json`):
 * {@link TablestatsLines} fed the text's lines.
 * @throws CassperfError naming the file and line when the text is neither tablestats text nor its JSON
 * @example parseTablestats(text, { file: "nodes/10.0.0.1/nodetool/cfstats" }).tables.filter(t => t.sstable_count! > 10)
 */
export function parseTablestats(text: string, options: ParseOptions = {}): TablestatsParse {
  return parseLines(new TablestatsLines(options), text);
}

function parseJson(json: JsonOutputLines, file: string): TablestatsParse {
  let doc: Record<string, unknown>;
  try {
    doc = json.doc();
  } catch (e) {
    if (e instanceof CassperfError) throw e;
    throw new CassperfError(`${file}: not valid JSON (${(e as Error).message}); expected nodetool tablestats -F json output.`);
  }
  const out: TablestatsParse = {
    tables: [],
    keyspaces: [],
    total_tables: typeof doc.total_number_of_tables === "number" ? doc.total_number_of_tables : null,
    skipped: [],
    noise: 0,
  };
  const addTable = (keyspace: string, name: string, o: Record<string, unknown>) => {
    const t = emptyTable(keyspace, name, name.includes("."), 0);
    for (const [k, v] of Object.entries(o)) {
      if (k === "sstables_in_each_level" && Array.isArray(v)) {
        t.sstables_in_each_level = v.map(String);
        t.fields[k] = JSON.stringify(v);
        continue;
      }
      if (v !== null && typeof v === "object") {
        t.fields[k] = JSON.stringify(v);
        continue;
      }
      const printed = JSON_KEYS[k];
      if (printed) setField(t, printed, String(v));
      t.fields[k] = String(v);
      if (printed) delete t.fields[printed];
    }
    finishTable(t);
    out.tables.push(t);
  };
  for (const [k, v] of Object.entries(doc)) {
    if (k === "total_number_of_tables" || !v || typeof v !== "object") continue;
    const o = v as Record<string, unknown>;
    if (o.tables && typeof o.tables === "object") {
      out.keyspaces.push({
        keyspace: k,
        read_count: numOf(o.read_count),
        read_latency_ms: numOf(o.read_latency_ms ?? o.read_latency),
        write_count: numOf(o.write_count),
        write_latency_ms: numOf(o.write_latency_ms ?? o.write_latency),
        pending_flushes: numOf(o.pending_flushes),
        fields: Object.fromEntries(
          Object.entries(o)
            .filter(([x]) => x !== "tables")
            .map(([a, b]) => [a, String(b)]),
        ),
        line: 0,
      });
      for (const [tn, tv] of Object.entries(o.tables as Record<string, unknown>)) addTable(k, tn, tv as Record<string, unknown>);
    } else if (k.includes(".")) {
      addTable(k.slice(0, k.indexOf(".")), k.slice(k.indexOf(".") + 1), o);
    }
  }
  return out;
}
