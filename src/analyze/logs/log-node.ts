/**
 * One node's system.log and debug.log files, parsed block by block into bounded results: the map
 * step of logs() (./log-events.ts merges the nodes). It runs in the main thread or, for large
 * bundles, in a worker thread (../parse-cancellable.ts WorkerPool), so its task and result are plain
 * data (structured-clone safe).
 *
 * Why per node: debug.log repeats every INFO+ line of system.log, and the repeat is removed within
 * the node (the node's system.log files first, then its debug.log files), so one task sees all of
 * a node's files. Memory stays bounded whatever the files' size:
 *  - the files are read as ~1 MiB blocks of whole lines (read-stream.ts) and parsed as they come
 *    (SystemLogParser), never held whole;
 *  - counts per kind (with first and last time), flush and compaction operations, dropped
 *    messages, the longest GC pause and StatusLogger dumps are aggregated exactly as events pass;
 *  - events are kept in two reservoirs (Vitter's algorithm R, a fixed seed so a run is repeatable):
 *    events a rule classified (every kind but "other", plus "other" lines a fact rule read, e.g.
 *    gossip UP/DOWN), which the findings and the timeline read, and plain "other" lines. A
 *    reservoir keeps every event until it is full, so a bundle under the sizes in
 *    {@link KEEP_EVENTS} keeps everything (the usual case) and only larger ones are sampled, which
 *    the notes say. Each kept event keeps its file and line: a citation stays exact. A node's
 *    earliest and latest events are always kept.
 *  - the repeat check keeps a 53-bit hash per system.log event of the node (not the text), in a
 *    typed-array table: about 16 bytes per system.log line of ONE node at a time.
 */
import { compileLayout, detectLayout, layoutCoverage, type LogLayout } from "../../parse/log-layout";
import { SystemLogParser, type ParsedLog } from "../../parse/system-log";
import type { LogEvent, LogEventKind } from "../../parse/log-rules";
import { readLineBlocks } from "../../cluster/read-stream";
import { OperationCounter, type LogOperations } from "./log-operations";
import { plural } from "../../present/plural";
import { CHUNK_MIN_BYTES, ChunkMerge, chunkEvents, type ChunkRunner } from "./log-chunks";

/** How many events logs() keeps in all (split between the nodes, at least the floor per node): beyond, a fixed-seed sample. */
export const KEEP_EVENTS = {
  /** Classified events (findings, timeline, evidence): ~300 bytes each. */
  classified: { total: 250_000, perNodeFloor: 20_000 },
  /** Plain "other" lines (only the events frame shows them). */
  other: { total: 100_000, perNodeFloor: 5_000 },
} as const;

/** The seed of the sampling reservoirs (any fixed number: the same bundle always gives the same sample). */
export const SAMPLE_SEED = 0x5eed;

/** A backward step larger than this inside one file is reported as the clock stepping back (log lines are written in order; threads interleave by milliseconds). */
export const CLOCK_BACKWARD_STEP_MS = 5_000;

/** One file of a node's task. */
export interface NodeLogFile {
  /** Position in logs()' file order (for notes and the files frame). */
  index: number;
  path: string;
  compressed?: "gz" | "zip";
  rel: string;
  kind: "system-log" | "debug-log";
  /** The name read errors give (the source's name and the file's path in it). */
  name: string;
  size: number;
}

/** What one node's parse needs (plain data). */
export interface NodeLogTask {
  node: string;
  /** The node's log files, in logs()' order (oldest rotation first). */
  files: NodeLogFile[];
  /** The user's pattern option, used for every file. */
  pattern?: string;
  /** The node's logback.xml patterns per log name ("system.log", "debug.log"), when the bundle has one. */
  confPatterns?: Record<string, string>;
  /** The node's GC logs (first timestamp gives the day of console layouts), unless `date` is given. */
  gcLogs?: { path: string; compressed?: "gz" | "zip"; rel: string; name: string }[];
  date?: string;
  /** Kinds to keep (all when absent), and the time window (epoch ms). */
  kinds?: string[];
  from?: number;
  to?: number;
  maxBytes?: number;
  /** Reservoir sizes for this node. */
  keep: { classified: number; other: number };
}

