/**
 * Unified JVM logging (JDK 9 to 22, `-Xlog:gc*,safepoint`): G1, Parallel, Serial, CMS, ZGC
 * (also generational), Shenandoah — pure text -> rows.
 *
 * Lines are `[decoration][decoration]... message`. The decorations may be any set, in any order
 * (time, utctime, uptime, timemillis, uptimemillis, uptimenanos, level, tags, pid, tid), and the
 * tag field may be ABSENT — Cassandra 4.x/5.0's default `-Xlog:...:time,uptime,pid,tid,level`
 * writes no tags — so lines are routed by their message text, never by tag. The pause itself is
 * the END line: `GC(12) Pause Young (Normal) (G1 Evacuation Pause) 23M->5M(64M) 5.662ms`.
 *
 * One pass, no line array: each line costs a few indexOf calls to skip the decorations and one
 * first-character switch on the message; regexes run only on the few event lines.
 */
import { emptyColumns, intern, withPauseObjects, type GcBlockParser, type GcParseColumns } from "./gc-pauses";
import { emptyParse, hotspotTime, kebab, parenGroups, skip, STOPPED_TIME, toMb, type GcCycle, type GcParse, type GcPause, type ParseOptions } from "./gc-types";

/** The pause end line, after `GC(n) ` (and after a generational ZGC `Y: `/`O: `). */
const PAUSE_END = /^(Pause .*?)(?: (\d+(?:[.,]\d+)?)([BKMGT])->(\d+(?:[.,]\d+)?)([BKMGT])\((\d+(?:[.,]\d+)?)([BKMGT])\))? (\d+(?:[.,]\d+)?)ms$/;
/** A concurrent phase with its duration: `Concurrent Mark Cycle 12.345ms`, `Concurrent Sweep 3.2ms`. */
const CONCURRENT_END = /^(Concurrent .*?) (\d+(?:[.,]\d+)?)(ms|s)$/;
/** A ZGC collection: `Garbage Collection (Warmup) 844M(10%)->194M(2%)`, `Major Collection (Proactive) ... 0.023s`. */
const ZGC_COLLECTION =
  /^((?:Garbage|Major|Minor) Collection) \(((?:[^()]|\([^)]*\))*)\)(?: (\d+)([BKMGT])\(\d+%\)->(\d+)([BKMGT])\(\d+%\))?(?: (\d+(?:\.\d+)?)(ms|s))?$/;
const CYCLE_HEAP = / (\d+(?:[.,]\d+)?)([BKMGT])->(\d+(?:[.,]\d+)?)([BKMGT])\(\d+(?:[.,]\d+)?[BKMGT]\)$/;
const SPAN = /^ \(\d+(?:\.\d+)?m?s, \d+(?:\.\d+)?m?s\)$/;
const HUMONGOUS_REGIONS = /^Humongous regions: (\d+)->(\d+)/;
const SAFEPOINT = /^Safepoint "([^"]*)".*Total: (\d+) ns/;
const STALL = /^Allocation Stall \(([^)]*)\) (\d+(?:\.\d+)?)ms/;

/**
 * What a G1/Parallel/Serial/CMS pause's kind words ("Young", "Full", ...) and its first
 * parenthesised group mean. Read top to bottom; ZGC and Shenandoah pauses are named in
 * {@link ZGC_PAUSES} / {@link SHENANDOAH_PAUSES}.
 */
const PAUSE_KINDS: { kind: string; qualifier?: string; type: string }[] = [
  { kind: "Young", qualifier: "Normal", type: "young" },
  { kind: "Young", qualifier: "Concurrent Start", type: "young-concurrent-start" },
  { kind: "Young", qualifier: "Initial Mark", type: "young-concurrent-start" },
  { kind: "Young", qualifier: "Prepare Mixed", type: "young" },
  { kind: "Young", qualifier: "Mixed", type: "mixed" },
  { kind: "Young", type: "young" },
  { kind: "Mixed", type: "mixed" },
  { kind: "Full", type: "full" },
  { kind: "Remark", type: "remark" },
  { kind: "Cleanup", type: "cleanup" },
  { kind: "Initial Mark", type: "initial-mark" },
];
/** G1 qualifiers: the first group of "Pause Young (Normal) (cause)" is not the cause. */
const G1_QUALIFIERS = new Set(["Normal", "Concurrent Start", "Initial Mark", "Prepare Mixed", "Mixed"]);
/** ZGC pause names (non-generational and generational). */
const ZGC_PAUSES = new Set(["Mark Start", "Mark End", "Relocate Start"]);
/** Shenandoah pause names. */
const SHENANDOAH_PAUSES = new Set([
  "Init Mark",
  "Final Mark",
  "Init Update Refs",
  "Final Update Refs",
  "Final Roots",
  "Degenerated GC",
  "Init Evac",
  "Final Evac",
  "Final Evac Start",
]);

