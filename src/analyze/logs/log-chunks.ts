/**
 * One large log file parsed as byte-range chunks in parallel workers, merged so the result is the
 * sequential parse's, event for event: how logs() uses every core on a bundle of one node (or
 * fewer nodes than cores) with a large system.log or debug.log.
 *
 * Where a file is cut: only at the start of a line the file's layout reads as a new log entry
 * (the same test SystemLogParser makes: a level-led line, then the layout's regex), never inside a
 * stack trace, a StatusLogger table or the queries under "operations were slow" — those are
 * continuation lines, which the layout does not read as an entry. Each chunk is parsed on its own
 * by SystemLogParser from that line; the merge (./log-node.ts) hands the chunks' events on in file
 * order, so everything the node aggregates (repeat check, counts, compaction start/finish pairs in
 * ./log-operations.ts, clock steps, sampling reservoirs, earliest/latest) runs once, in order, in
 * the merging thread, exactly as for an unchunked file.
 *
 * State that spans entries, and how each is handled:
 *  - the open entry and its block (stack trace, StatusLogger rows, slow queries): closed by the
 *    entry line a chunk starts with, so nothing is open at a cut;
 *  - line numbers: each chunk counts from 1, the merge adds the lines of the chunks before it;
 *  - a one-line StatusLogger row joins its thread's last header (SystemLogParser's dumpOfThread),
 *    which may sit in an earlier chunk: carried in the merge ({@link ChunkMerge});
 *  - the day of a time-of-day layout (the 2.1 console: it rolls over at midnight from the previous
 *    line): not carried — such files are never chunked (they are small, console captures);
 *  - the parser's date cache: a cache only, same values from any start.
 * Only plain files are chunked: a .gz or .zip entry has no random access (reaching a chunk means
 * inflating everything before it), so compressed logs are parsed in one pass, as before.
 *
 * One difference from the block-by-block read, on paper only: a single line longer than
 * read-stream.ts's LONGEST_LINE (64 MiB) is handed on in pieces counted from the block's start,
 * so its pieces could split at other places; no log line comes near that.
 */
import { compileLayout, type LogLayout } from "../../parse/log-layout";
import { SystemLogParser } from "../../parse/system-log";
import type { LogEvent } from "../../parse/log-rules";
import { fileSize, lineStartsAfter, readLineBlocks } from "../../cluster/read-stream";

/**
 * Files at least this large are chunked (when a worker is free): at ~60-100 MB/s a 64 MiB file
 * parses in about a second, against ~0.1-0.3 s to start workers and pass events back; below it
 * the gain is lost in that cost.
 */
export const CHUNK_MIN_BYTES = 64 * 2 ** 20;

/**
 * Bytes per chunk: 8 MiB is 8 read blocks (per-chunk costs vanish) and its events (~16k-50k,
 * passed back by structured clone: ~250 bytes each on the wire, ~11 µs per event both sides) stay
 * a few tens of MB per chunk in flight (16 MiB chunks, three in flight: 601 MB peak on a 0.5 GB file).
 */
export const CHUNK_BYTES = 8 * 2 ** 20;

/** How far past a chunk's nominal start the first entry line is looked for (past it, the chunk joins the next: e.g. one huge stack trace). */
export const BOUNDARY_SCAN_BYTES = 4 * 2 ** 20;

/** One chunk's task (plain data: it runs in a worker). */
export interface LogChunkTask {
  node: string;
  path: string;
  /** The file as reports cite it (copied to every event). */
  file: string;
  /** The name read errors give. */
  name: string;
  /** The file's layout, as its pattern and name (compiled again in the worker: compileLayout is pure). */
  layout: { pattern: string; name: string };
  start: number;
  end: number;
}

/** What one chunk's parse returns (line numbers count from the chunk's first line). */
export interface LogChunkResult {
  events: LogEvent[];
  lines: number;
  chars: number;
  attached: number;
  skipped: { count: number; examples: { line: number; text: string }[] };
}

/** How the node's parse reaches the workers that parse chunks (./log-events.ts passes a WorkerPool; tests may parse in place). */
export interface ChunkRunner {
  /** Chunks parsed at once (the workers free for chunks). */
  parallel: number;
  /** Files at least this large are chunked; default {@link CHUNK_MIN_BYTES}. */
  minBytes?: number;
  /** Bytes per chunk; default {@link CHUNK_BYTES}. */
  chunkBytes?: number;
  run(task: LogChunkTask, signal?: AbortSignal): Promise<LogChunkResult>;
}

/**
 * Parse one byte range of a plain log file (it starts at an entry line: {@link chunkStarts}).
 * @example const r = await parseLogChunk({ node: "n1", path: "system.log", file: "system.log", name: "system.log", layout, start: 0, end: 1 << 24 })
 */