/** Per file: what was read and how. */
export interface LogFileInfo {
  node: string;
  file: string;
  kind: "system-log" | "debug-log";
  layout: string | null;
  lines: number;
  events: number;
  skipped: number;
  bytes: number;
}

/** Exact counts of one node and kind (after the repeat check and the filters). */
export interface KindCount {
  node: string;
  kind: string;
  count: number;
  first: number | null;
  last: number | null;
}

/** What one node's parse returns (plain data). */
export interface NodeLogResult {
  node: string;
  infos: (LogFileInfo & { index: number })[];
  notes: { index: number; text: string }[];
  clockSteps: { node: string; file: string; line: number; back_ms: number; count: number }[];
  /** Kept events in time order (undated ones last, in file order). */
  events: LogEvent[];
  /** Exact figures over every event that passed the filters. */
  counts: KindCount[];
  total: number;
  duplicates: number;
  dropped: number;
  gcMaxMs: number | null;
  /** Distinct StatusLogger dumps (header lines) with a pool row. */
  dumps: number;
  operations: LogOperations;
  /** How many events each reservoir saw and kept. */
  sampled: { classified: [number, number]; other: [number, number] };
  /** The file the parse stopped in when cancelled. */
  stoppedIn?: string;
}

/** Progress of a task: bytes of text parsed since the last call, and whether a file just ended. */
export type NodeProgress = (p: { chars: number; fileDone: boolean }) => void;

/**
 * Parse one node's log files (see the file comment). With `chunks`, a large plain file is parsed
 * as chunks by those workers and merged here in file order: the same result (./log-chunks.ts).
 * @example const r = await parseNodeLogs({ node: "n1", files: [{ index: 0, path: "system.log", rel: "system.log", kind: "system-log", name: "system.log", size: 0 }], keep: { classified: 1e5, other: 1e5 } })
 */