/** Lines that tell us about the JVM (version, collector, RAM, heap). */
const INFO_RULES: { prefix: string; apply: (msg: string, r: { info: GcParse["info"] }) => void }[] = [
  {
    prefix: "Using ",
    apply: (m, r) => {
      const c = COLLECTOR_NAMES[m.slice(6).trim()];
      if (c) r.info.collector = c;
    },
  },
  {
    prefix: "Initializing The Z Garbage Collector",
    apply: (_m, r) => {
      r.info.collector ??= "ZGC";
    },
  },
  {
    prefix: "Version: ",
    apply: (m, r) => {
      r.info.jvmVersion = m
        .slice(9)
        .replace(/ \(.*\)$/, "")
        .trim();
    },
  },
  {
    prefix: "Memory: ",
    apply: (m, r) => {
      const x = /^Memory: (\d+(?:\.\d+)?)([KMGT])/.exec(m);
      if (x) r.info.ramMb = toMb(x[1], x[2]);
    },
  },
  {
    prefix: "Heap Max Capacity: ",
    apply: (m, r) => {
      const x = /(\d+(?:\.\d+)?)([BKMGT])/.exec(m.slice(19));
      if (x) r.info.heapMaxMb = toMb(x[1], x[2]);
    },
  },
  {
    prefix: "Max Capacity: ",
    apply: (m, r) => {
      const x = /(\d+(?:\.\d+)?)([BKMGT])/.exec(m.slice(14));
      if (x) r.info.heapMaxMb = toMb(x[1], x[2]);
    },
  },
  {
    prefix: "Maximum heap ",
    apply: (m, r) => {
      const x = /^Maximum heap (\d+)/.exec(m);
      if (x && r.info.heapMaxMb === undefined) r.info.heapMaxMb = Number(x[1]) / 1048576;
    },
  },
  {
    prefix: "Heap address: ",
    apply: (m, r) => {
      const x = /size: (\d+) MB/.exec(m);
      if (x && r.info.heapMaxMb === undefined) r.info.heapMaxMb = Number(x[1]);
    },
  },
];

const COLLECTOR_NAMES: Record<string, string> = {
  G1: "G1",
  Parallel: "Parallel",
  Serial: "Serial",
  "Concurrent Mark Sweep": "CMS",
  Shenandoah: "Shenandoah",
  "The Z Garbage Collector": "ZGC",
};

/** A number that may use a decimal comma (`7,870` in some locales). */
const dec = (s: string) => Number(s.indexOf(",") >= 0 ? s.replace(",", ".") : s);

/** Per-GC-id facts logged before the pause's end line. */
interface Pending {
  toSpace: boolean;
  humongous: boolean;
  start?: number;
  cause?: string;
}

/**
 * Parse a unified-logging GC log.
 * @example parseUnifiedGc("[0.160s][info][gc] GC(0) Pause Young (Allocation Failure) 16M->2M(61M) 2.928ms").pauses[0].pause_ms // 2.928
 */
export function parseUnifiedGc(text: string, opts: ParseOptions = {}): GcParse {
  const p = unifiedGcParser(opts);
  p.push(text);
  return withPauseObjects(p.end());
}

/**
 * The unified-logging parser fed block by block (see {@link GcBlockParser}): state (open GC ids,
 * the pause waiting for its safepoint line) carries across blocks.
 *
 * Read in three parts, gctoolkit's way: `push` walks the lines on offsets and, with cheap prefix
 * checks (`gcIdLineMatters` for `GC(n) ...` lines), lets through only the lines that matter; those
 * go to ONE handler each — the `GC(n) ...` events by their first letter
 * (`onGcIdLine`: pause end, concurrent phase, ZGC collection, to-space exhausted, humongous) and
 * the other messages by their prefix (`MESSAGE_RULES`: safepoint, stopped time, allocation stall,
 * then the JVM facts of {@link INFO_RULES}).
 * @example const p = unifiedGcParser(); for await (const b of readLineBlocks("gc.log")) p.push(b); p.end().pauses.length
 */
