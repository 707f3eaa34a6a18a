/**
 * cassandra-stress output (2.1 through 4.x/5.0) -> per-interval rows and the printed summary.
 *
 * cassandra-stress prints, per run ("Running WRITE with 32 threads ..."), a header line, one row per
 * reporting interval, then a "Results:" block. The formats differ by version:
 *  - 2.1: `partitions, op/s, pk/s, row/s, mean, med, .95, .99, .999, max, time, stderr[, gc: #, ...]`,
 *    total rows only; summary `op rate : 8107`.
 *  - 3.x: `type       total ops, op/s, ...` (the header has no comma between "type" and "total ops"
 *    but rows do: `total,  38887, ...`), per-op rows (`READ,`, `WRITE,`) for mixed runs, `errors`;
 *    summary `op rate : 8107 [WRITE:8107]`.
 *  - 4.x/5.0: the same columns with the type padded to 50 characters; summary
 *    `Op rate : 8,107 op/s [WRITE: 8,107 op/s]`, `Latency 99th percentile : 13.3 ms [...]`.
 * Rows are read by header name, so column order and optional GC columns do not matter.
 *
 * Parsing is a table of line rules (LINE_RULES); lines no rule claims are returned as `skipped`
 * with their line numbers (JVM warnings, driver INFO lines, "Unable to create stress keyspace", ...).
 * Pure: text in, rows out, no I/O.
 */

/** One reporting interval of one operation type (or "total"). Latencies in milliseconds. */
export interface StressIntervalRow {
  /** Index of the run (section) in the file, 0-based: a file may hold several (thread-count sweeps). */
  run: number;
  /** Operation type: WRITE, READ, ... or "total" when the row is the total of all types. */
  op: string;
  /** Elapsed seconds since the run started, as printed (`time`). */
  time_s: number;
  /** Cumulative operations (or partitions, in 2.1) so far, as printed. */
  total_ops: number | null;
  ops_per_s: number;
  partitions_per_s: number | null;
  rows_per_s: number | null;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  p99_9_ms: number | null;
  max_ms: number | null;
  /** Errors in the interval (3.x and later; null in 2.1, which does not print them). */
  errors: number | null;
  /** Stress's own standard error of the op rate (its convergence measure). */
  stderr: number | null;
  /** 1-based line number of the row in the file. */
  line: number;
}

/** The "Results:" block of one run. Per-op values when stress printed `[READ: x, WRITE: y]`. */
export interface StressSummary {
  ops_per_s?: number;
  partitions_per_s?: number;
  rows_per_s?: number;
  mean_ms?: number;
  p50_ms?: number;
  p95_ms?: number;
  p99_ms?: number;
  p99_9_ms?: number;
  max_ms?: number;
  total_partitions?: number;
  total_errors?: number;
  /** "Total operation time" in seconds. */
  duration_s?: number;
  /** Per-op breakdown of each field, e.g. { ops_per_s: { READ: 2500, WRITE: 2600 } }. */
  byOp: Record<string, Record<string, number>>;
}

/** One run (section) of a stress output. */
export interface StressRun {
  index: number;
  /** Operation(s) from the "Running ..." line, e.g. ["WRITE"] or ["READ", "WRITE"]. */
  ops: string[];
  threads?: number;
  /** Iterations ("for 50000 iterations") or a duration ("for 60s"), as printed. */
  bound?: string;
  /** Header columns as printed, normalised. */
  columns: string[];
  intervals: StressIntervalRow[];
  summary: StressSummary;
  /** Line where the run starts. */
  line: number;
}

/** A parsed file. */
export interface StressOutput {
  runs: StressRun[];
  /** Lines no rule claimed: count and examples (line number + text). */
  skipped: { line: number; text: string }[];
  /** Lines recognised as stress's own chatter (warm-up, connection, sleeping...), counted, not kept. */
  chatter: number;
  /** Version family guessed from the format: "2.1", "3.x" or "4.x". */
  format?: "2.1" | "3.x" | "4.x";
}

