/**
 * Which GC-log dialect a text is, and the one entry point that parses any of them.
 *
 * Detection looks at the first non-empty lines only (cheap): unified logging starts every line
 * with `[decoration]`; JDK 8 logs start with the JVM banner, `CommandLine flags:`, or
 * `[date: ]uptime: [GC` / stopped-time lines. Anything else is reported as "unknown" with every
 * line skipped, so the caller can say "this file is not a GC log".
 */
import { jdk8GcParser } from "./gc-jdk8";
import { emptyColumns, withPauseObjects, type GcBlockParser } from "./gc-pauses";
import { emptyParse, skip, type GcParse, type ParseOptions } from "./gc-types";
import { unifiedGcParser } from "./gc-unified";

export * from "./gc-types";
export { parseJdk8Gc, jdk8GcParser } from "./gc-jdk8";
export { parseUnifiedGc, unifiedGcParser } from "./gc-unified";
export { CycleTable, PauseTable, intern, withPauseObjects, type GcBlockParser, type GcParseColumns, type RowBudget } from "./gc-pauses";
export { PauseFold, PauseTimes } from "./gc-fold";
export { parseGcInspector } from "./gc-inspector";
export { parseNodetoolGcstats, type NodetoolGcStats } from "./nodetool-gcstats";

const UNIFIED_LINE = /^\[[^\]\n]*\](\[[^\]\n]*\])* ?\S/;
/** A unified decoration: uptime/uptimemillis/uptimenanos, time/utctime, timemillis, a level, or tags. */
const UNIFIED_DECORATION =
  /^\[\s*(\d+([.,]\d+)?(s|ms|ns)|\d{4}-\d\d-\d\d[T ][\d:.,]+[^\]]*|\d{12,}ms|trace|debug|info|warning|error|gc[\w,+ ]*|safepoint[\w, ]*)\s*\]/;
/**
 * JDK 6-8 lines: the JVM banner and flags, or `[date: ][uptime: ]` then `[GC`, `[Full GC`, a
 * Shenandoah `[Pause`/`[Concurrent`, a CMS/G1 concurrent phase, or a stopped-time line — with
 * either prefix part missing (-XX:+PrintGCDateStamps alone, or neither) and decimal commas.
 */
const JDK8_LINE =
  /^(Java HotSpot|OpenJDK|Memory: |CommandLine flags: |\{Heap before|(\d{4}-\d\d-\d\dT[\d:.,]+[+-]\d{4}: ?)?(\d+[.,]\d+: )?(#\d+: )?(\[(GC|Full GC|Pause |Concurrent |CMS-concurrent)|Total time for which|Application time)|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GC log file created)/;

/**
 * The dialect of a GC log from its first lines: each of the first 50 non-empty lines is scored
 * against every dialect, and the dialect with more lines wins (none -> "unknown"). Never by file name.
 * @example detectGcFormat("[0.009s][info][gc] Using Parallel") // "unified"
 */
export function detectGcFormat(text: string): "unified" | "jdk8" | "unknown" {
  let unified = 0;
  let jdk8 = 0;
  let seen = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length && seen < 50) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, Math.min(end, pos + 400)).replace(/\r$/, "");
    pos = end + 1;
    if (!line.trim()) continue;
    seen++;
    if (UNIFIED_LINE.test(line) && UNIFIED_DECORATION.test(line)) unified++;
    else if (JDK8_LINE.test(line)) jdk8++;
  }
  if (unified === 0 && jdk8 === 0) return "unknown";
  return unified >= jdk8 ? "unified" : "jdk8";
}

/**
 * Parse any GC log (unified JDK 9+ or JDK 8 PrintGCDetails). A text that is neither comes back
 * with format "unknown", no rows, and every non-empty line counted as skipped.
 * @example parseGcLog(fs.readFileSync("gc.log", "utf8")).pauses.length
 */
export function parseGcLog(text: string, opts: ParseOptions = {}): GcParse {
  const p = gcLogParser(text, opts);
  p.push(text);
  return withPauseObjects(p.end());
}

/**
 * A parser for a GC log read block by block: the dialect is detected from the first block (its
 * first 50 non-empty lines), then every block, that one included, is pushed in order.
 * @example
 * let p; for await (const b of readLineBlocks("gc.log")) (p ??= gcLogParser(b)).push(b);
 * const parse = (p ?? gcLogParser("")).end();
 */
export function gcLogParser(firstBlock: string, opts: ParseOptions = {}): GcBlockParser {
  const format = detectGcFormat(firstBlock);
  if (format === "unified") return unifiedGcParser(opts);
  if (format === "jdk8") return jdk8GcParser(opts);
  return unknownParser(opts);
}

/** Neither dialect: every non-empty line is counted as skipped, with the first one shown. */
function unknownParser(opts: ParseOptions): GcBlockParser {
  const r = emptyColumns(emptyParse("unknown"), opts);
  const maxLines = opts.maxLines ?? Infinity;
  return {
    push(text: string) {
      let pos = 0;
      while (pos < text.length && r.lines < maxLines) {
        let end = text.indexOf("\n", pos);
        if (end < 0) end = text.length;
        r.lines++;
        const line = text.slice(pos, end);
        if (line.trim()) skip(r.skipped, r.lines, line, "not a GC log line (neither unified [decorations] nor JDK 8 `uptime: [GC`)");
        pos = end + 1;
      }
    },
    end: () => r,
  };
}
