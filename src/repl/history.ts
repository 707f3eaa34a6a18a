/**
 * Input history, persisted across sessions in the user's home (~/.cassperf_history, or the file
 * named by CASSPERF_HISTORY — tests point it at a temporary file).
 *
 * One entry per line, JSON-encoded so multi-line inputs survive; the file keeps the last
 * {@link HISTORY_MAX_ENTRIES} entries. A file we cannot read or write never stops the REPL: history
 * is a convenience, so failures are ignored (and the session keeps its in-memory history).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Entries kept on disk and in memory. Source: Node's REPL keeps 1000 (NODE_REPL_HISTORY_SIZE default). */
export const HISTORY_MAX_ENTRIES = 1000;

/** Where history lives: $CASSPERF_HISTORY, else ~/.cassperf_history. An empty CASSPERF_HISTORY disables the file. */
export function historyPath(): string | undefined {
  const env = process.env.CASSPERF_HISTORY;
  if (env !== undefined) return env === "" ? undefined : path.resolve(env);
  return path.join(os.homedir(), ".cassperf_history");
}

export class History {
  readonly entries: string[];
  constructor(
    private readonly file: string | undefined = historyPath(),
    private readonly max = HISTORY_MAX_ENTRIES,
  ) {
    this.entries = file ? readHistory(file).slice(-max) : [];
  }

  /** Add an entry (blank ones and an immediate repeat are skipped) and save. */
  add(entry: string): void {
    if (entry.trim() === "" || this.entries[this.entries.length - 1] === entry) return;
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    if (!this.file) return;
    try {
      fs.writeFileSync(this.file, this.entries.map((e) => JSON.stringify(e)).join("\n") + "\n", { mode: 0o600 });
    } catch {
      // history is a convenience: an unwritable file must not break the session
    }
  }
}

/** Entries from a history file; lines that are not JSON strings are taken as plain text. */
export function readHistory(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const v = JSON.parse(line);
      out.push(typeof v === "string" ? v : line);
    } catch {
      out.push(line);
    }
  }
  return out;
}