export async function parseNodeLogs(task: NodeLogTask, onProgress?: NodeProgress, signal?: AbortSignal, chunks?: ChunkRunner): Promise<NodeLogResult> {
  const out: NodeLogResult = {
    node: task.node,
    infos: [],
    notes: [],
    clockSteps: [],
    events: [],
    counts: [],
    total: 0,
    duplicates: 0,
    dropped: 0,
    gcMaxMs: null,
    dumps: 0,
    operations: { flushes: 0, flushes_written: 0, compactions: 0, compactions_completed: 0 },
    sampled: { classified: [0, 0], other: [0, 0] },
  };
  const kindSet = task.kinds ? new Set(task.kinds) : undefined;
  const given = task.pattern ? compileLayout(task.pattern, "pattern option") : undefined;
  const confLayouts = new Map<string, LogLayout | null>();
  const classified = new Reservoir<LogEvent>(task.keep.classified, SAMPLE_SEED);
  const other = new Reservoir<LogEvent>(task.keep.other, SAMPLE_SEED + 1);
  const counts = new Map<string, KindCount>();
  const ops = new OperationCounter();
  const dumps = new Set<string>();
  const repeats = new HashCounter();
  const systemLevels = new Set<string>();
  const strings = new Interner();
  let baseDate: { date?: string; from?: string } | undefined;
  let seq = 0;

  /** An event that passed the repeat check: filter, count, keep. */
  const accept = (e: LogEvent) => {
    const order = seq++;
    if (kindSet && !kindSet.has(e.kind)) return;
    if (task.from !== undefined && (e.ts === null || e.ts < task.from)) return;
    if (task.to !== undefined && (e.ts === null || e.ts > task.to)) return;
    out.total++;
    let c = counts.get(e.kind);
    if (!c) counts.set(e.kind, (c = { node: task.node, kind: e.kind, count: 0, first: null, last: null }));
    c.count++;
    if (e.ts !== null) {
      if (c.first === null || e.ts < c.first) c.first = e.ts;
      if (c.last === null || e.ts > c.last) c.last = e.ts;
    }
    if (e.kind === "dropped-messages") out.dropped += e.dropped ?? 0;
    else if (e.kind === "gc-pause") out.gcMaxMs = Math.max(out.gcMaxMs ?? 0, e.pause_ms ?? 0);
    else if (e.kind === "statuslogger-pool") dumps.add(`${e.file}|${e.dump ?? e.line}`);
    else if (e.kind === "flush" || e.kind === "compaction") ops.add(e);
    (e.rule === "" ? other : classified).offer(e, order, detach);
    // The node's earliest and latest events are always kept (a sample still shows where the logs begin and end).
    if (e.ts !== null) {
      if (!earliest || e.ts < earliest.item.ts!) earliest = { item: e, order };
      if (!latest || e.ts >= latest.item.ts!) latest = { item: e, order };
    }
  };
  let earliest: { item: LogEvent; order: number } | undefined;
  let latest: { item: LogEvent; order: number } | undefined;
  const detach = (e: LogEvent) => strings.detach(e);

  // The node's system.log files first, then its debug.log files: a debug.log line that repeats a system.log line is dropped.
  const files = [...task.files.filter((f) => f.kind === "system-log"), ...task.files.filter((f) => f.kind === "debug-log")];
  // Keys of system.log events are only kept when the node has a debug.log to check.
  const hasDebugFiles = files.some((f) => f.kind === "debug-log");
  for (const f of files) {
    const logName = f.kind === "debug-log" ? "debug.log" : "system.log";
    let parser: SystemLogParser | undefined;
    let chars = 0;
    let max = -Infinity;
    let step: NodeLogResult["clockSteps"][number] | undefined;
    let parsedEvents = 0;
    const note = (text: string) => out.notes.push({ index: f.index, text });
    let merge: ChunkMerge | undefined;
    let chunkLayout: LogLayout | undefined;
    const take = (events: LogEvent[]) => {
      for (const e of events) {
        parsedEvents++;
        // Clock stepping back inside the file (every event of the file, before the repeat check).
        if (e.ts !== null) {
          if (e.ts < max - CLOCK_BACKWARD_STEP_MS) {
            if (!step) step = { node: task.node, file: f.rel, line: e.line, back_ms: max - e.ts, count: 0 };
            step.count++;
            step.back_ms = Math.max(step.back_ms, max - e.ts);
          }
          if (e.ts > max) max = e.ts;
        }
        if (f.kind === "system-log") {
          if (hasDebugFiles) {
            repeats.add(repeatKey(e));
            systemLevels.add(e.level);
          }
        } else if (repeats.size && systemLevels.has(e.level) && repeats.remove(repeatKey(e))) {
          out.duplicates++;
          continue;
        }
        accept(e);
      }
    };
    try {
      for await (const block of readLineBlocks(f.path, f.compressed, {
        name: f.name,
        ...(task.maxBytes ? { maxBytes: task.maxBytes } : {}),
        ...(signal ? { signal } : {}),
      })) {
        if (!parser) {
          const layout = given ?? (await layoutFor(task, f, logName, block, confLayouts, note));
          let day: string | undefined;
          if (layout?.timeOnly) {
            baseDate ??= task.date ? { date: task.date, from: "the date option" } : await baseDateFor(task);
            day = baseDate.date;
            if (day)
              note(
                `${f.rel}: lines carry only a time of day (${layout.pattern}); the day ${day} was taken from ${baseDate.from}. Pass { date: "YYYY-MM-DD" } to override.`,
              );
          }
          parser = new SystemLogParser({ node: task.node, file: f.rel, ...(layout ? { layout } : {}), ...(day ? { baseDate: day } : {}) }, block);
          // A large plain file with a dated layout: parsed as chunks by the workers instead (./log-chunks.ts).
          if (chunks && layout && !layout.timeOnly && !f.compressed && f.size >= (chunks.minBytes ?? CHUNK_MIN_BYTES)) {
            chunkLayout = layout;
            break;
          }
        }
        parser.feed(block);
        take(parser.take());
        chars += block.length;
        onProgress?.({ chars: block.length, fileDone: false });
      }
      if (chunks && chunkLayout) {
        merge = new ChunkMerge();
        const file = { node: task.node, path: f.path, file: f.rel, name: f.name, layout: { pattern: chunkLayout.pattern, name: chunkLayout.name } };
        for await (const events of chunkEvents(chunks, { ...file, layoutCompiled: chunkLayout }, merge, signal)) {
          const before = chars;
          take(events);
          chars = merge.chars;
          onProgress?.({ chars: chars - before, fileDone: false });
        }
      }
    } catch (e) {
      if ((e as Error).name === "AbortError" || (e as Error).name === "TimeoutError" || signal?.aborted) {
        out.stoppedIn = f.rel;
        break;
      }
      note(`${f.rel}: could not be read (${(e as Error).message}); skipped.`);
      onProgress?.({ chars: 0, fileDone: true });
      continue;
    }
    const parsed: ParsedLog = merge
      ? { events: [], lines: merge.lines, layout: chunkLayout!, skipped: merge.skipped, attached: merge.attached, undated: false }
      : parser
        ? parser.end()
        : { events: [], lines: 0, skipped: { count: 0, examples: [] }, attached: 0, undated: false };
    take(parsed.events);
    onProgress?.({ chars: 0, fileDone: true });
    if (!parsed.layout)
      note(
        `${f.rel}: no line matched a known log layout (${plural(parsed.lines, "line")} skipped; first: line ${parsed.skipped.examples[0]?.line ?? 1}: "${parsed.skipped.examples[0]?.text ?? ""}"). Put the node's conf/logback.xml in the bundle so its pattern can be used.`,
      );
    else if (parsed.skipped.count)
      note(
        `${f.rel}: ${plural(parsed.skipped.count, "line")} before the first log event skipped (first: line ${parsed.skipped.examples[0].line}: "${parsed.skipped.examples[0].text}").`,
      );
    if (parsed.undated)
      note(
        `${f.rel}: lines carry only a time of day and no day was found (no GC log with dates for node ${task.node}); times are null. Pass { date: "YYYY-MM-DD" }.`,
      );
    out.infos.push({
      index: f.index,
      node: task.node,
      file: f.rel,
      kind: f.kind,
      layout: parsed.layout?.name ?? null,
      lines: parsed.lines,
      events: parsedEvents,
      skipped: parsed.skipped.count,
      bytes: chars,
    });
    if (step) out.clockSteps.push(step);
  }

  // Kept events in time order; undated ones keep file order at the end.
  const kept = classified.entries().concat(other.entries());
  const inKept = new Set(kept.map((k) => k.item));
  for (const x of [earliest, latest]) {
    if (x && !inKept.has(x.item)) {
      detach(x.item);
      inKept.add(x.item);
      kept.push(x);
    }
  }
  kept.sort((a, b) => (a.item.ts ?? Infinity) - (b.item.ts ?? Infinity) || a.order - b.order);
  out.events = kept.map((k) => k.item);
  out.counts = [...counts.values()];
  out.dumps = dumps.size;
  out.operations = ops.result();
  out.sampled = { classified: [classified.seen, classified.size], other: [other.seen, other.size] };
  return out;
}

