/**
 * nodetool tpstats -> thread pools (active, pending, completed, blocked, all time blocked) and
 * dropped messages, text of any version or `-F json`.
 *
 * Forms read from real outputs and TpStatsPrinter.java:
 *  - 2.1/3.x: `Pool Name  Active  Pending  Completed  Blocked  All time blocked`, then
 *    `Message type  Dropped`;
 *  - 4.x/5.0: the same pool table (TableBuilder; 5.0 adds `CPU[ms/s]`, `Allocations[mb/s]`), and
 *    `Message type  Dropped  Latency waiting in queue (micros)` with a `50% 95% 99% Max` line;
 *  - DSE 6.8: `Pools  Active Pending Backpressure Delayed Shared Stolen Completed Blocked All time
 *    blocked` (N/A where a pool has no such value), a `Meters` section, and `Messages  Dropped
 *    Latency waiting in queue (micros)`;
 *  - DSE 6.0–6.7: `Pool Name  Active  Pending (w/Backpressure)  Delayed  Completed  Blocked  All time
 *    blocked`, the Pending cell printed as `0 (N/A)` (pending, then backpressure in parentheses),
 *    then `Message type  Dropped  Latency waiting in queue (micros)` (a real DSE 6.7.7 output is in
 *    test/fixtures/nodetool-dse67);
 *  - JSON (`-F json`): `{ThreadPools: {name: {ActiveTasks, ...}}, DroppedMessage: {type: n}, WaitLatencies: {...}}`,
 *    parsed whole by JSON.parse at the end (refused past nodetool-common's JSON_OUTPUT_MAX_CHARS); text is parsed a line at a time.
 * N/A is null, never 0.
 *
 * Line rules (first match wins):
 * | rule          | example                                                        | effect                        |
 * |---------------|----------------------------------------------------------------|-------------------------------|
 * | blank         | ""                                                             | ends the section              |
 * | noise         | INFO  20:05:52 Cannot initialize un-mmaper ...                 | skipped, counted              |
 * | pool-header   | Pool Name   Active   Pending   Completed   Blocked  All time blocked | pool section, its columns |
 * | meters-header | Meters   One Minute Rate ...                                   | meters section (skipped)      |
 * | drop-header   | Message type   Dropped   [Latency waiting in queue (micros)]   | dropped section               |
 * | drop-subhead  |                50%   95%   99%   Max                           | latency columns               |
 * | pool-row      | ReadStage   0   0   72466   0   0                              | one pool                      |
 * | drop-row      | READ   0   [N/A N/A N/A N/A]                                   | one message type              |
 * | other         | anything else                                                  | skipped with its line number  |
 */
import { CassperfError } from "../errors";
import { isNoise, JsonOutputLines, num, numOf, parseLines, type ParseOptions, type SkippedLine } from "./nodetool-common";
import { NodetoolOutputLines } from "./nodetool-output-lines";

/** One thread pool. */
export interface ThreadPool {
  pool: string;
  active: number | null;
  pending: number | null;
  completed: number | null;
  blocked: number | null;
  all_time_blocked: number | null;
  /** Every column as printed (Backpressure, Delayed, CPU[ms/s], ...). */
  fields: Record<string, string>;
  line: number;
}

/** Dropped messages of one type, with the queue-wait latency percentiles when printed (microseconds). */
export interface DroppedMessages {
  message_type: string;
  dropped: number | null;
  latency_p50_us: number | null;
  latency_p95_us: number | null;
  latency_p99_us: number | null;
  latency_max_us: number | null;
  line: number;
}

/** What {@link parseTpstats} returns. */
export interface TpstatsParse {
  pools: ThreadPool[];
  dropped: DroppedMessages[];
  skipped: SkippedLine[];
  noise: number;
  nodetoolError?: string;
}

/** Pool-table column names nodetool prints (multi-word ones first). */
const POOL_COLUMNS = [
  "All time blocked",
  "AllTimeBlocked",
  "Active",
  "Pending (w/Backpressure)",
  "Pending",
  "Backpressure",
  "Delayed",
  "Shared",
  "Stolen",
  "Completed",
  "Blocked",
  "CPU[ms/s]",
  "Allocations[mb/s]",
];
const TYPED: Record<string, keyof ThreadPool> = {
  Active: "active",
  Pending: "pending",
  Completed: "completed",
  Blocked: "blocked",
  "All time blocked": "all_time_blocked",
  AllTimeBlocked: "all_time_blocked",
};