/** Header names as printed -> our field names. */
const HEADER_FIELDS: Record<string, keyof StressIntervalRow | "type" | "ignore"> = {
  type: "type",
  "total ops": "total_ops",
  partitions: "total_ops",
  total: "total_ops",
  "op/s": "ops_per_s",
  "pk/s": "partitions_per_s",
  "row/s": "rows_per_s",
  mean: "mean_ms",
  med: "p50_ms",
  ".95": "p95_ms",
  ".99": "p99_ms",
  ".999": "p99_9_ms",
  max: "max_ms",
  time: "time_s",
  stderr: "stderr",
  errors: "errors",
  "gc: #": "ignore",
  "max ms": "ignore",
  "sum ms": "ignore",
  "sdv ms": "ignore",
  mb: "ignore",
};

/** Summary labels (lower-cased, before the colon) -> fields. */
const SUMMARY_FIELDS: Record<string, keyof Omit<StressSummary, "byOp">> = {
  "op rate": "ops_per_s",
  "partition rate": "partitions_per_s",
  "row rate": "rows_per_s",
  "latency mean": "mean_ms",
  "latency median": "p50_ms",
  "latency 95th percentile": "p95_ms",
  "latency 99th percentile": "p99_ms",
  "latency 99.9th percentile": "p99_9_ms",
  "latency max": "max_ms",
  "total partitions": "total_partitions",
  "total errors": "total_errors",
};