/** The repeat key of an event: time, thread, logging call, kind and message (as logs() always compared them). */
function repeatKey(e: LogEvent): string {
  return `${e.ts}\u0001${e.thread}\u0001${e.source}\u0001${e.kind}\u0001${e.message}`;
}

/** The layout for a file: the node's conf/logback.xml pattern when it reads the file, else detected from its first block. */
async function layoutFor(
  task: NodeLogTask,
  f: NodeLogFile,
  logName: string,
  sample: string,
  cache: Map<string, LogLayout | null>,
  note: (t: string) => void,
): Promise<LogLayout | undefined> {
  if (!cache.has(logName)) {
    let layout: LogLayout | null = null;
    const pattern = task.confPatterns?.[logName];
    if (pattern) {
      try {
        layout = compileLayout(pattern, "logback.xml");
      } catch {
        layout = null;
      }
    }
    cache.set(logName, layout);
  }
  const fromConf = cache.get(logName);
  if (fromConf) {
    if (layoutCoverage(sample, fromConf) >= 0.5) return fromConf;
    const detected = detectLayout(sample);
    note(
      `${f.rel}: the ${logName} pattern in the node's logback.xml (${fromConf.pattern}) does not match this file; used the detected ${detected?.name ?? "(none)"} layout instead.`,
    );
    return detected;
  }
  return detectLayout(sample);
}