function poolColumns(rest: string): string[] | undefined {
  const cols: string[] = [];
  let r = rest.trim();
  while (r.length) {
    const c = POOL_COLUMNS.find((n) => r.startsWith(n) && (r.length === n.length || /\s/.test(r[n.length])));
    if (!c) return undefined;
    cols.push(c);
    r = r.slice(c.length).trim();
  }
  return cols;
}

/**
 * Parse `nodetool tpstats` output (text of any version, or `-F json`).
 * @throws CassperfError naming the file and line when a pool header has a column this parser does not know, or the text is not tpstats
 * @example parseTpstats(text, { file: "tpstats" }).pools.filter(p => (p.pending ?? 0) > 0)
 */
export function parseTpstats(text: string, options: ParseOptions = {}): TpstatsParse {
  return parseLines(new TpstatsLines(options), text);
}

/**
 * {@link parseTpstats} fed line by line (Source.readLineBlocks through streamedNodetool): the state is
 * the pools and message types read so far, the open section and its columns; a `-F json` output
 * (its first character that is not blank is "{") is collected and parsed whole at the end, up to
 * nodetool-common's JSON_OUTPUT_MAX_CHARS ({@link JsonOutputLines}).
 * @example const p = new TpstatsLines({ file: "tpstats" }); p.feed("Pool Name  Active  Pending  Completed", 1); p.end()
 */
export class TpstatsLines extends NodetoolOutputLines<TpstatsParse> {
  private readonly file: string;
  private readonly out: TpstatsParse = { pools: [], dropped: [], skipped: [], noise: 0 };
  private section: "pools" | "meters" | "dropped" | undefined;
  private cols: string[] = [];
  /** Before the first line that is not blank: undecided; then text or json. */
  private form: "undecided" | "text" | "json" = "undecided";
  /** JSON: the lines so far (blank lines before the first one too, while undecided). */
  private json: JsonOutputLines;

  constructor(options: ParseOptions = {}) {
    super();
    this.file = options.file ?? "tpstats output";
    this.json = new JsonOutputLines(this.file, "nodetool tpstats");
  }

  protected empty(): TpstatsParse {
    return { pools: [], dropped: [], skipped: [], noise: 0 };
  }

