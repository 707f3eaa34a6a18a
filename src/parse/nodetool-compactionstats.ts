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
import { isNoise, nodetoolError, num, splitLines, type ParseOptions, type SkippedLine } from "./nodetool-common";

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
  const file = options.file ?? "compactionstats output";
  const out: CompactionstatsParse = { pending_tasks: null, pending_by_table: [], active: [], remaining_time: null, fields: {}, skipped: [], noise: 0 };
  if (text.trim() === "") return out;
  const err = nodetoolError(text);
  if (err) return { ...out, nodetoolError: err };
  let inTable = false;
  let hasId = false;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const n = i + 1;
    if (line.trim() === "") continue;
    if (isNoise(line)) {
      out.noise++;
      continue;
    }
    let m = /^pending tasks:\s*(\S+)/.exec(line);
    if (m) {
      out.pending_tasks = num(m[1]);
      continue;
    }
    m = /^- (\S+?)\.(\S+):\s*(\d+)\s*$/.exec(line);
    if (m) {
      out.pending_by_table.push({ keyspace: m[1], table: m[2], pending: Number(m[3]), line: n });
      continue;
    }
    if (/compaction type/.test(line) && /keyspace/.test(line) && /progress/.test(line)) {
      inTable = true;
      hasId = /^\s*id\s/.test(line);
      continue;
    }
    m = /^\s*Active compaction remaining time\s*:\s*(\S+)/.exec(line);
    if (m) {
      out.remaining_time = m[1];
      inTable = false;
      continue;
    }
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
        continue;
      }
    }
    m = /^([A-Za-z][^:]*?)\s*:\s*(.+)$/.exec(line);
    if (m) {
      out.fields[m[1].trim()] = m[2].trim();
      continue;
    }
    out.skipped.push({ line: n, text: line, reason: inTable ? "not an active-compaction row" : "not a compactionstats line" });
  }
  if (out.pending_tasks === null && !out.active.length) {
    const s = out.skipped[0];
    throw new CassperfError(
      `${file}: line ${s?.line ?? 1}: expected nodetool compactionstats output ("pending tasks: N"), found "${(s?.text ?? Object.keys(out.fields)[0] ?? "").trim().slice(0, 80)}".`,
    );
  }
  return out;
}
