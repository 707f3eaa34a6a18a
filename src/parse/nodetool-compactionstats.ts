/**
 * nodetool compactionstats -> pending tasks (total and per table when printed) and the active
 * compactions.
 *
 * Forms (real outputs in test/fixtures/data and CompactionStats.java):
 *  - 2.1: `pending tasks: 0`, then, when compactions run, a right-aligned table `compaction type
 *    keyspace table completed total unit progress` and `Active compaction remaining time : n/a`
 *    (2.1.0 prints that line even with no compaction);
 *  - 3.x+: `pending tasks: 5`, per table `- ks.table: 5`, a TableBuilder table starting with `id`;
 *  - 5.0 adds key: value lines (concurrent compactors, throughput, ...): kept in `fields`.
 * Compaction types have spaces ("Anticompaction after repair"), so rows are read from the right:
 * progress, unit, total, completed, table, keyspace; an id (uuid) first when the header has one;
 * the words between are the type.
 *
 * Line rules (first match wins):
 * | rule        | example                                                              | effect                  |
 * |-------------|----------------------------------------------------------------------|-------------------------|
 * | blank/noise | "" / INFO  20:05:51 Cannot initialize un-mmaper ...                  | skipped                 |
 * | pending     | pending tasks: 0                                                     | pending_tasks           |
 * | per-table   | - keyspace1.standard1: 3                                             | pending per table       |
 * | header      | id   compaction type   keyspace   table   completed   total   unit   progress | active table starts |
 * | remaining   | Active compaction remaining time :        n/a                        | remaining_time          |
 * | row         | Compaction   keyspace1   standard1   1048576   8388608   bytes   12.50% | one active compaction  |
 * | field       | concurrent compactors: 4                                             | fields                  |
 * | other       | anything else                                                        | skipped, line kept      |
 */
import { CassperfError } from "../errors";
import { isNoise, num, parseLines, type ParseOptions, type SkippedLine } from "./nodetool-common";
import { NodetoolOutputLines } from "./nodetool-output-lines";

/** One running compaction (or validation, cleanup, ...). */
export interface ActiveCompaction {
  id: string | null;
  /** "Compaction", "Validation", "Anticompaction after repair", ... */
  type: string;
  keyspace: string;
  table: string;
  completed: number | null;
  total: number | null;
  /** "bytes", "ranges", "keys", ... */
  unit: string;
  /** Percent done, null when printed n/a. */
  progress_percent: number | null;
  line: number;
}

/** What {@link parseCompactionstats} returns. */
export interface CompactionstatsParse {
  pending_tasks: number | null;
  /** Pending tasks per table when printed (3.x+). */
  pending_by_table: { keyspace: string; table: string; pending: number; line: number }[];
  active: ActiveCompaction[];
  /** "0h00m12s" / "n/a" as printed, when printed. */
  remaining_time: string | null;
  /** Other key: value lines (5.0). */
  fields: Record<string, string>;
  skipped: SkippedLine[];
  noise: number;
  nodetoolError?: string;
}

/**
 * Parse `nodetool compactionstats` output.
 * @throws CassperfError naming the file when there is no "pending tasks" line
 * @example parseCompactionstats(text, { file: "compactionstats" }).pending_tasks
 */
export function parseCompactionstats(text: string, options: ParseOptions = {}): CompactionstatsParse {
  return parseLines(new CompactionstatsLines(options), text);
}

/**
 * {@link parseCompactionstats} fed line by line (Source.readLineBlocks through streamedNodetool): the
 * state is the result so far and whether the active-compaction table is open (and has an id column).
 * @example const p = new CompactionstatsLines({ file: "compactionstats" }); p.feed("pending tasks: 0", 1); p.end().pending_tasks
 */
export class CompactionstatsLines extends NodetoolOutputLines<CompactionstatsParse> {
  private readonly file: string;
  private readonly out = this.empty();
  private inTable = false;
  private hasId = false;

  constructor(options: ParseOptions = {}) {
    super();
    this.file = options.file ?? "compactionstats output";
  }

  protected empty(): CompactionstatsParse {
    return { pending_tasks: null, pending_by_table: [], active: [], remaining_time: null, fields: {}, skipped: [], noise: 0 };
  }

  protected line(line: string, n: number): void {
    const out = this.out;
    if (line.trim() === "") return;
    if (isNoise(line)) {
      out.noise++;
      return;
    }
    let m = /^pending tasks:\s*(\S+)/.exec(line);
    if (m) {
      out.pending_tasks = num(m[1]);
      return;
    }
    m = /^- (\S+?)\.(\S+):\s*(\d+)\s*$/.exec(line);
    if (m) {
      out.pending_by_table.push({ keyspace: m[1], table: m[2], pending: Number(m[3]), line: n });
      return;
    }
    if (/compaction type/.test(line) && /keyspace/.test(line) && /progress/.test(line)) {
      this.inTable = true;
      this.hasId = /^\s*id\s/.test(line);
      return;
    }
    m = /^\s*Active compaction remaining time\s*:\s*(\S+)/.exec(line);
    if (m) {
      out.remaining_time = m[1];
      this.inTable = false;
      return;
    }
    const { inTable, hasId } = this;
    if (inTable) {
      const p = line.trim().split(/\s+/);
      const min = hasId ? 8 : 7;
      if (p.length >= min) {
        const k = p.length;
        out.active.push({
          id: hasId ? p[0] : null,
          type: p.slice(hasId ? 1 : 0, k - 6).join(" "),
          keyspace: p[k - 6],
          table: p[k - 5],
          completed: num(p[k - 4]),
          total: num(p[k - 3]),
          unit: p[k - 2],
          progress_percent: num(p[k - 1].replace(/%$/, "")),
          line: n,
        });
        return;
      }
    }
    m = /^([A-Za-z][^:]*?)\s*:\s*(.+)$/.exec(line);
    if (m) {
      out.fields[m[1].trim()] = m[2].trim();
      return;
    }
    out.skipped.push({ line: n, text: line, reason: inTable ? "not an active-compaction row" : "not a compactionstats line" });
  }

  protected result(): CompactionstatsParse {
    const out = this.out;
    if (out.pending_tasks === null && !out.active.length) {
      const s = out.skipped[0];
      throw new CassperfError(
        `${this.file}: line ${s?.line ?? 1}: expected nodetool compactionstats output ("pending tasks: N"), found "${(s?.text ?? Object.keys(out.fields)[0] ?? "").trim().slice(0, 80)}".`,
      );
    }
    return out;
  }
}