  protected line(line: string, n: number): void {
    if (this.form !== "text") {
      if (this.form === "undecided" && line.trim() !== "") this.form = /^\s*\{/.test(line) ? "json" : "text";
      if (this.form !== "text") {
        this.json.add(line);
        return;
      }
    }
    const { out, file } = this;
    if (line.trim() === "") {
      if (this.section === "meters") this.section = undefined;
      return;
    }
    if (isNoise(line)) {
      out.noise++;
      return;
    }
    let m = /^(Pool Name|Pools)\s+(.*)$/.exec(line);
    if (m) {
      const c = poolColumns(m[2]);
      if (!c)
        throw new CassperfError(`${file}: line ${n}: unknown thread-pool column in header "${line.trim()}".`, {
          hint: `expected columns among: ${POOL_COLUMNS.join(", ")}`,
        });
      this.cols = c;
      this.section = "pools";
      return;
    }
    if (/^Meters\s+/.test(line)) {
      this.section = "meters";
      return;
    }
    m = /^(Message type|Messages)\s+Dropped(\s+Latency waiting in queue.*)?\s*$/.exec(line);
    if (m) {
      this.section = "dropped";
      return;
    }
    const { section, cols } = this;
    if (section === "dropped" && /^\s+50%\s+95%\s+99%\s+Max\s*$/.test(line)) return;
    const parts = line.trim().split(/\s+/);
    // DSE 6.0–6.7 print Pending and Backpressure in one cell, "0 (N/A)": the parenthesised word belongs to the cell before it.
    const cells = section === "pools" ? joinParenthesised(parts) : parts;
    if (section === "pools" && /^\S/.test(line) && cells.length === cols.length + 1) {
      const p: ThreadPool = { pool: cells[0], active: null, pending: null, completed: null, blocked: null, all_time_blocked: null, fields: {}, line: n };
      cols.forEach((c, j) => {
        const cell = cells[j + 1];
        if (c === "Pending (w/Backpressure)") {
          const pm = /^(\S+) \((\S+)\)$/.exec(cell);
          if (!pm) return;
          p.fields.Pending = pm[1];
          p.fields.Backpressure = pm[2];
          p.pending = num(pm[1]);
          return;
        }
        p.fields[c] = cell;
        const k = TYPED[c];
        if (k) (p as unknown as Record<string, number | null>)[k] = num(cell);
      });
      if (cols.includes("Pending (w/Backpressure)") && p.fields.Pending === undefined) {
        out.skipped.push({ line: n, text: line, reason: 'the "Pending (w/Backpressure)" cell is not "<pending> (<backpressure>)"' });
        return;
      }
      out.pools.push(p);
      return;
    }
    if (section === "meters") return;
    if (section === "dropped" && /^\S/.test(line) && (parts.length === 2 || parts.length === 6)) {
      const lat = parts.length === 6 ? parts.slice(2).map(num) : [null, null, null, null];
      out.dropped.push({
        message_type: parts[0],
        dropped: num(parts[1]),
        latency_p50_us: lat[0],
        latency_p95_us: lat[1],
        latency_p99_us: lat[2],
        latency_max_us: lat[3],
        line: n,
      });
      return;
    }
    out.skipped.push({ line: n, text: line, reason: section ? `not a ${section} row` : "before any tpstats header" });
  }

  protected result(): TpstatsParse {
    const { out, file } = this;
    if (this.form === "json") {
      // Parsed member by member as the lines came (JsonOutputLines): the object JSON.parse gives the whole text.
      return parseJson(this.json, file);
    }
    if (!out.pools.length && !out.dropped.length) {
      const s = out.skipped[0];
      throw new CassperfError(
        `${file}: line ${s?.line ?? 1}: expected nodetool tpstats output ("Pool Name  Active  Pending ..."), found "${(s?.text ?? "").trim().slice(0, 80)}".`,
      );
    }
    return out;
  }
}

/** Words of a row with a parenthesised word ("(N/A)", "(0)") joined to the word before it. */
function joinParenthesised(parts: string[]): string[] {
  const out: string[] = [];
  for (const w of parts) {
    if (out.length && /^\(.*\)$/.test(w)) out[out.length - 1] += " " + w;
    else out.push(w);
  }
  return out;
}

function parseJson(json: JsonOutputLines, file: string): TpstatsParse {
  let doc: Record<string, Record<string, unknown>>;
  try {
    doc = json.doc() as Record<string, Record<string, unknown>>;
  } catch (e) {
    if (e instanceof CassperfError) throw e;
    throw new CassperfError(`${file}: not valid JSON (${(e as Error).message}); expected nodetool tpstats -F json output.`);
  }
  const out: TpstatsParse = { pools: [], dropped: [], skipped: [], noise: 0 };
  for (const [pool, o] of Object.entries(doc.ThreadPools ?? {})) {
    const p = o as Record<string, unknown>;
    out.pools.push({
      pool,
      active: numOf(p.ActiveTasks),
      pending: numOf(p.PendingTasks),
      completed: numOf(p.CompletedTasks),
      blocked: numOf(p.CurrentlyBlockedTasks),
      all_time_blocked: numOf(p.TotalBlockedTasks),
      fields: Object.fromEntries(Object.entries(p).map(([a, b]) => [a, String(b)])),
      line: 0,
    });
  }
  const waits = (doc.WaitLatencies ?? {}) as Record<string, unknown[]>;
  for (const [type, n] of Object.entries(doc.DroppedMessage ?? {})) {
    const w = Array.isArray(waits[type]) ? waits[type].map((x) => numOf(x)) : [];
    out.dropped.push({
      message_type: type,
      dropped: numOf(n),
      latency_p50_us: w[0] ?? null,
      latency_p95_us: w[2] ?? null,
      latency_p99_us: w[4] ?? null,
      latency_max_us: w[6] ?? null,
      line: 0,
    });
  }
  return out;
}