export async function parseLogChunk(task: LogChunkTask): Promise<LogChunkResult> {
  const layout = compileLayout(task.layout.pattern, task.layout.name);
  const parser = new SystemLogParser({ node: task.node, file: task.file, layout }, "");
  const events: LogEvent[] = [];
  let chars = 0;
  for await (const block of readLineBlocks(task.path, undefined, { name: task.name, range: { start: task.start, end: task.end } })) {
    parser.feed(block);
    for (const e of parser.take()) events.push(e);
    chars += block.length;
  }
  const parsed = parser.end();
  for (const e of parsed.events) events.push(e);
  return { events, lines: parsed.lines, chars, attached: parsed.attached, skipped: parsed.skipped };
}

/** True when `line` (no "\n", "\r" allowed at its end) starts a new entry for `layout`: SystemLogParser's own test. */
export function startsEntry(line: string, layout: LogLayout): boolean {
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  if (!line) return false;
  const c = line.charCodeAt(0);
  const levelLike = c === 73 || c === 68 || c === 87 || c === 69 || c === 84 || c === 70 || c === 32;
  return (levelLike || !layout.levelFirst) && layout.regex.test(line);
}

/**
 * Where a file's chunks start: byte 0, then for every `chunkBytes` the first entry line at or
 * after it (within {@link BOUNDARY_SCAN_BYTES}); the file's size ends the last chunk.
 * @example const starts = await chunkStarts("system.log", size, layout, CHUNK_BYTES) // [0, 16777310, ..., size]
 */
export async function chunkStarts(path: string, size: number, layout: LogLayout, chunkBytes: number): Promise<number[]> {
  const targets: number[] = [];
  for (let target = chunkBytes; target < size; target += chunkBytes) targets.push(target);
  // The byte-level search is the I/O edge's (../../cluster/read-stream.ts); whether a line starts an entry is the layout's.
  const found = await lineStartsAfter(path, size, targets, BOUNDARY_SCAN_BYTES, (line) => startsEntry(line, layout));
  return [0, ...found, size];
}

/**
 * The merge's state across chunks: line numbers run on, and one-line StatusLogger rows whose
 * header sits in an earlier chunk get that header's line (SystemLogParser gives such a row its
 * own line when its chunk has no header for the thread: the sequential parse's fallback, taken
 * only when no earlier chunk had one either).
 */
export class ChunkMerge {
  private offset = 0;
  /** The thread's last StatusLogger header line (file numbering), as SystemLogParser's dumpOfThread. */
  private readonly headerOfThread = new Map<string, number>();
  lines = 0;
  chars = 0;
  attached = 0;
  readonly skipped: LogChunkResult["skipped"] = { count: 0, examples: [] };

  /** A chunk's result in file numbering (its events are changed in place and returned). */
  add(r: LogChunkResult): LogEvent[] {
    const off = this.offset;
    const headers = this.headerOfThread;
    // Threads whose header this chunk has seen so far (from then on, the chunk's own numbering is right).
    const seenHere = new Set<string>();
    for (const e of r.events) {
      const own = e.line;
      e.line = own + off;
      const thread = e.thread ?? "";
      if (e.rule === "statuslogger.header") {
        seenHere.add(thread);
        headers.set(thread, e.line);
      } else if (e.dump !== undefined && (e.kind === "statuslogger-pool" || e.kind === "statuslogger-table")) {
        // A block row names its header (an earlier line of this chunk); a one-line row its thread's header, or its own line when none was seen.
        if (e.dump === own && !seenHere.has(thread)) e.dump = headers.get(thread) ?? e.line;
        else e.dump += off;
      }
    }
    this.skipped.count += r.skipped.count;
    for (const x of r.skipped.examples) if (this.skipped.examples.length < 3) this.skipped.examples.push({ line: x.line + off, text: x.text });
    this.offset += r.lines;
    this.lines += r.lines;
    this.chars += r.chars;
    this.attached += r.attached;
    return r.events;
  }
}

/**
 * A file's events, chunk by chunk in file order (line numbers and StatusLogger dumps in the file's
 * numbering through `merge`), `runner.parallel` chunks in flight (one being merged here while the
 * others parse). A failed or cancelled chunk stops the rest.
 */
export async function* chunkEvents(
  runner: ChunkRunner,
  file: Omit<LogChunkTask, "start" | "end"> & { layoutCompiled: LogLayout },
  merge: ChunkMerge,
  signal?: AbortSignal,
): AsyncGenerator<LogEvent[]> {
  const size = await fileSize(file.path);
  const starts = await chunkStarts(file.path, size, file.layoutCompiled, runner.chunkBytes ?? CHUNK_BYTES);
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const { layoutCompiled: _l, ...plain } = file;
  const pending: Promise<LogChunkResult>[] = [];
  let next = 0;
  const dispatch = () => {
    while (next < starts.length - 1 && pending.length < Math.max(1, runner.parallel)) {
      const p = runner.run({ ...plain, start: starts[next]!, end: starts[next + 1]! }, stop.signal);
      p.catch(() => undefined); // awaited in order below; a chunk that fails after an earlier failure is not reported twice
      pending.push(p);
      next++;
    }
  };
  try {
    dispatch();
    while (pending.length) {
      const r = await pending.shift()!;
      dispatch();
      yield merge.add(r);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (pending.length) stop.abort(new DOMException("a chunk before these failed or was cancelled", "AbortError"));
  }
}