/** The day for console layouts: the first ISO-8601 timestamp in the first block of the node's GC logs. */
async function baseDateFor(task: NodeLogTask): Promise<{ date?: string; from?: string }> {
  for (const g of task.gcLogs ?? []) {
    try {
      for await (const block of readLineBlocks(g.path, g.compressed, { name: g.name, ...(task.maxBytes ? { maxBytes: task.maxBytes } : {}) })) {
        const m = /(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d/.exec(block.slice(0, 65536));
        if (m) return { date: m[1], from: `${g.rel}'s first timestamp` };
        break;
      }
    } catch {
      /* unreadable GC log: try the next */
    }
  }
  return {};
}

/**
 * A uniform sample of at most `size` items (Vitter's algorithm R) with a seeded generator
 * (mulberry32): every item is kept while fewer than `size` have been offered.
 */
class Reservoir<T> {
  private readonly items: { item: T; order: number }[] = [];
  seen = 0;
  private state: number;
  constructor(
    private readonly capacity: number,
    seed: number,
  ) {
    this.state = seed >>> 0;
  }
  get size(): number {
    return this.items.length;
  }
  offer(item: T, order: number, keep: (t: T) => void): void {
    const n = this.seen++;
    if (n < this.capacity) {
      keep(item);
      this.items.push({ item, order });
      return;
    }
    const j = Math.floor(this.random() * (n + 1));
    if (j < this.capacity) {
      keep(item);
      this.items[j] = { item, order };
    }
  }
  entries(): { item: T; order: number }[] {
    return this.items;
  }
  private random(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * A multiset of strings kept as 53-bit hashes (two 32-bit FNV-1a variants) in an open-addressing
 * typed-array table: ~16 bytes per entry, whatever the strings' length. Two different strings
 * share a hash with odds of about n²/2⁵⁴ (one in a million for a node's 100,000 system.log lines).
 */
class HashCounter {
  private keys = new Float64Array(1 << 12);
  private counts = new Uint32Array(1 << 12);
  size = 0;
  add(s: string): void {
    if (this.size * 2 >= this.keys.length) this.grow();
    const k = hash53(s) + 1;
    const i = this.slot(k);
    if (this.keys[i] === 0) {
      this.keys[i] = k;
      this.size++;
    }
    this.counts[i]++;
  }
  /** Remove one occurrence; false when there is none. */
  remove(s: string): boolean {
    const k = hash53(s) + 1;
    const i = this.slot(k);
    if (this.keys[i] === 0 || this.counts[i] === 0) return false;
    this.counts[i]--;
    return true;
  }
  private slot(k: number): number {
    const mask = this.keys.length - 1;
    let i = ((k % 4294967296) ^ (k / 4294967296)) & mask;
    while (this.keys[i] !== 0 && this.keys[i] !== k) i = (i + 1) & mask;
    return i;
  }
  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.counts = new Uint32Array(oldKeys.length * 2);
    for (let j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] === 0) continue;
      const i = this.slot(oldKeys[j]);
      this.keys[i] = oldKeys[j];
      this.counts[i] = oldCounts[j];
    }
  }
}

function hash53(s: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) >>> 11);
}

/**
 * Kept events must not hold the 1 MiB block their strings were cut from (V8 keeps a substring as a
 * view of its parent): short repeated strings are interned, messages copied.
 */
class Interner {
  private readonly map = new Map<string, string>();
  intern(s: string): string {
    let v = this.map.get(s);
    if (v === undefined) {
      v = copy(s);
      if (this.map.size < 50_000) this.map.set(v, v);
    }
    return v;
  }
  detach(e: LogEvent): void {
    const r = e as unknown as Record<string, unknown>;
    for (const k in r) {
      const v = r[k];
      if (typeof v !== "string" || v.length < 13) continue;
      r[k] = k === "message" || k === "query" || k === "partition_key" ? copy(v) : this.intern(v);
    }
  }
}

/** A flat copy of a string (not a view of a larger one). */
function copy(s: string): string {
  return (" " + s).slice(1);
}

export type { LogEventKind };