/** A number as stress prints it: `8,107`, `13.3`, `NaN`. */
function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim().replace(/,/g, "");
  if (t === "" || /^nan$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

interface State {
  out: StressOutput;
  run?: StressRun;
  /** Header field per cell position for the current run. */
  fields?: (keyof StressIntervalRow | "type" | "ignore")[];
  inResults: boolean;
}

function currentRun(st: State, line: number): StressRun {
  if (!st.run) {
    st.run = { index: st.out.runs.length, ops: [], columns: [], intervals: [], summary: { byOp: {} }, line };
    st.out.runs.push(st.run);
  }
  return st.run;
}

/** The line rules, tried in order; the first whose `test` matches claims the line. */
const LINE_RULES: { what: string; test: RegExp; apply: (m: RegExpMatchArray, st: State, line: number) => void }[] = [
  {
    what: "run start: Running WRITE with 32 threads for 50000 iterations / Running [READ, WRITE] with 16 threads 60s",
    test: /^Running\s+(\[[^\]]*\]|\S+)\s+with\s+(\d+)\s+threads?\s*(?:for\s+)?(.*)$/,
    apply: (m, st, line) => {
      st.run = undefined;
      st.fields = undefined;
      st.inResults = false;
      const run = currentRun(st, line);
      run.ops = m[1]
        .replace(/[[\]]/g, "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      run.threads = Number(m[2]);
      if (m[3].trim()) run.bound = m[3].trim();
    },
  },
  {
    what: "interval header (2.1: partitions, op/s, ...; 3.x/4.x: type  total ops, op/s, ...)",
    test: /^\s*(partitions|type\s+total ops|type|total ops|total)\s*,.*op\/s/,
    apply: (m, st, line) => {
      // A header after rows (or after a Results block) starts a new run.
      if (st.run && (st.run.intervals.length > 0 || st.inResults)) st.run = undefined;
      const run = currentRun(st, line);
      const text = m.input ?? "";
      // 3.x/4.x print "type" and "total ops" in one cell (no comma between them); rows have one.
      const names = text
        .split(",")
        .map((s) => s.trim())
        .flatMap((c) => (/^type\s+total ops$/.test(c) ? ["type", "total ops"] : [c]));
      run.columns = names;
      st.fields = names.map((n) => HEADER_FIELDS[n] ?? "ignore");
      if (!st.out.format) st.out.format = names[0] === "type" ? (/^type\s{20,}/.test(text) ? "4.x" : "3.x") : "2.1";
      st.inResults = false;
    },
  },
  {
    what: "Results: block start",
    test: /^Results:\s*$/,
    apply: (_m, st, line) => {
      currentRun(st, line);
      st.inResults = true;
    },
  },
  {
    what: "summary: Total operation time : 00:00:06",
    test: /^Total operation time\s*:\s*(\d+):(\d\d):(\d\d)/i,
    apply: (m, st, line) => {
      currentRun(st, line).summary.duration_s = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    },
  },
  {
    what: "summary value: op rate : 8107 / Op rate : 8,107 op/s [WRITE: 8,107 op/s] / Latency 99th percentile : 13.3 ms [...]",
    test: /^([A-Za-z][A-Za-z0-9. ]*?)\s*:\s*([-\d.,]+|NaN)\s*(?:[a-z/]+)?\s*(\[.*\])?\s*$/,
    apply: (m, st, line) => {
      const field = SUMMARY_FIELDS[m[1].trim().toLowerCase()];
      if (!field) return; // GC lines and friends: known shape, not used
      const run = currentRun(st, line);
      const v = num(m[2]);
      if (v !== null) run.summary[field] = v;
      if (m[3]) {
        // [READ: 2,500 op/s, WRITE: 2,600 op/s] or [READ:2500, WRITE:2600]
        for (const part of m[3].slice(1, -1).matchAll(/([A-Za-z_][\w.-]*)\s*:\s*([-\d.,]*\d|NaN)/g)) {
          const pv = num(part[2]);
          if (pv === null) continue;
          (run.summary.byOp[field] ??= {})[part[1]] = pv;
        }
      }
    },
  },
  {
    what: "chatter: warm-up, connection, sleeping, END, driver INFO/WARN lines, thread-count sweep",
    test: /^(Warming up .*|Sleeping \d+s\.\.\.|Connected to cluster.*|Data?tacenter: .*|END|INFO\s.*|WARN\s.*|Created keyspaces\..*|Generating .*|Improvement over .*|Thread count was not specified.*|Running with \d+ threadCount|Created extra schema.*|Failed to connect over JMX.*|FAILURE|id, .*|Total GC .*|Avg GC .*|StdDev GC .*|total gc .*|avg gc .*|stdev gc .*|Op rate\s*:.*|\*\*\*.*|=+|\s*)$/,
    apply: (_m, st) => {
      st.out.chatter++;
    },
  },
];

/** A data row: `13301     ,    6534, ...` (2.1) or `total,  38887, ...` / `WRITE,  ...` (3.x+). */
const ROW = /^\s*(?:([A-Za-z_][\w.-]*)\s*,)?\s*[\d.]+\s*,\s*[\d.]+\s*,/;

function parseRow(text: string, st: State, line: number): boolean {
  if (!st.fields || !st.run || st.inResults) return false;
  const m = ROW.exec(text);
  if (!m) return false;
  const cells = text.split(",").map((s) => s.trim());
  if (cells.length < st.fields.length - 1) return false;
  const row: StressIntervalRow = {
    run: st.run.index,
    op: "total",
    time_s: 0,
    total_ops: null,
    ops_per_s: 0,
    partitions_per_s: null,
    rows_per_s: null,
    mean_ms: null,
    p50_ms: null,
    p95_ms: null,
    p99_ms: null,
    p99_9_ms: null,
    max_ms: null,
    errors: null,
    stderr: null,
    line,
  };
  st.fields.forEach((f, i) => {
    if (f === "ignore") return;
    if (f === "type") {
      row.op = cells[i] || "total";
      return;
    }
    const v = num(cells[i]);
    (row as unknown as Record<string, number | null>)[f] = v;
  });
  if (row.op === "total" && st.run.ops.length === 1 && !st.fields.includes("type")) row.op = st.run.ops[0];
  st.run.intervals.push(row);
  return true;
}

/**
 * Parse a cassandra-stress output.
 * @example parseStress(fs.readFileSync("stress-write.txt", "utf8")).runs[0].summary.ops_per_s
 */
export function parseStress(text: string): StressOutput {
  const out: StressOutput = { runs: [], skipped: [], chatter: 0 };
  if (!text || !text.trim()) return out;
  const st: State = { out, inResults: false };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = i + 1;
    if (parseRow(raw, st, line)) continue;
    let claimed = false;
    for (const rule of LINE_RULES) {
      const m = raw.match(rule.test);
      if (m) {
        rule.apply(m, st, line);
        claimed = true;
        break;
      }
    }
    if (!claimed) out.skipped.push({ line, text: raw });
  }
  // Runs with neither intervals nor a summary are noise (e.g. a header printed by a failed start).
  out.runs = out.runs.filter((r) => r.intervals.length > 0 || r.summary.ops_per_s !== undefined);
  out.runs.forEach((r, i) => {
    r.index = i;
    for (const row of r.intervals) row.run = i;
  });
  return out;
}