export function unifiedGcParser(opts: ParseOptions = {}): GcBlockParser {
  const r = emptyColumns(emptyParse("unified"), opts);
  const table = r.pauses;
  const maxLines = opts.maxLines ?? Infinity;
  const pending = new Map<number, Pending>();
  /** Row index of the last pause of each GC id (for its gc+cpu line). */
  const byId = new Map<number, number>();
  /** Start lines of pauses not ended yet, by GC id; pauses that ended inside another (row indexes), by the outer id. */
  const started = new Map<number, number>();
  const nestedIn = new Map<number, number[]>();
  let awaitingStop = -1;
  let stopped = 0;
  let lineNo = 0;
  let first = true;
  /** The last non-empty line seen: its decorations bound the log's time span. */
  let lastLine = "";
  // Decorations of the current line, parsed only when the line matters.
  let line = "";
  let msgStart = 0;
  let uptime: number | null = null;
  let stamp: string | null = null;

  let lastStampText = "";
  let lastStamp: string | null = null;
  /** Read the current line's decorations: its uptime and time stamp, and the log's time span. */
  const decorate = () => {
    uptime = null;
    stamp = null;
    let i = 0;
    while (i < msgStart && line.charCodeAt(i) === 91) {
      const j = line.indexOf("]", i);
      if (j < 0) break;
      let d = line.slice(i + 1, j).trim();
      if (d.indexOf(",") >= 0 && d.charCodeAt(4) !== 45) d = d.replace(",", "."); // `[0,017s]` in a decimal-comma locale
      i = j + 1;
      const c = d.charCodeAt(0);
      if (c < 48 || c > 57) continue; // level, tags
      const last = d.charCodeAt(d.length - 1);
      if (d.length >= 19 && d.charCodeAt(4) === 45 /* - */) {
        // One event's lines mostly share their millisecond: the last decoration read is reused.
        if (d !== lastStampText) {
          lastStampText = d;
          lastStamp = hotspotTime(d);
        }
        stamp ??= lastStamp;
      } else if (last === 115 /* s */) {
        const pre = d.charCodeAt(d.length - 2);
        if (pre === 109 /* ms */) {
          const v = Number(d.slice(0, -2));
          if (v > 1e11) stamp ??= new Date(v).toISOString();
          else uptime ??= v / 1000;
        } else if (pre === 110 /* ns */) uptime ??= Number(d.slice(0, -2)) / 1e9;
        else uptime ??= Number(d.slice(0, -1));
      }
    }
    if (uptime !== null) {
      if (r.lastUptime !== null && uptime < r.lastUptime - 1) r.jvmRestarts++;
      if (r.firstUptime === null) r.firstUptime = uptime;
      r.lastUptime = uptime;
    }
    if (stamp !== null) {
      if (r.firstTimestamp === null) r.firstTimestamp = stamp;
      r.lastTimestamp = stamp;
    }
  };
  const pend = (id: number): Pending => {
    let p = pending.get(id);
    if (!p) {
      if (pending.size > 512) pending.clear();
      p = { toSpace: false, humongous: false };
      pending.set(id, p);
    }
    return p;
  };

  /**
   * A pause's start line, remembered by GC id. An id still open (its pause never ended: a JVM
   * stopped mid-pause, or whole logs appended one after another) starts again: the pauses said to
   * run inside the old start are forgotten with it — they ran inside no pause that ended, and the
   * list would otherwise grow with the log (every later pause of a copy, 1.4 million at 3 GB).
   */
  const onPauseStart = (gcId: number) => {
    if (started.has(gcId)) nestedIn.delete(gcId);
    started.set(gcId, lineNo);
  };

  /**
   * The cheap test of a `GC(n) ...` line (on offsets, nothing materialised): does its event matter?
   * Two side effects stay here because they need no more than the offsets: a pause's start line is
   * remembered (to see one pause run inside another), and a gc+cpu "User=... Real=..." line gives
   * the pause of its GC id its real_ms.
   */
  const gcIdLineMatters = (text: string, m0: number, le: number): boolean => {
    let d = m0 + 3;
    let gcId = 0;
    for (let ch = text.charCodeAt(d); d < le && ch >= 48 && ch <= 57; ch = text.charCodeAt(++d)) gcId = gcId * 10 + (ch - 48);
    if (text.charCodeAt(d) !== 41 || text.charCodeAt(d + 1) !== 32) return false;
    let rs = d + 2;
    const g = text.charCodeAt(rs);
    if ((g === 89 || g === 79 || g === 121) && text.charCodeAt(rs + 1) === 58) rs += 3;
    const endsWithS = text.charCodeAt(le - 1) === 115;
    // First two or three characters before any startsWith: most detail lines fail here.
    const c1 = text.charCodeAt(rs + 1);
    switch (text.charCodeAt(rs)) {
      case 80 /* P */:
        {
          const need = endsWithS && c1 === 97 && text.charCodeAt(le - 2) === 109 && text.startsWith("Pause ", rs);
          // A pause's start line (gc,start: no duration): remembered, to see one pause run inside another.
          if (!need && c1 === 97 && text.startsWith("Pause ", rs)) onPauseStart(gcId);
          return need;
        }
      case 67 /* C */:
        return endsWithS && c1 === 111 && text.startsWith("Concurrent ", rs);
      case 71 /* G */:
        return c1 === 97 && text.startsWith("Garbage Collection (", rs);
      case 77 /* M */:
        return (c1 === 97 || c1 === 105) && (text.startsWith("Major Collection (", rs) || text.startsWith("Minor Collection (", rs));
      case 84 /* T */:
        return c1 === 111 && text.startsWith("To-space exhausted", rs);
      case 69 /* E */:
        return c1 === 118 && text.startsWith("Evacuation Failure", rs);
      case 72 /* H */:
        return c1 === 117 && text.charCodeAt(rs + 19) !== 48 && text.startsWith("Humongous regions: ", rs);
      case 85 /* U */:
        // gc+cpu "User=0.01s Sys=0.00s Real=0.01s": the pause with this id gets real_ms, without materialising the line.
        if (c1 === 115 && text.charCodeAt(rs + 2) === 101 && text.startsWith("User=", rs)) {
          const p = byId.get(gcId);
          const k = text.indexOf("Real=", rs);
          if (p !== undefined && table.numAt(p, "real_ms") === null && k > 0 && k < le) {
            const v = Number(text.slice(k + 5, text.charCodeAt(le - 1) === 115 ? le - 1 : le));
            if (Number.isFinite(v)) table.setNum(p, "real_ms", Math.round(v * 1e6) / 1000);
          }
        }
        return false;
    }
    return false;
  };

  /** A pause's end line: one row; a pause that ended inside another (Serial/Parallel full in young) is marked within it. */
  const onPauseEnd = (id: number, rest: string, gen: string, genTag: string) => {
    const m = PAUSE_END.exec(rest);
    if (!m) {
      skip(r.skipped, lineNo, line, "a pause end line without a readable duration");
      return;
    }
    decorate();
    const pause = table.push(pauseFrom(m, id, gen, genTag, pending.get(id), lineNo, uptime, stamp, r.info.collector));
    pending.delete(id);
    // Serial/Parallel log a full collection inside the young one that triggered it
    // (`GC(2263) Pause Young` starts, `GC(2264) Pause Full` starts and ends, then GC(2263) ends):
    // the inner pause is kept with its own time and marked as within the outer one.
    const myStart = started.get(id);
    started.delete(id);
    if (myStart !== undefined) {
      for (const [outerId, outerStart] of started) {
        if (outerStart < myStart && myStart - outerStart < 1000) {
          let list = nestedIn.get(outerId);
          if (!list) nestedIn.set(outerId, (list = []));
          list.push(pause);
        }
      }
    }
    const inner = nestedIn.get(id);
    if (inner) {
      for (const p of inner) table.setNum(p, "within_line", lineNo);
      nestedIn.delete(id);
    }
    if (started.size > 64) started.clear();
    // Lists of outer pauses whose start was forgotten (never ended, never started again) are let go too.
    if (nestedIn.size > 64) for (const outerId of nestedIn.keys()) if (!started.has(outerId)) nestedIn.delete(outerId);
    if (byId.size > 512) byId.clear();
    byId.set(id, pause);
    awaitingStop = pause;
  };

  /** A concurrent phase with its duration: one cycle row. */
  const onConcurrent = (id: number, rest: string) => {
    const m = CONCURRENT_END.exec(rest);
    if (!m) return;
    decorate();
    const ms = m[3] === "s" ? dec(m[2]) * 1000 : dec(m[2]);
    // JDK 11 appends the phase's span "(11.013s, 11.034s)"; Shenandoah's cleanup a heap "78M->23M(256M)".
    let name = m[1];
    let before: number | null = null;
    let after: number | null = null;
    const h = CYCLE_HEAP.exec(name);
    if (h) {
      before = toMb(h[1].replace(",", "."), h[2]);
      after = toMb(h[3].replace(",", "."), h[4]);
      name = name.slice(0, h.index);
    }
    const span = name.indexOf(" (", 11);
    if (span > 0 && SPAN.test(name.slice(span))) name = name.slice(0, span);
    r.cycles.push(cycle(intern(name), null, ms, before, after, name.includes("Undo") || name.includes("Abort"), id, lineNo, uptime, stamp));
  };

  /** A ZGC collection: its start line (cause, start time) or its end (one cycle row). */
  const onZgcCollection = (id: number, rest: string) => {
    decorate();
    const m = ZGC_COLLECTION.exec(rest);
    if (!m) return;
    const p = pend(id);
    if (m[3] === undefined && m[7] === undefined) {
      // The collection's start line.
      p.start = uptime ?? undefined;
      p.cause = intern(m[2]);
      return;
    }
    let ms: number | null = m[7] !== undefined ? (m[8] === "s" ? Number(m[7]) * 1000 : Number(m[7])) : null;
    if (ms === null && p.start !== undefined && uptime !== null) ms = Math.round((uptime - p.start) * 1e6) / 1000;
    pending.delete(id);
    const before = m[3] !== undefined ? toMb(m[3], m[4]) : null;
    const after = m[5] !== undefined ? toMb(m[5], m[6]) : null;
    r.cycles.push(cycle(intern(`${m[1]} (${m[2]})`), intern(m[2]), ms, before, after, false, id, lineNo, uptime, stamp));
  };

  /** A `GC(n) ...` line that matters (its prefix is known to be there): to its event's handler by the first letter. */
  const onGcIdLine = () => {
    const close = line.indexOf(") ", msgStart + 3);
    if (close < 0) return;
    const id = Number(line.slice(msgStart + 3, close));
    let restStart = close + 2;
    // Generational ZGC: "Y:" young collection of a major cycle, "y:" of a minor one, "O:" old.
    let gen = "";
    let genTag = "";
    const g = line.charCodeAt(restStart);
    if ((g === 89 /* Y */ || g === 79 /* O */ || g === 121) /* y */ && line.charCodeAt(restStart + 1) === 58 /* : */) {
      gen = g === 79 ? "old" : "young";
      genTag = line.slice(restStart, restStart + 2);
      restStart += 3;
    }
    const rc = line.charCodeAt(restStart);
    if (rc === 80 /* P */) onPauseEnd(id, line.slice(restStart), gen, genTag);
    else if (rc === 67 /* C */) onConcurrent(id, line.slice(restStart));
    else if (rc === 71 /* G */ || rc === 77 /* M */) onZgcCollection(id, line.slice(restStart));
    else if (rc === 84 /* T */ || rc === 69 /* E */)
      pend(id).toSpace = true; // To-space exhausted / Evacuation Failure.
    else if (rc === 72 /* H */) {
      const m = HUMONGOUS_REGIONS.exec(line.slice(restStart));
      if (m && Number(m[1]) > 0) pend(id).humongous = true;
    }
  };

  /** A safepoint line with its total: stopped time, given to the pause waiting for it when the VM operation is a collector's. */
  const onSafepoint = () => {
    const m = SAFEPOINT.exec(line.slice(msgStart));
    if (!m) {
      skip(r.skipped, lineNo, line, "a safepoint line without its Total");
      return;
    }
    const ms = Number(m[2]) / 1e6;
    stopped += ms;
    r.safepoints++;
    if (awaitingStop >= 0 && GC_OPERATION.test(m[1])) table.setNum(awaitingStop, "stopped_ms", Math.round(ms * 1000) / 1000);
    awaitingStop = -1;
  };

  /** JDK 9-16's "Total time for which application threads were stopped": the same, for the pause waiting for it. */
  const onStoppedTime = () => {
    const msg = line.slice(msgStart);
    const m = STOPPED_TIME.exec(msg.indexOf(",") >= 0 ? msg.replace(/(\d),(\d)/g, "$1.$2") : msg);
    if (!m) return;
    const ms = Number(m[1]) * 1000;
    stopped += ms;
    r.safepoints++;
    if (awaitingStop >= 0) table.setNum(awaitingStop, "stopped_ms", Math.round(ms * 1000) / 1000);
    awaitingStop = -1;
  };

  /** A ZGC allocation stall: one stall row. */
  const onStall = () => {
    const m = STALL.exec(line.slice(msgStart));
    if (!m) return;
    decorate();
    r.stalls.push({ timestamp: stamp, uptime_s: uptime, thread: intern(m[1]), stall_ms: Number(m[2]), line: lineNo });
  };

  /** A JVM fact (collector, version, RAM, heap): the first of {@link INFO_RULES} whose prefix the message has. */
  const onInfo = () => {
    for (const rule of INFO_RULES) {
      if (line.startsWith(rule.prefix, msgStart)) {
        rule.apply(line.slice(msgStart), r);
        if (rule.prefix === "Using ") decorate();
        return;
      }
    }
  };

  /** The messages without a GC id that matter, by prefix, read top to bottom (first letter S, T, A; then the facts). */
  const MESSAGE_RULES: { first: number; prefix: string; handle: () => void }[] = [
    { first: 83 /* S */, prefix: 'Safepoint "', handle: onSafepoint },
    { first: 84 /* T */, prefix: "Total time for which", handle: onStoppedTime },
    { first: 65 /* A */, prefix: "Allocation Stall (", handle: onStall },
  ];
  /** First letters of the JVM-fact messages of {@link INFO_RULES} (Using, Initializing, Version, Memory/Max/Maximum, Heap). */
  const isInfoLetter = (c: number) => c === 85 || c === 73 || c === 86 || c === 77 || c === 72;

  const push = (text: string) => {
    let pos = first && text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte order mark
    first = false;
    const n = text.length;
    let lastLs = 0;
    let lastLe = 0;
    while (pos < n && lineNo < maxLines) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = n;
      lineNo++;
      // Work on offsets into `text`: most lines are detail lines we only need to recognise, and
      // not materialising them as strings is what keeps this near line-count speed.
      const ls = pos;
      const le = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      pos = end + 1;
      if (le === ls) continue;
      lastLs = ls;
      lastLe = le;
      if (text.charCodeAt(ls) !== 91) {
        skip(r.skipped, lineNo, text.slice(ls, le), "not a unified-logging line (no [decorations])");
        continue;
      }
      // Skip the decorations in one search: they are `[..]` blocks back to back, and the first
      // "] " ends them (padding inside a block is before its `]`, never after).
      const close = text.indexOf("] ", ls);
      if (close < 0 || close >= le) {
        // No message: a line cut inside its decorations, or decorations with nothing after them.
        if (text.charCodeAt(le - 1) !== 93 || text.indexOf("]", ls) < 0) skip(r.skipped, lineNo, text.slice(ls, le), "cut inside its [decorations]");
        continue;
      }
      const i = close + 1;
      const m0 = text.charCodeAt(i) === 32 ? i + 1 : i;
      const c0 = text.charCodeAt(m0);
      // Cheap prefix checks decide whether the line matters at all.
      const gcId = c0 === 71 /* G */ && text.charCodeAt(m0 + 1) === 67 && text.charCodeAt(m0 + 2) === 40;
      const need = gcId ? gcIdLineMatters(text, m0, le) : c0 === 83 || c0 === 84 || c0 === 65 || isInfoLetter(c0);
      if (!need) continue;
      line = text.slice(ls, le);
      msgStart = m0 - ls;
      if (gcId) {
        onGcIdLine();
        continue;
      }
      let handled = false;
      for (const rule of MESSAGE_RULES) {
        if (rule.first === c0 && line.startsWith(rule.prefix, msgStart)) {
          rule.handle();
          handled = true;
          break;
        }
      }
      if (!handled && isInfoLetter(c0)) onInfo();
      // Everything else is a detail line of a known event (phases, heap regions, metaspace): recognised, not needed.
    }
    if (lastLe > lastLs) lastLine = text.slice(lastLs, lastLe);
  };
  const end = (): GcParseColumns => {
    // The last line's decorations bound the log's time span.
    if (lastLine) {
      line = lastLine;
      msgStart = line.length;
      decorate();
    }
    r.lines = lineNo;
    if (r.safepoints > 0) r.safepointStoppedMs = Math.round(stopped * 1000) / 1000;
    if (r.info.collector === "ZGC" && r.cycles.names.some((n) => n.startsWith("Major") || n.startsWith("Minor"))) r.info.collector = "Generational ZGC";
    return r;
  };
  return { push, end };
}

/** Safepoint VM operations that are a collector's pause (G1*, Z*, Shenandoah*, ParallelGC*, GenCollect*, CMS_*). */
const GC_OPERATION = /^(G1|Z[A-Z]|Shenandoah|Parallel|GenCollect|CMS|CollectFor|GC_|GCollect)/;

function pauseFrom(
  m: RegExpExecArray,
  id: number,
  gen: string,
  genTag: string,
  p: Pending | undefined,
  line: number,
  uptime: number | null,
  stamp: string | null,
  collector: string | undefined,
): GcPause {
  const full = m[1];
  const paren = full.indexOf(" (");
  const kind = (paren < 0 ? full.slice(6) : full.slice(6, paren)).trim();
  const groups = paren < 0 ? [] : parenGroups(full.slice(paren));
  let type: string;
  let cause: string | null = null;
  if (ZGC_PAUSES.has(kind)) {
    type = `zgc-${gen ? gen + "-" : ""}${kebab(kind)}`;
    cause = p?.cause ?? null;
  } else if (SHENANDOAH_PAUSES.has(kind)) {
    type = `shenandoah-${kebab(kind)}`;
  } else {
    const q = groups[0];
    const rule = PAUSE_KINDS.find((k) => k.kind === kind && (k.qualifier === undefined || k.qualifier === q));
    type = rule ? rule.type : kebab(kind);
    // JDK 9-11 G1 logs its initial-mark young pause as "Pause Initial Mark": the same pause JDK 12+
    // calls "Pause Young (Concurrent Start)", so it gets the same type. CMS's "Pause Initial Mark" stays initial-mark.
    if (kind === "Initial Mark" && collector !== "CMS") type = "young-concurrent-start";
    const causes = groups.filter((g) => !G1_QUALIFIERS.has(g) && g !== "Evacuation Failure");
    cause = causes.length ? causes[causes.length - 1] : null;
  }
  const name = kind === "Young" && groups[0] && G1_QUALIFIERS.has(groups[0]) ? `Pause Young (${groups[0]})` : `Pause ${kind}`;
  return {
    timestamp: stamp,
    uptime_s: uptime,
    type,
    name: genTag ? `${genTag} ${name}` : name,
    cause,
    pause_ms: dec(m[8]),
    real_ms: null,
    stopped_ms: null,
    heap_before_mb: m[2] !== undefined ? toMb(m[2].replace(",", "."), m[3]) : null,
    heap_after_mb: m[4] !== undefined ? toMb(m[4].replace(",", "."), m[5]) : null,
    heap_total_mb: m[6] !== undefined ? toMb(m[6].replace(",", "."), m[7]) : null,
    to_space_exhausted: (p?.toSpace ?? false) || groups.includes("Evacuation Failure"),
    humongous: (p?.humongous ?? false) || (cause !== null && cause.includes("Humongous")),
    concurrent_mode_failure: false,
    gc_id: id,
    within_line: null,
    line,
  };
}

function cycle(
  name: string,
  cause: string | null,
  ms: number | null,
  before: number | null,
  after: number | null,
  aborted: boolean,
  id: number,
  line: number,
  uptime: number | null,
  stamp: string | null,
): GcCycle {
  return { timestamp: stamp, uptime_s: uptime, name, cause, duration_ms: ms, heap_before_mb: before, heap_after_mb: after, aborted, gc_id: id, line };
}
